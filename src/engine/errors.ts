/**
 * Dialect-neutral errors. The engine, the stores and the signing module throw
 * StorageError with one of these codes; each dialect maps a code to its own
 * wire form (status, code string, message). S3's names are used as the neutral
 * vocabulary because every other dialect defines most of the same ones.
 */
export type ErrorCode =
  | 'AccessDenied'
  | 'AuthorizationHeaderMalformed'
  | 'AuthorizationQueryParametersError'
  | 'BadDigest'
  | 'BucketAlreadyExists'
  | 'BucketAlreadyOwnedByYou'
  | 'BucketNotEmpty'
  | 'ConditionalRequestConflict'
  | 'EntityTooLarge'
  | 'EntityTooSmall'
  | 'ExpiredToken'
  | 'IncompleteBody'
  | 'InternalError'
  | 'InvalidAccessKeyId'
  | 'InvalidArgument'
  | 'InvalidBucketName'
  | 'InvalidDigest'
  | 'InvalidObjectName'
  | 'InvalidPart'
  | 'InvalidPartOrder'
  | 'InvalidPartNumber'
  | 'InvalidRange'
  | 'InvalidRequest'
  | 'InvalidStorageClass'
  | 'InvalidLocationConstraint'
  | 'KeyTooLongError'
  | 'MalformedXML'
  | 'MalformedACLError'
  | 'MetadataTooLarge'
  | 'MethodNotAllowed'
  | 'MissingContentLength'
  | 'MissingSecurityHeader'
  | 'NoSuchBucket'
  | 'NoSuchKey'
  | 'NoSuchUpload'
  | 'NoSuchVersion'
  | 'NotImplemented'
  | 'NotModified'
  | 'PreconditionFailed'
  | 'RequestTimeout'
  | 'RequestTimeTooSkewed'
  | 'SignatureDoesNotMatch'
  | 'ServiceUnavailable'
  | 'XAmzContentSHA256Mismatch'
  | 'InvalidTag'
  | 'NoSuchTagSet'
  | 'QuotaExceeded'
  | 'PositionNotEqualToLength'
  | 'ObjectNotAppendable'
  | 'IllegalVersioningConfigurationException'
  | 'BadRequest'
  | 'AppendTooLarge'
  | 'InvalidTargetType'
  | 'InvalidToken'
  | 'NotSymlink'
  | 'NoSuchFolder'
  | 'FolderNotEmpty'
  | 'MalformedPOSTRequest'
  | 'MaxPostPreDataLengthExceeded'
  | 'InvalidPolicyDocument'
  | 'UnresolvableGrantByEmailAddress'
  | 'AccessForbidden'
  | 'NoSuchCORSConfiguration'
  | 'NoSuchWebsiteConfiguration'
  // access control (src/authz)
  | 'MalformedPolicy'
  | 'NoSuchBucketPolicy'
  | 'NoSuchPublicAccessBlockConfiguration'
  | 'OwnershipControlsNotFoundError'
  | 'AccessControlListNotSupported'
  | 'InvalidBucketAclWithObjectOwnership'
  // background work (issue 14)
  | 'NoSuchLifecycleConfiguration'
  | 'InvalidObjectState'
  | 'RestoreAlreadyInProgress'
  | 'InvalidTargetBucketForLogging';

/** Default HTTP status for each neutral code (S3's). Dialects may override. */
export const DEFAULT_STATUS: Record<ErrorCode, number> = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  BucketAlreadyExists: 409,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  ConditionalRequestConflict: 409,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  ExpiredToken: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidObjectName: 400,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  InvalidPartNumber: 416,
  InvalidRange: 416,
  InvalidRequest: 400,
  InvalidStorageClass: 400,
  InvalidLocationConstraint: 400,
  KeyTooLongError: 400,
  MalformedXML: 400,
  MalformedACLError: 400,
  UnresolvableGrantByEmailAddress: 400,
  MetadataTooLarge: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  MissingSecurityHeader: 400,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NoSuchVersion: 404,
  NotImplemented: 501,
  NotModified: 304,
  PreconditionFailed: 412,
  RequestTimeout: 400,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  ServiceUnavailable: 503,
  XAmzContentSHA256Mismatch: 400,
  InvalidTag: 400,
  NoSuchTagSet: 404,
  QuotaExceeded: 403,
  PositionNotEqualToLength: 409,
  ObjectNotAppendable: 409,
  IllegalVersioningConfigurationException: 400,
  BadRequest: 400,
  AppendTooLarge: 400,
  InvalidTargetType: 400,
  InvalidToken: 400,
  NotSymlink: 400,
  NoSuchFolder: 404,
  FolderNotEmpty: 409,
  MalformedPOSTRequest: 400,
  MaxPostPreDataLengthExceeded: 400,
  InvalidPolicyDocument: 400,
  AccessForbidden: 403,
  NoSuchCORSConfiguration: 404,
  NoSuchWebsiteConfiguration: 404,
  MalformedPolicy: 400,
  NoSuchBucketPolicy: 404,
  NoSuchPublicAccessBlockConfiguration: 404,
  OwnershipControlsNotFoundError: 404,
  AccessControlListNotSupported: 400,
  InvalidBucketAclWithObjectOwnership: 400,
  NoSuchLifecycleConfiguration: 404,
  InvalidObjectState: 403,
  RestoreAlreadyInProgress: 409,
  InvalidTargetBucketForLogging: 400,
};

