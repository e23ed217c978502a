/** Where blob data lives: the data directory's files, or a bucket of an S3-compatible system. */
export type BlobLocation =
  | { kind: 'fs' }
  | {
      kind: 's3';
      bucket: string;
      /** '' or ending in '/': every object Stratus writes is under it. */
      prefix: string;
      /** http(s)://host[:port] of the other system. */
      endpoint: string;
      accessKey: string;
      secretKey: string;
      /** The region requests are signed for. */
      region: string;
      /** A backend request with no byte moving either way for this long fails (503 to the client). */
      timeoutMs: number;
    };

export const DEFAULT_BLOB_REGION = 'us-east-1';
export const DEFAULT_BLOB_TIMEOUT_MS = 30_000;

/**
 * `--blob` and its companions: `fs` (or nothing) is the data directory;
 * `s3://bucket[/prefix]` needs an endpoint and a key pair.
 */
export function parseBlobLocation(o: {
  blob?: string;
  endpoint?: string;
  accessKey?: string;
  secretKey?: string;
  region?: string;
  timeoutMs?: number;
}): BlobLocation {
  const spec = o.blob?.trim() ?? '';
  if (spec === '' || spec === 'fs') {
    if (o.endpoint !== undefined) throw new Error('--blob-endpoint is for --blob s3://bucket/prefix');
    return { kind: 'fs' };
  }
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(spec);
  if (!m) throw new Error(`invalid blob location "${spec}": expected fs or s3://bucket/prefix`);
  const bucket = m[1]!;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/.test(bucket)) throw new Error(`invalid blob bucket "${bucket}"`);
  const raw = (m[2] ?? '').replace(/^\/+/, '');
  const prefix = raw === '' || raw.endsWith('/') ? raw : raw + '/';
  if (!o.endpoint) throw new Error(`--blob ${spec} needs --blob-endpoint (the other system's URL)`);
  let url: URL;
  try {
    url = new URL(o.endpoint);
  } catch {
    throw new Error(`invalid blob endpoint "${o.endpoint}"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || (url.pathname !== '/' && url.pathname !== '') || url.search)
    throw new Error(`invalid blob endpoint "${o.endpoint}": expected http(s)://host[:port]`);
  if (!o.accessKey || !o.secretKey) throw new Error(`--blob ${spec} needs --blob-access-key and --blob-secret-key`);
  return {
    kind: 's3',
    bucket,
    prefix,
    endpoint: url.origin,
    accessKey: o.accessKey,
    secretKey: o.secretKey,
    region: o.region || DEFAULT_BLOB_REGION,
    timeoutMs: o.timeoutMs ?? DEFAULT_BLOB_TIMEOUT_MS,
  };
}

/** The location without its secret, for logs and the start-up line. */
export function describeBlobLocation(l: BlobLocation): string {
  return l.kind === 'fs' ? 'files in the data directory' : `s3://${l.bucket}/${l.prefix} at ${l.endpoint}`;
}
