import { obsFamilyOf, verifyObsRequest } from '../../auth/obs.js';
import type { HttpContext } from '../../http/context.js';
import { makeXmlDialect } from '../xml/dialect.js';
import { OBS_ROUTES, obsPlainParam } from './routes.js';
import { obsAwsVocabulary, obsVocabulary } from './vocabulary.js';

/** OBS mode, or the SDKs' AWS-compatible mode (V2 signature, `x-amz-` names), chosen by the request's credentials. */
const vocabularyOf = (ctx: HttpContext) => (obsFamilyOf(ctx.header('authorization'), ctx.query) === 'v2' ? obsAwsVocabulary : obsVocabulary);

/** The Huawei OBS front end: OBS signatures (both families), OBS routing, OBS's errors. */
export const obsDialect = makeXmlDialect({
  name: 'obs',
  vocabulary: vocabularyOf,
  commonHeaders(ctx) {
    const p = vocabularyOf(ctx).prefix;
    return { [p + 'request-id']: ctx.requestId, [p + 'id-2']: ctx.hostId, server: 'Stratus' };
  },
  async authenticate(ctx, services, addr) {
    const auth = await verifyObsRequest(
      { method: ctx.method, rawPath: ctx.rawPath, rawQuery: ctx.rawQuery, headers: ctx.req.headers, bucket: addr.style === 'virtual' ? addr.bucket : undefined },
      services.lookupCredential,
      { maxSkewMs: services.settings.maxSkewMs },
    );
    return auth && { accountId: auth.credential.owner, payload: { kind: 'unsigned' } };
  },
  routes: OBS_ROUTES,
  plainParam: obsPlainParam,
});