/** Default English messages (S3's wording where S3 has one). */
export const DEFAULT_MESSAGE: Partial<Record<ErrorCode, string>> = {
  AccessDenied: 'Access Denied',
  BadDigest: 'The Content-MD5 you specified did not match what we received.',
  BucketAlreadyExists:
    'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
  BucketAlreadyOwnedByYou: 'Your previous request to create the named bucket succeeded and you already own it.',
  BucketNotEmpty: 'The bucket you tried to delete is not empty',
  EntityTooLarge: 'Your proposed upload exceeds the maximum allowed size',
  EntityTooSmall: 'Your proposed upload is smaller than the minimum allowed object size.',
  IncompleteBody: 'You did not provide the number of bytes specified by the Content-Length HTTP header',
  InternalError: 'We encountered an internal error. Please try again.',
  InvalidAccessKeyId: 'The AWS Access Key Id you provided does not exist in our records.',
  InvalidBucketName: 'The specified bucket is not valid.',
  InvalidDigest: 'The Content-MD5 you specified was invalid.',
  InvalidPart:
    'One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.',
  InvalidPartOrder: 'The list of parts was not in ascending order. Parts must be ordered by part number.',
  InvalidRange: 'The requested range is not satisfiable',
  InvalidPartNumber: 'The requested partnumber is not satisfiable',
  KeyTooLongError: 'Your key is too long',
  MalformedXML: 'The XML you provided was not well-formed or did not validate against our published schema',
  MalformedACLError: 'The XML you provided was not well-formed or did not validate against our published schema',
  UnresolvableGrantByEmailAddress: 'The e-mail address you provided does not match any account on record.',
  MetadataTooLarge: 'Your metadata headers exceed the maximum allowed metadata size',
  MethodNotAllowed: 'The specified method is not allowed against this resource.',
  MissingContentLength: 'You must provide the Content-Length HTTP header.',
  NoSuchBucket: 'The specified bucket does not exist',
  NoSuchKey: 'The specified key does not exist.',
  NoSuchUpload:
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
  NoSuchVersion: 'The specified version does not exist.',
  NotImplemented: 'A header you provided implies functionality that is not implemented',
  PreconditionFailed: 'At least one of the pre-conditions you specified did not hold',
  RequestTimeout: 'Your socket connection to the server was not read from or written to within the timeout period.',
  RequestTimeTooSkewed: "The difference between the request time and the server's time is too large.",
  SignatureDoesNotMatch:
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  ServiceUnavailable: 'Please reduce your request rate.',
  XAmzContentSHA256Mismatch: "The provided 'x-amz-content-sha256' header does not match what was computed.",
  NoSuchTagSet: 'The TagSet does not exist',
  ConditionalRequestConflict: 'The conditional request cannot succeed due to a conflicting operation against this resource.',
  InvalidTag: 'The tag provided was not a valid tag.',
  IllegalVersioningConfigurationException: 'The Versioning element must be specified',
  AppendTooLarge: 'The object would exceed the largest size an appendable object may have',
  ExpiredToken: 'The provided token has expired.',
  InvalidToken: 'The provided token is malformed or otherwise invalid.',
  InvalidTargetType: 'The target of a symlink cannot be a symlink.',
  NotSymlink: 'The specified object is not a symlink.',
  NoSuchFolder: 'The specified folder does not exist',
  FolderNotEmpty: 'The folder you tried to delete is not empty',
  MalformedPOSTRequest: 'The body of your POST request is not well-formed multipart/form-data.',
  MaxPostPreDataLengthExceeded: 'Your POST request fields preceding the upload file were too large.',
  InvalidPolicyDocument: 'Invalid Policy: Invalid JSON.',
  NoSuchCORSConfiguration: 'The CORS configuration does not exist',
  NoSuchWebsiteConfiguration: 'The specified bucket does not have a website configuration',
  MalformedPolicy: 'Policies must be valid JSON and the first byte must be \'{\'',
  NoSuchBucketPolicy: 'The bucket policy does not exist',
  NoSuchPublicAccessBlockConfiguration: 'The public access block configuration was not found',
  OwnershipControlsNotFoundError: 'The bucket ownership controls were not found',
  AccessControlListNotSupported: 'The bucket does not allow ACLs',
  InvalidBucketAclWithObjectOwnership: 'Bucket cannot have ACLs set with ObjectOwnership\'s BucketOwnerEnforced setting',
  NoSuchLifecycleConfiguration: 'The lifecycle configuration does not exist',
  InvalidObjectState: 'The operation is not valid for the object\'s storage class',
  RestoreAlreadyInProgress: 'Object restore is already in progress',
  InvalidTargetBucketForLogging: 'The target bucket for logging does not exist',
};

export class StorageError extends Error {
  readonly code: ErrorCode;
  /** Extra fields some dialects put in the error body (e.g. StringToSign, Key, BucketName). */
  readonly detail: Record<string, string>;
  /** Extra response headers (e.g. next append position). */
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message?: string, detail: Record<string, string> = {}, headers: Record<string, string> = {}) {
    super(message ?? DEFAULT_MESSAGE[code] ?? code);
    this.name = 'StorageError';
    this.code = code;
    this.detail = detail;
    this.headers = headers;
  }

  get status(): number {
    return DEFAULT_STATUS[this.code];
  }
}

export function isStorageError(e: unknown): e is StorageError {
  return e instanceof StorageError;
}
