import { principalOfKey, verifyS3Request } from '../../auth/s3-verify.js';
import type { HttpContext } from '../../http/context.js';
import { makeXmlDialect } from '../xml/dialect.js';
import { S3_ROUTES, s3PlainParam } from './routes.js';
import { s3Vocabulary } from './vocabulary.js';

/** The S3 front end: SigV4 / SigV2 authentication, S3 routing and S3's XML. */
export const s3Dialect = makeXmlDialect({
  name: 's3',
  vocabulary: () => s3Vocabulary,
  commonHeaders: (ctx: HttpContext) => ({ 'x-amz-request-id': ctx.requestId, 'x-amz-id-2': ctx.hostId, server: 'Stratus' }),
  async authenticate(ctx, services, addr) {
    const auth = await verifyS3Request(
      { method: ctx.method, rawPath: ctx.rawPath, rawQuery: ctx.rawQuery, headers: ctx.req.headers, bucket: addr.style === 'virtual' ? addr.bucket : undefined },
      services.lookupCredential,
      { maxSkewMs: services.settings.maxSkewMs, region: services.settings.region },
    );
    return auth && { accountId: auth.credential.owner, principal: principalOfKey(auth.credential), payload: auth.payload, region: auth.region };
  },
  routes: S3_ROUTES,
  plainParam: s3PlainParam,
});
