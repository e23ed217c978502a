/**
 * The IAM and STS query APIs on the shared port (chosen by the front door when
 * a SigV4 credential scope names service iam or sts): form-encoded
 * `Action=…&Version=…` in the body (or the query), answered in IAM's / STS's
 * XML. Identities live behind `services.identity`; this front end maps the
 * wire to it and never touches the metadata store.
 */
import { conditionKeys } from '../../authz/condition-keys.js';
import type { Principal } from '../../authz/principal.js';
import { factsOf } from '../../authz/request-facts.js';
import { readSmallBody } from '../../http/body.js';
import type { HttpContext } from '../../http/context.js';
import type { Services } from '../../http/services.js';
import { IamError } from '../../identity/errors.js';
import type { Dialect } from '../dialect.js';
import { IAM_ACTIONS, type IamCall } from './iam-actions.js';
import { STS_ACTIONS } from './sts-actions.js';
import { verifyIamRequest } from './verify.js';
import { sendError, sendResult } from './xml.js';

/** Policies are at most 10 KiB; percent-encoded, three times that, with room for the other fields. */
const MAX_BODY = 64 * 1024;

function serviceOf(ctx: HttpContext): 'iam' | 'sts' {
  return /\/sts\/aws4_request/.test(ctx.header('authorization') ?? '') ? 'sts' : 'iam';
}

export const iamDialect: Dialect = {
  name: 'iam',
  async handle(ctx: HttpContext, services: Services): Promise<void> {
    let service = serviceOf(ctx);
    try {
      if (ctx.method !== 'POST' && ctx.method !== 'GET') throw new IamError('InvalidAction', `The HTTP method ${ctx.method} is not supported by this API.`);
      const body = await readSmallBody(ctx.req, services.settings.bodyIdleMs, MAX_BODY).catch((e: unknown) => {
        throw new IamError('ValidationError', `The request body could not be read: ${(e as Error).message}`);
      });
      const auth = await verifyIamRequest(ctx, body, services.lookupCredential);
      service = auth.service;
      const params = new URLSearchParams(ctx.rawQuery);
      const type = ctx.header('content-type') ?? '';
      if (body.length && (type === '' || type.startsWith('application/x-www-form-urlencoded'))) {
        for (const [k, v] of new URLSearchParams(body.toString('utf8'))) if (!params.has(k)) params.set(k, v);
      }
      const action = params.get('Action');
      if (!action) throw new IamError('MissingAction', 'Missing Action');
      const handler = (service === 'iam' ? IAM_ACTIONS : STS_ACTIONS)[action];
      if (!handler || !Object.hasOwn(service === 'iam' ? IAM_ACTIONS : STS_ACTIONS, action)) {
        throw new IamError('InvalidAction', `Could not find operation ${action} for version ${params.get('Version') ?? 'NO_VERSION_SPECIFIED'}`);
      }
      const principal = (auth.credential.principal ?? { kind: 'root', accountId: auth.credential.owner }) as Principal;
      if (principal.kind === 'anonymous') throw new IamError('AccessDenied', 'Anonymous access is not allowed.');
      // IAM and STS are signed in the Authorization header only (verify.ts); conditions read the same facts S3's do.
      const keys = conditionKeys(principal, factsOf(ctx, 's3', 'header'));
      const call: IamCall = { identity: services.identity, principal, credential: auth.credential, params, keys, ...(services.workers ? { workers: services.workers } : {}) };
      sendResult(ctx, service, action, await handler(call));
    } catch (e) {
      sendError(ctx, service, e);
    }
  },
};
