import { resolveAddress } from '../http/addressing.js';
import type { HttpContext } from '../http/context.js';
import type { Services } from '../http/services.js';
import type { AccessLogBuffer } from '../workers/access-log.js';
import type { Dialect } from './dialect.js';
import { ossAddress } from './oss/address.js';

/** The signature scheme and where it was carried, as S3 logs them (`SigV4`, `AuthHeader` / `QueryString`). */
function authOf(ctx: HttpContext): { sigVersion?: string; authType?: string } {
  const auth = ctx.header('authorization');
  if (auth) return { sigVersion: auth.startsWith('AWS4-') || auth.startsWith('OSS4-') ? 'SigV4' : 'SigV2', authType: 'AuthHeader' };
  if (ctx.query.has('X-Amz-Signature') || ctx.query.has('x-oss-signature')) return { sigVersion: 'SigV4', authType: 'QueryString' };
  if (ctx.query.has('Signature')) return { sigVersion: 'SigV2', authType: 'QueryString' };
  return {};
}

/** The access key id a request is signed with: from its Authorization header or its signed URL. */
export function accessKeyOf(ctx: HttpContext): string | undefined {
  const auth = ctx.header('authorization');
  if (auth) {
    const v4 = /Credential=([^/,\s]+)\//.exec(auth);
    if (v4) return v4[1];
    const v2 = /^(?:AWS|OSS|OBS) ([^:\s]+):/.exec(auth);
    return v2?.[1];
  }
  const q = ctx.query;
  const direct = q.get('OSSAccessKeyId') ?? q.get('AWSAccessKeyId') ?? q.get('AccessKeyId') ?? q.get('x-oss-access-key-id');
  if (direct) return direct;
  const credential = q.get('X-Amz-Credential') ?? q.get('x-oss-credential');
  return credential?.split('/')[0] || undefined;
}

/** The request's size as it arrived: request line, headers and declared body. */
function requestLength(ctx: HttpContext): number {
  const raw = ctx.req.rawHeaders;
  let n = ctx.method.length + (ctx.req.url ?? '').length + 12;
  for (let i = 0; i + 1 < raw.length; i += 2) n += raw[i].length + raw[i + 1].length + 4;
  const body = Number(ctx.header('content-length'));
  return n + 2 + (Number.isFinite(body) ? body : 0);
}

/**
 * A dialect whose requests to buckets are recorded for server access
 * logging once answered (off the request's path: the record is made after
 * the reply is sent, and costs a cached look-up for buckets that do not log).
 */
export function withAccessLog(d: Dialect, buffer: AccessLogBuffer): Dialect {
  return {
    name: d.name,
    async handle(ctx: HttpContext, services: Services): Promise<void> {
      await d.handle(ctx, services);
      let addr: { bucket?: string; key?: string };
      try {
        addr = d.name === 'oss' ? ossAddress(ctx.header('host'), ctx.rawPath, services.settings.domains) : resolveAddress(ctx.header('host'), ctx.rawPath, services.settings.domains);
      } catch {
        return;
      }
      if (!addr.bucket) return;
      const logs = buffer.logs(addr.bucket);
      if (logs === false || (logs !== true && !(await logs))) return;
      const res = ctx.res;
      const length = Number(res.getHeader('content-length'));
      const prefix = `x-${d.name === 's3' ? 'amz' : d.name}-`;
      const storageClass = res.getHeader(prefix + 'storage-class');
      void buffer.record(addr.bucket, {
        time: ctx.startedAt,
        remoteIp: ctx.req.socket.remoteAddress ?? '-',
        requester: ctx.requester,
        accessKeyId: accessKeyOf(ctx),
        requestId: ctx.requestId,
        method: ctx.method,
        params: [...ctx.query.keys()],
        copy: ctx.header(prefix + 'copy-source') !== undefined || ctx.header('x-amz-copy-source') !== undefined,
        key: addr.key,
        requestUri: `${ctx.method} ${ctx.req.url ?? ''} HTTP/${ctx.req.httpVersion}`,
        status: res.statusCode,
        errorCode: ctx.errorCode ?? (res.getHeader(prefix + 'error-code') as string | undefined),
        bytesSent: ctx.method !== 'HEAD' && Number.isFinite(length) ? length : undefined,
        objectSize: addr.key !== undefined && Number.isFinite(length) && res.statusCode < 300 ? length : undefined,
        requestLength: requestLength(ctx),
        storageClass: typeof storageClass === 'string' ? storageClass : undefined,
        totalMs: Date.now() - ctx.startedAt,
        referer: ctx.header('referer'),
        userAgent: ctx.header('user-agent'),
        versionId: ctx.query.get('versionId'),
        hostId: ctx.hostId,
        ...authOf(ctx),
        host: ctx.header('host'),
      });
    },
  };
}
