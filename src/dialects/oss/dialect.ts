import { principalOfKey } from '../../auth/s3-verify.js';
import { verifyOssRequest } from '../../auth/oss-verify.js';
import type { HttpContext } from '../../http/context.js';
import { makeXmlDialect } from '../xml/dialect.js';
import { hostRegion, ossAddress } from './address.js';
import { OSS_ROUTES, ossPlainParam } from './routes.js';
import { ossVocabulary } from './vocabulary.js';

/**
 * The Aliyun OSS front end: OSS V1 / V4 signatures, OSS routing (append,
 * symlinks, bucket info and stat, ACLs) and OSS's XML and headers, over the
 * shared operations and engine.
 */
export const ossDialect = makeXmlDialect({
  name: 'oss',
  vocabulary: () => ossVocabulary,
  commonHeaders: (ctx: HttpContext) => ({ 'x-oss-request-id': ctx.requestId, server: 'Stratus' }),
  address: (ctx, services) => ossAddress(ctx.header('host'), ctx.rawPath, services.settings.domains),
  async authenticate(ctx, services, addr) {
    // With a region configured, V4 scopes must name the region of the endpoint reached: the one in an
    // OSS endpoint Host, else the server's. Without one, any region is accepted (as for SigV4).
    const configured = services.settings.region?.replace(/^oss-/, '');
    const region = configured === undefined ? undefined : (hostRegion(ctx.header('host')) ?? configured);
    const auth = await verifyOssRequest(
      { method: ctx.method, rawQuery: ctx.rawQuery, headers: ctx.req.headers, bucket: addr.bucket, key: addr.key },
      services.lookupCredential,
      { maxSkewMs: services.settings.maxSkewMs, ...(region !== undefined ? { region } : {}) },
    );
    return auth && { accountId: auth.credential.owner, principal: principalOfKey(auth.credential), payload: auth.payload, region: auth.region ?? hostRegion(ctx.header('host')) };
  },
  routes: OSS_ROUTES,
  plainParam: ossPlainParam,
});
