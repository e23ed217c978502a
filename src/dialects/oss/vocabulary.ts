import { wireStorageClass, type Vocabulary, type WireError } from '../../api/vocabulary.js';
import { DEFAULT_MESSAGE, type ErrorCode } from '../../engine/errors.js';
import type { ObjectRecord } from '../../meta/types.js';
import { objectAclExtraFromRequest } from './acl.js';
import { ossRange } from './range.js';

/** OSS's storage classes; the first is the default. */
export const OSS_STORAGE_CLASSES = ['Standard', 'IA', 'Archive', 'ColdArchive', 'DeepColdArchive'] as const;
/** Neutral (S3) name -> OSS's, where S3 has the class (DeepColdArchive is OSS's alone). */
const STORAGE_CLASS_NAMES: Record<string, string> = {
  STANDARD: 'Standard',
  STANDARD_IA: 'IA',
  GLACIER: 'Archive',
  DEEP_ARCHIVE: 'ColdArchive',
};

interface OssError {
  code?: string;
  status?: number;
  /** Replaces the neutral default message (a specific message given by the engine is kept). */
  message?: string;
  /** OSS's error-centre code, where it is known. */
  ec?: string;
}

/**
 * How OSS names each neutral error: code, status, message and EC. Codes
 * OSS shares with S3 keep their status; OSS's wording replaces S3's
 * default messages. Absent entries pass through unchanged.
 */
