import type { PayloadCheck } from '../../auth/s3-verify.js';
import type { OpContext } from '../../api/op-context.js';
import { hasPostForm } from '../../api/post-form.js';
import { authenticatePostForm } from '../../api/post-object.js';
import { tryParseCopySource } from '../../api/objects-write.js';
import { h, type Vocabulary } from '../../api/vocabulary.js';
import { refuseServerSideEncryption } from '../../api/sse.js';
import { renderXml } from '../../api/xml.js';
import { StorageError } from '../../engine/errors.js';
import { resolveAddress, type Address } from '../../http/addressing.js';
import type { HttpContext } from '../../http/context.js';
import { sendReply } from '../../http/send.js';
import type { Services } from '../../http/services.js';
import type { Dialect } from '../dialect.js';
import { sendXmlError } from './errors.js';
import { onVersion } from '../../authz/actions.js';
import { resourceOf, type Principal } from '../../authz/authorizer.js';
import { factsOf } from '../../authz/request-facts.js';
import { ANONYMOUS_OWNER_ID } from '../../authz/anonymous.js';
import { checkRoutes, findRoute, type Route, type Target } from './routes.js';
import { applyCors, preflight } from '../../cors/answer.js';

export interface Authenticated {
  accountId: string;
  /** Who the request acts as (its key's root, user or session; anonymous when unsigned). */
  principal: Principal;
  payload: PayloadCheck;
  /** The region the signature names, for schemes that name one. */
  region?: string;
}

/** What makes one XML dialect (S3, OSS, OBS) different from another. */
export interface XmlDialectSpec {
  name: string;
  /** The vocabulary of a request (OBS picks its AWS-compatible one per request). */
  vocabulary(ctx: HttpContext): Vocabulary;
  /** Response headers every answer carries (request ids). */
  commonHeaders(ctx: HttpContext): Record<string, string>;
  /** Verifies the request's signature; undefined when it carries none. */
  authenticate(ctx: HttpContext, services: Services, addr: Address): Promise<Authenticated | undefined>;
  routes: Route[];
  /** Query parameters that modify an operation rather than select one. */
  plainParam(name: string, value: string): boolean;
  /** Bucket and key of a request (default: path style, or virtual-hosted under the configured domains). */
  address?(ctx: HttpContext, services: Services): Address;
}

/** A front end for an S3-shaped XML protocol, built from its table of differences. */
export function makeXmlDialect(spec: XmlDialectSpec): Dialect {
  checkRoutes(spec.name, spec.routes);
  return {
    name: spec.name,
    async handle(ctx: HttpContext, services: Services): Promise<void> {
      const vocab = spec.vocabulary(ctx);
      const common = spec.commonHeaders(ctx);
      try {
        for (const [k, v] of Object.entries(common)) ctx.res.setHeader(k, v);
        const addr = spec.address ? spec.address(ctx, services) : resolveAddress(ctx.header('host'), ctx.rawPath, services.settings.domains);
        // CORS: a request with an Origin gets the bucket's Access-Control-* headers on every answer, errors included (cors/answer.ts).
        if (ctx.req.headers.origin !== undefined && ctx.method !== 'OPTIONS') Object.assign(common, await applyCors(ctx, services.engine, addr.bucket));
        // A preflight is answered before authentication: browsers never sign it.
        if (ctx.method === 'OPTIONS') return await sendReply(ctx, await preflight(ctx, services.engine, addr.bucket, addr.key), (doc) => renderXml(doc, vocab.xmlns));
        // A browser form upload carries its signature in the form (the front door started reading it).
        const auth: Authenticated | undefined = hasPostForm(ctx) ? await authenticatePostForm(ctx, services).then((a) => a && { ...a, payload: { kind: 'unsigned' as const } }) : await spec.authenticate(ctx, services, addr);
        // No signature anywhere (a malformed one has thrown): the request is anonymous and the authorizer decides.
        const caller = auth?.accountId || ANONYMOUS_OWNER_ID;
        if (auth?.accountId) ctx.requester = auth.accountId;
        // Every write path (PUT, copy, multipart, POST): encryption asked for and not built is refused before any byte is stored.
        if (ctx.method === 'PUT' || ctx.method === 'POST') refuseServerSideEncryption(Object.keys(ctx.req.headers));
        const target: Target = !addr.bucket ? 'service' : addr.key === undefined ? 'bucket' : 'object';
        const route = findRoute(spec.routes, ctx.method, target, ctx.query, ctx.req.headers, spec.plainParam);
        if (route === 'method') throw new StorageError('MethodNotAllowed', undefined, { Method: ctx.method, ResourceType: target.toUpperCase() });
        // An unsigned caller may do nothing Stratus lacks: refused, as the clouds refuse what no grant allows.
        if (route === 'sub') throw auth ? new StorageError('NotImplemented', 'This operation is not implemented by Stratus yet') : new StorageError('AccessDenied', 'Access Denied');
        ctx.action = route.action;
        const principal: Principal = auth ? auth.principal : { kind: 'anonymous' };
        const facts = factsOf(ctx, spec.name as 's3' | 'oss' | 'obs', !auth ? 'none' : hasPostForm(ctx) ? 'post' : ctx.header('authorization') ? 'header' : 'query');
        const versionId = addr.key === undefined ? undefined : (ctx.query.get('versionId') ?? undefined);
        await services.authorizer.authorize(principal, onVersion(route.action, versionId), resourceOf(addr.bucket, addr.key), facts);
        if (spec.name === 's3') await services.authorizer.expectOwner(addr.bucket, ctx.header('x-amz-expected-bucket-owner'));
        if (route.readsCopySource) {
          // A copy reads its source: a second question, on the source object. A malformed header is the handler's to refuse.
          const raw = ctx.header(h(vocab, 'copy-source'));
          const src = raw === undefined ? undefined : tryParseCopySource(raw);
          if (src) {
            await services.authorizer.authorize(principal, onVersion('s3:GetObject', src.versionId), resourceOf(src.bucket, src.key), facts);
            if (spec.name === 's3') await services.authorizer.expectOwner(src.bucket, ctx.header('x-amz-source-expected-bucket-owner'));
          }
        }
        const op: OpContext = {
          http: ctx,
          services,
          vocab,
          // An object write's owner follows the bucket's object ownership (the writer's account, or the bucket owner's,
          // which an anonymous writer's always is); no bucket to decide: S3's anonymous canonical id.
          caller: route.action === 's3:PutObject' ? await services.authorizer.writer(principal, addr.bucket, facts).then((w) => (w.accountId ? w : { accountId: caller })) : { accountId: caller },
          bucket: addr.bucket,
          key: addr.key,
          payload: auth?.payload ?? { kind: 'unsigned' },
          authorizeKey: (action, key, version) => services.authorizer.authorize(principal, onVersion(action, version), resourceOf(addr.bucket, key), facts),
          ...(auth?.region !== undefined ? { signingRegion: auth.region } : {}),
        };
        const reply = await route.handler(op);
        await sendReply(ctx, reply, (doc) => renderXml(doc, vocab.xmlns));
      } catch (e) {
        sendXmlError(ctx, vocab, e, common);
      }
    },
  };
}
