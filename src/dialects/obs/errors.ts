import { DEFAULT_MESSAGE, type ErrorCode } from '../../engine/errors.js';
import type { WireError } from '../../api/vocabulary.js';

/**
 * The server error codes of the OBS SDK guide (§17.1, 107 rows): code, HTTP
 * status and the meaning the guide gives, used as the message. Three codes the
 * guide prints with a line-wrap space are written without it; the guide gives
 * no status for InvalidAddressingHeader (400 here). Besides the table, OBS's
 * API reference adds AppendTooLarge, PositionNotEqualToLength and
 * ObjectNotAppendable for appends.
 */
export const OBS_ERRORS: ReadonlyArray<readonly [code: string, status: number, message: string]> = [
  ['AccessDenied', 403, 'Access denied'],
  ['AccessForbidden', 403, 'Insufficient permission'],
  ['AccountProblem', 403, 'Account abnormal (expired, frozen, etc.); operation cannot complete'],
  ['AllAccessDisabled', 403, 'User not permitted to perform the operation'],
  ['AmbiguousGrantByEmailAddress', 400, 'E-mail address is associated with more than 1 account'],
  ['BadDigest', 400, 'The Content-MD5 you specified did not match the MD5 of the content received.'],
  ['BadDomainName', 400, 'Invalid domain name'],
  ['BadRequest', 400, 'Invalid request parameter'],
  ['BucketAlreadyExists', 409, 'Bucket name already exists; the namespace is shared by all users; choose another'],
  ['BucketAlreadyOwnedByYou', 409, 'Requester already created and owns this bucket'],
  ['BucketNotEmpty', 409, 'Bucket to delete is not empty'],
  ['CredentialsNotSupported', 400, 'Request does not support credential verification'],
  ['CustomDomainAreadyExist', 400, 'Domain configured already exists'],
  ['CustomDomainNotExist', 400, 'Domain operated on does not exist'],
  ['DeregisterUserId', 403, 'User has been deregistered'],
  ['EntityTooSmall', 400, 'Upload smaller than the allowed minimum'],
  ['EntityTooLarge', 400, 'Upload larger than the allowed maximum'],
  ['FrozenUserId', 403, 'User frozen'],
  ['IllegalVersioningConfigurationException', 400, 'Versioning configuration invalid'],
  ['IllegalLocationConstraintException', 400, 'Location constraint doesn\'t match the Region'],
  ['InArrearOrInsufficientBalance', 403, 'No permission for the operation.'],
  ['IncompleteBody', 400, 'Request body incomplete'],
  ['IncorrectNumberOfFilesInPostRequest', 400, 'Each POST must carry one uploaded file'],
  ['InlineDataTooLarge', 400, 'Inline data exceeds max length'],
  ['InsufficientStorageSpace', 403, 'Insufficient storage space'],
  ['InternalError', 500, 'Internal error; retry'],
  ['InvalidAccessKeyId', 403, 'Access Key Id not in system records'],
  ['InvalidAddressingHeader', 400, 'User must specify the anonymous role'],
  ['InvalidArgument', 400, 'Invalid argument'],
  ['InvalidBucketName', 400, 'Bucket name in request invalid'],
  ['InvalidBucket', 400, 'Bucket no longer exists'],
  ['InvalidBucketState', 409, 'Invalid bucket state'],
  ['InvalidBucketStoragePolicy', 400, 'New policy invalid when modifying the bucket policy'],
  ['InvalidDigest', 400, 'Content-MD5 header invalid'],
  ['InvalidEncryptionAlgorithmError', 400, 'Wrong encryption algorithm'],
  ['InvalidLocationConstraint', 400, 'Location given at bucket creation invalid'],
  ['InvalidPart', 400, 'One or more parts not found (not uploaded, or entity tag mismatch)'],
  ['InvalidPartOrder', 400, 'Part list not ascending; must be ascending by part number'],
  ['InvalidPayer', 403, 'All access to this object has been invalidated'],
  ['InvalidPolicyDocument', 400, 'Form content doesn\'t match the policy document conditions'],
  ['InvalidRange', 416, 'Requested range not satisfiable'],
  ['InvalidRedirectLocation', 400, 'Invalid redirect location'],
  ['InvalidRequest', 400, 'Invalid request'],
  ['InvalidRequestBody', 400, 'POST request body invalid'],
  ['InvalidSecurity', 403, 'Security credentials invalid'],
  ['InvalidStorageClass', 400, 'Storage Class invalid'],
  ['InvalidTargetBucketForLogging', 400, 'Delivery group has no ACL permission on target bucket'],
  ['InvalidURI', 400, 'URI cannot be parsed'],
  ['KeyTooLong', 400, 'Key too long'],
  ['MalformedACLError', 400, 'ACL XML malformed or non-conforming'],
  ['MalformedError', 400, 'XML in request malformed'],
  ['MalformedLoggingStatus', 400, 'Logging XML malformed'],
  ['MalformedPolicy', 400, 'Bucket policy check failed'],
  ['MalformedPOSTRequest', 400, 'POST body not well-formed multipart/form-data'],
  ['MalformedQuotaError', 400, 'Quota XML malformed'],
  ['MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema.'],
  ['MaxMessageLengthExceeded', 400, 'Request message too long'],
  ['MaxPostPreDataLengthExceededError', 400, 'POST fields before the file too large'],
  ['MetadataTooLarge', 400, 'Metadata headers exceed the max metadata size'],
  ['MethodNotAllowed', 405, 'Method not allowed on the resource'],
  ['MissingContentLength', 411, 'Content-Length header required'],
  ['MissingRegion', 400, 'No Region in request and no default Region'],
  ['MissingRequestBodyError', 400, 'Request body is empty.'],
  ['MissingRequiredHeader', 400, 'Required header missing'],
  ['MissingSecurityHeader', 400, 'A required (security) header missing'],
  ['NoSuchBucket', 404, 'Bucket doesn\'t exist'],
  ['NoSuchBucketPolicy', 404, 'Bucket policy doesn\'t exist'],
  ['NoSuchCORSConfiguration', 404, 'CORS config doesn\'t exist'],
  ['NoSuchCustomDomain', 404, 'User domain doesn\'t exist'],
  ['NoSuchKey', 404, 'Key doesn\'t exist'],
  ['NoSuchLifecycleConfiguration', 404, 'Lifecycle doesn\'t exist'],
  ['NoSuchPolicy', 404, 'Named policy doesn\'t exist'],
  ['NoSuchUpload', 404, 'Multipart upload doesn\'t exist (bad Upload ID, or aborted/completed)'],
  ['NoSuchVersion', 404, 'version ID matches no existing version'],
  ['NoSuchWebsiteConfiguration', 404, 'Website config doesn\'t exist'],
  ['NotImplemented', 501, 'Header functionality not implemented'],
  ['NotSignedUp', 403, 'Account not registered'],
  ['OperationAborted', 409, 'Conflicting operation in progress on the resource; retry'],
  ['PermanentRedirect', 301, 'Bucket must be accessed via the specified endpoint'],
  ['PreconditionFailed', 412, 'At least one precondition not met'],
  ['Redirect', 307, 'Temporary redirect'],
  ['RequestIsNotMultiPartContent', 400, 'Bucket POST must be enclosure-type multipart/form-data'],
  ['RequestTimeout', 400, 'Socket had no read/write within the timeout'],
  ['RequestTimeTooSkewed', 403, 'Request time differs too much from server time'],
  ['RequestTorrentOfBucketError', 400, 'Requesting a bucket\'s torrent file not allowed'],
  ['ServiceNotImplemented', 501, 'Method not implemented by the server'],
  ['ServiceNotSupported', 409, 'Method not supported by the server'],
  ['ServiceUnavailable', 503, 'Server overloaded or internal error'],
  ['SignatureDoesNotMatch', 403, 'Signature mismatch; check AK/SK and signing method'],
  ['SlowDown', 503, 'Reduce request rate'],
  ['System Capacity Not enough', 403, 'System space insufficient'],
  ['TooManyCustomDomains', 400, 'Too many user domains configured'],
  ['TemporaryRedirect', 307, 'Redirected to the bucket while DNS updates'],
  ['TooManyBuckets', 400, 'Bucket count reached the limit on create'],
  ['TooManyObjectCopied', 400, 'Copies of a single object exceed the limit'],
  ['TooManyWrongSignature', 400, 'Denied because of frequent erroneous requests'],
  ['UnexpectedContent', 400, 'Request doesn\'t support a body/content'],
  ['UnresolvableGrantByEmailAddress', 400, 'E-mail matches no account'],
  ['UserKeyMustBeSpecified', 400, 'Request lacks the user\'s AK'],
  ['WebsiteRedirect', 301, 'Website request lacks bucketName'],
  ['KMS.DisabledException', 400, 'SSE-KMS: master key disabled'],
  ['KMS.NotFoundException', 400, 'SSE-KMS: master key doesn\'t exist'],
  ['RestoreAlreadyInProgress', 409, 'Object is being restored; request conflict'],
  ['ObjectHasAlreadyRestored', 409, 'Already restored; shortening the restore retention is forbidden'],
  ['InvalidObjectState', 403, 'Object to restore is not an archive (COLD) object'],
  ['InvalidTagError', 400, 'Invalid Tag in bucket tagging'],
  ['NoSuchTagSet', 404, 'Bucket has no tags'],
  ['AppendTooLarge', 400, 'The object length after appending exceeds the limit.'],
  ['PositionNotEqualToLength', 409, 'Position is not equal to the length of the object.'],
  ['ObjectNotAppendable', 409, 'The object is not appendable.'],
];