export const OSS_ERRORS: Partial<Record<ErrorCode, OssError>> = {
  AuthorizationHeaderMalformed: { code: 'InvalidArgument', status: 400 },
  AuthorizationQueryParametersError: { code: 'InvalidArgument', status: 400 },
  BadDigest: { code: 'InvalidDigest', message: 'The Content-MD5 you specified did not match what we received.' },
  BucketAlreadyExists: { message: 'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.' },
  // OSS answers a re-create of one's own bucket with BucketAlreadyExists too.
  BucketAlreadyOwnedByYou: { code: 'BucketAlreadyExists', message: 'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.' },
  BucketNotEmpty: { message: 'The bucket has objects. Please delete them first.' },
  EntityTooLarge: { message: 'Your proposed upload exceeds the maximum allowed size.' },
  EntityTooSmall: { message: 'Your proposed upload smaller than the minimum allowed size.' },
  ExpiredToken: { code: 'SecurityTokenExpired', status: 403, message: 'The security token you provided has expired.' },
  InvalidToken: { code: 'InvalidSecurityToken', status: 403, message: 'The security token you provided is invalid.' },
  IncompleteBody: { message: 'You did not provide the number of bytes specified by the Content-Length HTTP header.' },
  InternalError: { message: 'We encountered an internal error. Please try again.' },
  InvalidAccessKeyId: { message: 'The OSS Access Key Id you provided does not exist in our records.' },
  InvalidBucketName: { message: 'The specified bucket is not valid.' },
  InvalidDigest: { message: 'The Content-MD5 you specified was invalid.' },
  InvalidObjectName: { message: 'The specified object is not valid.' },
  InvalidPart: { message: "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag." },
  InvalidPartOrder: { message: 'The list of parts was not in ascending order. The parts list must be specified in order by part number.' },
  InvalidPartNumber: { code: 'InvalidArgument', status: 400, message: 'The part number is not valid.' },
  InvalidRange: { message: 'The requested range cannot be satisfied' },
  InvalidStorageClass: { code: 'InvalidArgument', message: 'The storage class you specified is not valid.' },
  KeyTooLongError: { code: 'InvalidObjectName', message: 'The Length of Object name must be less than 1024.' },
  MalformedXML: { message: 'The XML you provided was not well-formed or did not validate against our published schema.' },
  MetadataTooLarge: { code: 'InvalidArgument', message: 'The total size of user metadata exceeds the limit of 8 KB.' },
  MethodNotAllowed: { message: 'The specified method is not allowed against this resource.' },
  MissingContentLength: { message: 'You must provide the Content-Length HTTP header.' },
  MissingSecurityHeader: { code: 'InvalidArgument' },
  NoSuchBucket: { message: 'The specified bucket does not exist.', ec: '0015-00000101' },
  NoSuchKey: { message: 'The specified key does not exist.', ec: '0026-00000001' },
  NoSuchLifecycleConfiguration: { code: 'NoSuchLifecycle', message: 'No Row found in Lifecycle Table.' },
  NoSuchUpload: { message: 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.' },
  NoSuchVersion: { message: 'The specified version does not exist.' },
  NotImplemented: { message: 'A header you provided implies functionality that is not implemented.' },
  PreconditionFailed: { message: 'At least one of the pre-conditions you specified did not hold.' },
  RequestTimeout: { message: 'Your socket connection to the server was not read from or written to within the timeout period.' },
  RequestTimeTooSkewed: { message: 'The difference between the request time and the current time is too large.' },
  SignatureDoesNotMatch: { message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' },
  XAmzContentSHA256Mismatch: { code: 'InvalidArgument', message: "The provided 'x-oss-content-sha256' header does not match what was computed." },
  MaxPostPreDataLengthExceeded: { ec: '0006-00000112' },
  PositionNotEqualToLength: { message: 'Position is not equal to file length' },
  ObjectNotAppendable: { message: 'The operation is not valid for the object type.' },
  InvalidTargetType: { message: 'The symbolic\'s target file type is invalid' },
  NotSymlink: { message: 'The specified object is not a symlink.', ec: '0043-00000101' },
  NoSuchCORSConfiguration: { message: 'The CORS Configuration does not exist.' },
  NoSuchWebsiteConfiguration: { message: 'The specified bucket does not have a website configuration.' },
};

export function ossError(code: ErrorCode, message: string, status: number): WireError {
  const e = OSS_ERRORS[code];
  if (!e) return { status, code, message };
  const useOwn = e.message !== undefined && (message === DEFAULT_MESSAGE[code] || message === code);
  return {
    status: e.status ?? status,
    code: e.code ?? code,
    message: useOwn ? e.message! : message,
    fields: e.ec ? { EC: e.ec } : undefined,
  };
}

/** OSS names every object's type, storage class and CRC-64 on GET and HEAD. */
function objectHeaders(o: ObjectRecord): Record<string, string> {
  const h: Record<string, string> = { 'x-oss-object-type': o.objectType };
  h['x-oss-storage-class'] = wireStorageClass(ossVocabulary, o.storageClass);
  if (o.checksums.crc64ecma !== undefined) h['x-oss-hash-crc64ecma'] = o.checksums.crc64ecma;
  if (o.objectType === 'Appendable') h['x-oss-next-append-position'] = String(o.size);
  return h;
}

export const ossVocabulary: Vocabulary = {
  dialect: 'oss',
  prefix: 'x-oss-',
  metaPrefix: 'x-oss-meta-',
  // OSS answers without an XML namespace.
  xmlns: undefined,
  maxMetaBytes: 8 * 1024,
  storageClasses: OSS_STORAGE_CLASSES,
  storageClassNames: STORAGE_CLASS_NAMES,
  error: ossError,
  defaultContentType: 'application/octet-stream',
  minPartSize: 100 * 1024,
  listingTypeAndNextMarker: true,
  copySourceNotModified: true,
  // DeleteBucket answers 409 BucketNotEmpty for objects or parts of unfinished multipart uploads
  // (OSS docs, "HTTP status code 409": BucketNotEmpty).
  uploadsBlockBucketDelete: true,
  writeChecksumHeaders: (checksums): Record<string, string> => (checksums.crc64ecma !== undefined ? { 'x-oss-hash-crc64ecma': checksums.crc64ecma } : {}),
  objectHeaders,
  parseRange: (header, size, http) => ossRange(header, size, http.header('x-oss-range-behavior') === 'standard'),
  errorHeaders(_wire, xml, head) {
    // OSS names the error centre code in x-oss-ec, and since a HEAD answer has no body, gives the whole error there in x-oss-err.
    const h: Record<string, string> = {};
    const ec = /<EC>([^<]*)<\/EC>/.exec(xml)?.[1];
    if (ec) h['x-oss-ec'] = ec;
    if (head) h['x-oss-err'] = Buffer.from(xml, 'utf8').toString('base64');
    return h;
  },
  extraFromRequest: objectAclExtraFromRequest,
};
