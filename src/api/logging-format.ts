/**
 * One S3 server access log record, in S3's documented field order:
 * bucket owner, bucket, [time], remote IP, requester, request ID, operation,
 * key, "request-URI", status, error code, bytes sent, object size, total
 * time, turn-around time, "referer", "user-agent", version id, host id,
 * signature version, cipher suite, authentication type, host header, TLS
 * version, access point ARN, ACL required (26 fields). Unknown fields are `-`.
 */
export interface AccessRecord {
  bucketOwner: string;
  bucket: string;
  time: number;
  remoteIp: string;
  requester: string;
  requestId: string;
  operation: string;
  key?: string;
  requestUri: string;
  status: number;
  errorCode?: string;
  bytesSent?: number;
  objectSize?: number;
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

export function s3LogLine(r: AccessRecord): string {
  return [
    r.bucketOwner,
    r.bucket,
    logTime(r.time),
    dash(r.remoteIp),
    dash(r.requester),
    r.requestId,
    r.operation,
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

export function operationName(method: string, query: Map<string, string>, bucket: string | undefined, key: string | undefined): string {
  const sub = SUBS.find((s) => query.has(s));
  const type = sub === 'uploadId' ? (method === 'PUT' ? 'PART' : 'UPLOAD') : sub ? sub.toUpperCase() : key !== undefined ? 'OBJECT' : bucket ? 'BUCKET' : 'SERVICE';
  return `REST.${method}.${type}`;
}