const BY_CODE = new Map(OBS_ERRORS.map(([code, status, message]) => [code, { status, message }]));

/** Neutral codes OBS names differently; the rest keep their name. */
const RENAMED: Partial<Record<ErrorCode, string>> = {
  AuthorizationHeaderMalformed: 'AccessDenied',
  AuthorizationQueryParametersError: 'AccessDenied',
  ConditionalRequestConflict: 'OperationAborted',
  ExpiredToken: 'InvalidSecurity',
  InvalidToken: 'InvalidSecurity',
  InvalidObjectName: 'InvalidURI',
  InvalidPartNumber: 'InvalidRange',
  InvalidTag: 'InvalidTagError',
  KeyTooLongError: 'KeyTooLong',
  MaxPostPreDataLengthExceeded: 'MaxPostPreDataLengthExceededError',
  QuotaExceeded: 'InsufficientStorageSpace',
  XAmzContentSHA256Mismatch: 'BadDigest',
};

/**
 * A neutral error in OBS's words: the table's code and status; the table's
 * message unless the engine said something more specific than its default.
 */
export function obsError(code: ErrorCode, message: string, status: number): WireError {
  const name = RENAMED[code] ?? code;
  const row = BY_CODE.get(name);
  if (!row) return { code: name, status, message };
  const generic = message === code || message === DEFAULT_MESSAGE[code];
  return { code: name, status: row.status, message: generic ? row.message : message };
}
