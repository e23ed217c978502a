import type { OpContext } from '../../api/op-context.js';
import { renderXml } from '../../api/xml.js';
import { verifyS3Request } from '../../auth/s3-verify.js';
import { StorageError } from '../../engine/errors.js';
import { resolveAddress } from '../../http/addressing.js';
import type { HttpContext } from '../../http/context.js';
import { sendReply } from '../../http/send.js';
import type { Services } from '../../http/services.js';
import type { Dialect } from '../dialect.js';
import { sendXmlError } from './errors.js';
import { findRoute, S3_ROUTES, type Target } from './routes.js';
import { s3Vocabulary } from './vocabulary.js';

function commonHeaders(ctx: HttpContext): Record<string, string> {
  return { 'x-amz-request-id': ctx.requestId, 'x-amz-id-2': ctx.hostId, server: 'Stratus' };
}

/** The S3 front end: SigV4 / SigV2 authentication, S3 routing and S3's XML. */
export const s3Dialect: Dialect = {
  name: 's3',
  async handle(ctx: HttpContext, services: Services): Promise<void> {
    const common = commonHeaders(ctx);
    try {
      for (const [k, v] of Object.entries(common)) ctx.res.setHeader(k, v);
      const addr = resolveAddress(ctx.header('host'), ctx.rawPath, services.settings.domains);
      const auth = await verifyS3Request(
        {
          method: ctx.method,
          rawPath: ctx.rawPath,
          rawQuery: ctx.rawQuery,
          headers: ctx.req.headers,
          bucket: addr.style === 'virtual' ? addr.bucket : undefined,
        },
        services.lookupCredential,
        { maxSkewMs: services.settings.maxSkewMs },
      );
      if (!auth) throw new StorageError('AccessDenied', 'Anonymous access is not allowed; sign the request.');
      const target: Target = !addr.bucket ? 'service' : addr.key === undefined ? 'bucket' : 'object';
      const route = findRoute(S3_ROUTES, ctx.method, target, ctx.query, ctx.req.headers);
      if (route === 'method') throw new StorageError('MethodNotAllowed', undefined, { Method: ctx.method, ResourceType: target.toUpperCase() });
      if (route === 'sub') throw new StorageError('NotImplemented', 'This operation is not implemented by Stratus yet');
      const op: OpContext = {
        http: ctx,
        services,
        vocab: s3Vocabulary,
        caller: { accountId: auth.credential.owner },
        bucket: addr.bucket,
        key: addr.key,
        payload: auth.payload,
      };
      const reply = await route.handler(op);
      await sendReply(ctx, reply, (doc) => renderXml(doc, s3Vocabulary.xmlns));
    } catch (e) {
      sendXmlError(ctx, s3Vocabulary, e, common);
    }
  },
};
