import { operationName } from '../api/logging-format.js';
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
      void buffer.record(addr.bucket, {
        time: ctx.startedAt,
        remoteIp: ctx.req.socket.remoteAddress ?? '-',
        requester: '-',
        requestId: ctx.requestId,
        operation: operationName(ctx.method, ctx.query, addr.bucket, addr.key),
        key: addr.key,
        requestUri: `${ctx.method} ${ctx.req.url ?? ''} HTTP/${ctx.req.httpVersion}`,
        status: res.statusCode,
        errorCode: (res.getHeader(`x-${d.name === 's3' ? 'amz' : d.name}-error-code`) as string | undefined) ?? undefined,
        bytesSent: ctx.method !== 'HEAD' && Number.isFinite(length) ? length : undefined,
        objectSize: addr.key !== undefined && Number.isFinite(length) && res.statusCode < 300 ? length : undefined,
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
