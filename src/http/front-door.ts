import { resolveAddress } from './addressing.js';
import type { HttpContext } from './context.js';

export type DialectName = 's3' | 'oss' | 'obs' | 'cos';

/** Sub-resources only OBS has (S3 has none of these names). */
const OBS_ONLY_SUBRESOURCES = ['storageinfo', 'quota', 'storagePolicy', 'storageClass', 'append', 'metadata', 'apiversion'];

/**
 * An AWS-V2-signed request that is OBS's "AWS-compatible mode" (the OBS
 * SDKs' `signature: 'v2'`, and what they always use against an IP or with
 * path-style addressing) rather than S3's V2: it names an OBS-only
 * sub-resource, carries an OBS header (`x-obs-*`, `x-default-storage-class`),
 * or comes from an OBS SDK (User-Agent `obs-sdk-*`). The last criterion is
 * needed because plain operations look identical in both protocols yet OBS
 * answers them with OBS's limits (100 KB parts) and headers (bucket metadata,
 * append positions) that the SDK reads. Everything else V2-signed stays S3.
 */
function obsInAwsMode(ctx: HttpContext): boolean {
  const q = ctx.query;
  if (OBS_ONLY_SUBRESOURCES.some((s) => q.has(s))) return true;
  if ((ctx.header('user-agent') ?? '').toLowerCase().startsWith('obs-sdk-')) return true;
  for (const name of Object.keys(ctx.req.headers)) if (name.startsWith('x-obs-') || name === 'x-default-storage-class') return true;
  return false;
}

/**
 * The dialect a request names by itself: its signature scheme, a dialect's
 * headers, a COS path or download address. Undefined for an unsigned request
 * that names none (answered by host or by bucket, see chooseDialect).
 */
export function markedDialect(ctx: HttpContext, cosDownload?: { domain: string; path: string }): DialectName | undefined {
  if (ctx.rawPath.startsWith('/files/v2/')) return 'cos';
  const auth = ctx.header('authorization') ?? '';
  if (auth.startsWith('OSS ') || auth.startsWith('OSS2 ') || auth.startsWith('OSS4-HMAC-SHA256')) return 'oss';
  if (auth.startsWith('OBS ')) return 'obs';
  if (auth.startsWith('AWS ') && obsInAwsMode(ctx)) return 'obs';
  if (auth.startsWith('AWS4-HMAC-SHA256') || auth.startsWith('AWS ')) return 's3';
  const q = ctx.query;
  if (q.has('OSSAccessKeyId') || q.has('x-oss-signature-version') || q.has('x-oss-credential') || q.has('x-oss-access-key-id')) return 'oss';
  if (!auth && q.has('AWSAccessKeyId') && obsInAwsMode(ctx)) return 'obs';
  if (q.has('X-Amz-Algorithm') || q.has('X-Amz-Credential') || q.has('X-Amz-Signature') || q.has('AWSAccessKeyId')) return 's3';
  if (q.has('AccessKeyId') && q.has('Signature')) return 'obs';
  // The OBS SDKs' unsigned signature-negotiation probe.
  if (!auth && ctx.method === 'HEAD' && q.has('apiversion')) return 'obs';
  for (const name of Object.keys(ctx.req.headers)) {
    if (name.startsWith('x-oss-')) return 'oss';
    if (name.startsWith('x-obs-')) return 'obs';
  }
  // COS downloads carry no other dialect's signature: checked last, so such requests keep their dialect.
  if (cosDownload && isCosDownload(ctx, cosDownload)) return 'cos';
  // Any other Authorization header is S3's to verify or refuse: a malformed one is never anonymous.
  return ctx.header('authorization') !== undefined ? 's3' : undefined;
}

/**
 * The one place that decides which protocol a request speaks, as far as the
 * request itself tells (tests and callers without a server): unmarked
 * requests are S3's here.
 */
export function pickDialect(ctx: HttpContext, cosDownload?: { domain: string; path: string }): DialectName {
  return markedDialect(ctx, cosDownload) ?? 's3';
}

/** Host names each XML dialect answers unmarked requests on: `<domain>` and `<bucket>.<domain>`. */
export type DialectDomains = Partial<Record<'s3' | 'oss' | 'obs', string[]>>;

/** OSS's public endpoint names (`[bucket.]oss-<region>[-internal].aliyuncs.com`) are OSS's whatever the configuration. */
const OSS_ENDPOINT = /(^|\.)oss-[a-z0-9-]+\.aliyuncs\.com$/;

/** The dialect whose configured domains the request's Host falls under. */
export function dialectOfHost(host: string | undefined, domains: DialectDomains): DialectName | undefined {
  const name = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  if (!name) return undefined;
  for (const d of ['oss', 'obs', 's3'] as const) {
    if ((domains[d] ?? []).some((dom) => name === dom || name.endsWith('.' + dom))) return d;
  }
  return OSS_ENDPOINT.test(name) ? 'oss' : undefined;
}

/** The bucket a request names (path style, or virtual-hosted under `domains`); undefined for none or a malformed path. */
export function bucketNamed(ctx: HttpContext, domains: string[]): string | undefined {
  try {
    return resolveAddress(ctx.header('host'), ctx.rawPath, domains).bucket;
  } catch {
    return undefined; // a malformed path is the dialect's to refuse
  }
}

/**
 * Which dialect answers: the one the request names (signature, headers, COS
 * address); for an unsigned request naming none, the dialect whose domains
 * its Host is under, else the dialect that created the bucket it names
 * (`bucketDialect`, a bucket setting: oss2's AnonymousAuth sends nothing
 * OSS-specific), else S3. Signed requests never wait on a lookup.
 */
export async function chooseDialect(
  ctx: HttpContext,
  opts: { cosDownload?: { domain: string; path: string }; dialectDomains?: DialectDomains; bucketOf(ctx: HttpContext): string | undefined },
  bucketDialect: (bucket: string) => Promise<DialectName | undefined>,
): Promise<DialectName> {
  const marked = markedDialect(ctx, opts.cosDownload);
  if (marked) return marked;
  const byHost = dialectOfHost(ctx.header('host'), opts.dialectDomains ?? {});
  if (byHost) return byHost;
  const bucket = opts.bucketOf(ctx);
  return (bucket !== undefined && (await bucketDialect(bucket))) || 's3';
}

/** A COS download: a GET or HEAD at `<bucket>-<appid>.<domain>` or under the download path. */
export function isCosDownload(ctx: HttpContext, d: { domain: string; path: string }): boolean {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return false;
  if (ctx.rawPath.startsWith(d.path + '/')) return true;
  const host = (ctx.header('host') ?? '').replace(/:\d+$/, '').toLowerCase();
  return host.endsWith('.' + d.domain) && /^.+-\d+$/.test(host.slice(0, -(d.domain.length + 1)));
}
