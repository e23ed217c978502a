/**
 * One server access log record, the facts of one request to a logged
 * bucket, and the formats it is written in: S3's server access log
 * (`s3LogLine`, also OBS's, whose documented record starts with the same
 * fields in the same order) and OSS's (`ossLogLine`). Which one a bucket's
 * log gets is decided when its logging is configured (engine/access-log.ts
 * `LoggingConfig.format`), so a log object never mixes formats.
 */
export interface AccessRecord {
  bucketOwner: string;
  bucket: string;
  time: number;
  remoteIp: string;
  /** The signer's account id; undefined when anonymous. */
  requester?: string;
  /** The access key id the request was signed with. */
  accessKeyId?: string;
  requestId: string;
  method: string;
  /** Query parameter names (sub-resources name the operation). */
  params: readonly string[];
  /** A PUT carrying a copy source (CopyObject, UploadPartCopy). */
  copy: boolean;
  key?: string;
  requestUri: string;
  status: number;
  errorCode?: string;
  bytesSent?: number;
  objectSize?: number;
  /** The request's size: its request line, headers and declared body. */
  requestLength?: number;
  /** The object's storage class, as the answer reported it. */
  storageClass?: string;
  totalMs: number;
  referer?: string;
  userAgent?: string;
  versionId?: string;
  hostId: string;
  sigVersion?: string;
  authType?: string;
  host?: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** `[06/Feb/2019:00:00:38 +0000]` */
export function logTime(ms: number): string {
  const d = new Date(ms);
  return `[${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000]`;
}

const dash = (v: string | number | undefined) => (v === undefined || v === '' ? '-' : String(v));
/** Quoted fields escape what would end them; no field may hold a line break. */
const quoted = (v: string | undefined) => (v === undefined ? '"-"' : `"${v.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\r\n]/g, ' ')}"`);
const encodeKey = (k: string) => encodeURIComponent(k).replace(/%2F/g, '/');

/**
 * S3's server access log record, its documented fields in order: bucket
 * owner, bucket, [time], remote IP, requester, request ID, operation, key,
 * "request-URI", status, error code, bytes sent, object size, total time,
 * turn-around time, "referer", "user-agent", version id, host id, signature
 * version, cipher suite, authentication type, host header, TLS version,
 * access point ARN, ACL required (26 fields). Unknown fields are `-`.
 */
export function s3LogLine(r: AccessRecord): string {
  return [
    r.bucketOwner,
    r.bucket,
    logTime(r.time),
    dash(r.remoteIp),
    dash(r.requester),
    r.requestId,
    operationName(r.method, r.params, r.bucket, r.key),
    r.key === undefined ? '-' : encodeKey(r.key),
    quoted(r.requestUri),
    r.status,
    dash(r.errorCode),
    dash(r.bytesSent),
    dash(r.objectSize),
    r.totalMs,
    '-',
    quoted(r.referer),
    quoted(r.userAgent),
    dash(r.versionId),
    r.hostId,
    dash(r.sigVersion),
    '-',
    dash(r.authType),
    dash(r.host),
    '-',
    '-',
    '-',
  ].join(' ');
}

/** Sub-resources that name an operation (`REST.GET.VERSIONING`); otherwise OBJECT or BUCKET. */
const SUBS = ['acl', 'tagging', 'uploads', 'uploadId', 'versioning', 'versions', 'lifecycle', 'logging', 'location', 'restore', 'attributes', 'append', 'symlink', 'delete', 'policy', 'cors', 'website'];

export function operationName(method: string, params: readonly string[], bucket: string | undefined, key: string | undefined): string {
  const sub = SUBS.find((s) => params.includes(s));
  const type = sub === 'uploadId' ? (method === 'PUT' ? 'PART' : 'UPLOAD') : sub ? sub.toUpperCase() : key !== undefined ? 'OBJECT' : bucket ? 'BUCKET' : 'SERVICE';
  return `REST.${method}.${type}`;
}

/**
 * OSS's access log record (its "Logging" guide), fields in order, separated
 * by spaces: Remote IP, two reserved `-`, [Time], "Request-URI", HTTP
 * Status, SentBytes, RequestTime (ms), "Referer", "User-Agent", "HostName",
 * "Request ID", "LoggingFlag", "Requester Aliyun ID", "Operation",
 * "Bucket", "Key", ObjectSize, Server Cost Time (ms), "Error Code", Request
 * Length, "UserID" (the bucket owner), Delta DataSize, "Sync Request",
 * "StorageClass", "TargetStorageClass", "TransmissionAccelerationAccessPoint",
 * "AccessKeyId" (28 fields; OSS may append more, so readers take a prefix).
 * Unknown fields are `-` (quoted where the field is). Times are UTC.
 */
export function ossLogLine(r: AccessRecord): string {
  return [
    dash(r.remoteIp),
    '-',
    '-',
    logTime(r.time),
    quoted(r.requestUri),
    r.status,
    dash(r.bytesSent),
    r.totalMs,
    quoted(r.referer),
    quoted(r.userAgent),
    quoted(r.host),
    quoted(r.requestId),
    quoted('true'),
    quoted(r.requester),
    quoted(ossOperationName(r.method, r.params, r.copy, r.bucket, r.key)),
    quoted(r.bucket),
    quoted(r.key === undefined ? undefined : encodeKey(r.key)),
    dash(r.objectSize),
    r.totalMs,
    quoted(r.errorCode),
    dash(r.requestLength),
    quoted(r.bucketOwner),
    '-',
    quoted(undefined),
    quoted(r.storageClass),
    quoted(undefined),
    quoted(undefined),
    quoted(r.accessKeyId),
  ].join(' ');
}

const VERB: Record<string, string> = { GET: 'Get', PUT: 'Put', DELETE: 'Delete', POST: 'Post', HEAD: 'Head' };

/** Bucket sub-resources and the name OSS gives the configuration (`GetBucketReferer`, `PutBucketTags`). */
const OSS_BUCKET_SUBS: [string, string][] = [
  ['acl', 'Acl'],
  ['logging', 'Logging'],
  ['lifecycle', 'Lifecycle'],
  ['referer', 'Referer'],
  ['cors', 'Cors'],
  ['website', 'Website'],
  ['location', 'Location'],
  ['bucketInfo', 'Info'],
  ['stat', 'Stat'],
  ['tagging', 'Tags'],
  ['versioning', 'Versioning'],
  ['versions', 'Versions'],
  ['policy', 'Policy'],
  ['storageCapacity', 'StorageCapacity'],
];

/** Object sub-resources and OSS's operation name per method. */
const OSS_OBJECT_SUBS: [string, Record<string, string>][] = [
  ['uploadId', { PUT: 'UploadPart', POST: 'CompleteMultipartUpload', GET: 'ListParts', DELETE: 'AbortMultipartUpload' }],
  ['uploads', { POST: 'InitiateMultipartUpload' }],
  ['acl', { GET: 'GetObjectAcl', PUT: 'PutObjectAcl' }],
  ['tagging', { GET: 'GetObjectTagging', PUT: 'PutObjectTagging', DELETE: 'DeleteObjectTagging' }],
  ['symlink', { GET: 'GetSymlink', PUT: 'PutSymlink' }],
  ['append', { POST: 'AppendObject' }],
  ['restore', { POST: 'RestoreObject' }],
  ['objectMeta', { GET: 'GetObjectMeta', HEAD: 'GetObjectMeta' }],
];

/** The OSS API name of a request (`GetObject`, `PutBucketLogging`, `InitiateMultipartUpload`), as OSS logs the Operation. */
export function ossOperationName(method: string, params: readonly string[], copy: boolean, bucket: string | undefined, key: string | undefined): string {
  const verb = VERB[method] ?? method;
  if (!bucket) return method === 'GET' ? 'GetService' : `${verb}Service`;
  if (key === undefined) {
    if (params.includes('delete') && method === 'POST') return 'DeleteMultipleObjects';
    if (params.includes('uploads')) return 'ListMultipartUploads';
    const sub = OSS_BUCKET_SUBS.find(([p]) => params.includes(p));
    if (sub) return `${verb}Bucket${sub[1]}`;
    if (method === 'POST') return 'PostObject';
    return `${verb}Bucket`;
  }
  for (const [p, names] of OSS_OBJECT_SUBS) {
    if (!params.includes(p)) continue;
    const name = names[method];
    if (name) return name === 'UploadPart' && copy ? 'UploadPartCopy' : name;
  }
  if (method === 'PUT' && copy) return 'CopyObject';
  return `${verb}Object`;
}
