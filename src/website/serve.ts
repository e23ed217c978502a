import { getObject } from '../api/objects-read.js';
import type { OpContext } from '../api/op-context.js';
import { principalOf, resourceOf } from '../authz/authorizer.js';
import { factsOf, type RequestFacts } from '../authz/request-facts.js';
import { applyCors, preflight } from '../cors/answer.js';
import { isStorageError, StorageError } from '../engine/errors.js';
import type { BucketRecord } from '../meta/types.js';
import type { HttpContext } from '../http/context.js';
import { sendReply } from '../http/send.js';
import type { Services } from '../http/services.js';
import { renderXml } from '../api/xml.js';
import type { Dialect } from '../dialects/dialect.js';
import { s3Vocabulary } from '../dialects/s3/vocabulary.js';
import { websiteAddress, type WebsiteAddress } from './address.js';
import type { RoutingRule, WebsiteConfig, WebsiteRedirect } from './config.js';
import { errorPage } from './pages.js';
import { WEBSITE_REDIRECT } from './redirect-location.js';

/** How an object read on the website ended when it did not serve the object: the status the visitor would get. */
type Failure = 403 | 404;

const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/');

/**
 * The website endpoint: unsigned GET and HEAD answered the way S3's website
 * endpoints answer them (index documents for "directories", the error
 * document, routing rules and redirects, HTML error pages), each object read
 * decided by the authorizer for an anonymous caller (s3:GetObject), so a
 * private bucket's site answers 403. Preflights (OPTIONS) are answered from
 * the bucket's CORS rules, and every answer carries them.
 */
export const websiteFrontEnd: Dialect = {
  name: 'website',
  async handle(ctx: HttpContext, services: Services): Promise<void> {
    const addr = websiteAddress(ctx, services.settings.websiteDomains ?? []);
    try {
      ctx.res.setHeader('x-amz-request-id', ctx.requestId);
      ctx.res.setHeader('x-amz-id-2', ctx.hostId);
      ctx.res.setHeader('server', 'Stratus');
      if (!addr) throw new StorageError('InvalidArgument', 'The website address is not valid.');
      // A page of another site fetching from this one asks first, as on the REST endpoint.
      if (ctx.method === 'OPTIONS') return await sendReply(ctx, await preflight(ctx, services.engine, addr.bucket, addr.key || undefined), (doc) => renderXml(doc));
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') throw new StorageError('MethodNotAllowed', undefined, { Method: ctx.method, ResourceType: 'OBJECT' });
      const bucket = await services.engine.findBucket(addr.bucket);
      if (!bucket) throw new StorageError('NoSuchBucket', undefined, { BucketName: addr.bucket });
      await applyCors(ctx, services.engine, addr.bucket);
      const site = await services.engine.bucketSetting(bucket, 'website');
      if (!site) throw new StorageError('NoSuchWebsiteConfiguration', undefined, { BucketName: addr.bucket });
      // Reads are judged in the language of the API that created the bucket (an OSS bucket's objects inherit its ACL).
      const facts = { ...factsOf(ctx, await services.engine.bucketSetting(bucket, 'dialect'), 'none'), website: true };
      await serveSite(ctx, services, addr, bucket, site, facts);
    } catch (e) {
      sendPage(ctx, e);
    }
  },
};

async function serveSite(ctx: HttpContext, services: Services, addr: WebsiteAddress, bucket: BucketRecord, site: WebsiteConfig, facts: RequestFacts): Promise<void> {
  if (site.redirectAll) {
    const proto = site.redirectAll.protocol ?? protocolOf(ctx);
    return redirect(ctx, 301, `${proto}://${site.redirectAll.hostName}/${encodeKey(addr.key)}`);
  }
  // Rules with a key condition alone apply before anything is read.
  const early = site.routingRules.find((r) => r.condition?.httpErrorCodeReturnedEquals === undefined && prefixMatches(r, addr.key));
  if (early) return ruleRedirect(ctx, addr, early);
  const isDir = addr.key === '' || addr.key.endsWith('/');
  // S3 serves every directory's own index; OSS with SupportSubDir false serves the root's for all of them.
  const dir = site.supportSubDir === false ? '' : addr.key;
  const key = isDir && site.indexSuffix !== undefined ? dir + site.indexSuffix : addr.key;
  const failure = key === '' ? 404 : await serveObject(ctx, services, facts, bucket, key);
  if (failure === undefined) return;
  // `photos` without its slash, where `photos/index.html` exists: S3 (and OSS Type 0) sends the visitor to
  // `photos/`; OSS Type 2 serves that index at once, Type 1 answers 404.
  const subIndex = `${addr.key}/${site.indexSuffix}`;
  if (failure === 404 && !isDir && site.indexSuffix !== undefined && site.supportSubDir !== false && site.indexType !== 1 && (await exists(services, bucket, subIndex))) {
    if (site.indexType !== 2) return redirect(ctx, 302, `${addr.base}${encodeKey(addr.key)}/`);
    if ((await serveObject(ctx, services, facts, bucket, subIndex)) === undefined) return;
  }
  const onError = site.routingRules.find((r) => r.condition?.httpErrorCodeReturnedEquals === failure && prefixMatches(r, addr.key));
  if (onError) return ruleRedirect(ctx, addr, onError);
  if (site.errorKey !== undefined) {
    const status = failure === 404 ? (site.errorStatus ?? 404) : failure;
    if ((await serveObject(ctx, services, facts, bucket, site.errorKey, status)) === undefined) return;
  }
  const detail: Record<string, string> = failure === 404 ? { Key: key } : {};
  throw new StorageError(failure === 404 ? 'NoSuchKey' : 'AccessDenied', undefined, detail);
}

const prefixMatches = (r: RoutingRule, key: string) => r.condition?.keyPrefixEquals === undefined || key.startsWith(r.condition.keyPrefixEquals);

function protocolOf(ctx: HttpContext): 'http' | 'https' {
  return (ctx.req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
}

/** A routing rule's redirect: another host (and protocol) or this site, the key replaced whole or by prefix. */
function ruleRedirect(ctx: HttpContext, addr: WebsiteAddress, rule: RoutingRule): void {
  const r: WebsiteRedirect = rule.redirect;
  const prefix = rule.condition?.keyPrefixEquals ?? '';
  const key = r.replaceKeyWith !== undefined ? r.replaceKeyWith : r.replaceKeyPrefixWith !== undefined ? r.replaceKeyPrefixWith + addr.key.slice(prefix.length) : addr.key;
  const proto = r.protocol ?? protocolOf(ctx);
  const location = r.hostName !== undefined ? `${proto}://${r.hostName}/${encodeKey(key)}` : `${proto}://${ctx.header('host') ?? 'localhost'}${addr.base}${encodeKey(key)}`;
  redirect(ctx, r.httpRedirectCode ?? 301, location);
}

function redirect(ctx: HttpContext, status: number, location: string): void {
  ctx.res.statusCode = status;
  ctx.res.setHeader('location', location);
  ctx.res.setHeader('content-length', '0');
  ctx.res.end();
}

async function exists(services: Services, bucket: BucketRecord, key: string): Promise<boolean> {
  try {
    await services.engine.readVersion(bucket.name, key);
    return true;
  } catch (e) {
    if (isStorageError(e) && (e.code === 'NoSuchKey' || e.code === 'InvalidArgument' || e.code === 'KeyTooLongError')) return false;
    throw e;
  }
}

/**
 * Serves one object to an anonymous visitor (with `status` instead of the
 * read's own: the error document); the failure when it may not or does not
 * exist. An object's website redirect location sends the visitor there.
 */
async function serveObject(ctx: HttpContext, services: Services, facts: RequestFacts, bucket: BucketRecord, key: string, status?: number): Promise<Failure | undefined> {
  try {
    await services.authorizer.authorize(principalOf(''), 's3:GetObject', resourceOf(bucket.name, key), facts);
  } catch (e) {
    if (isStorageError(e) && e.code === 'AccessDenied') return 403;
    throw e;
  }
  let target: string | undefined;
  try {
    const { object } = await services.engine.readVersion(bucket.name, key);
    const to = object.extra[WEBSITE_REDIRECT];
    if (typeof to === 'string') target = to;
  } catch (e) {
    if (isStorageError(e) && (e.code === 'NoSuchKey' || e.code === 'InvalidArgument' || e.code === 'KeyTooLongError')) return 404;
    throw e;
  }
  if (target !== undefined && status === undefined) {
    redirect(ctx, 301, target);
    return undefined;
  }
  const op: OpContext = { http: ctx, services, vocab: s3Vocabulary, caller: { accountId: '' }, bucket: bucket.name, key, payload: { kind: 'unsigned' } };
  const reply = await getObject(op, ctx.method === 'HEAD');
  if (status !== undefined) {
    reply.status = status;
    if (reply.headers) delete reply.headers['content-range'];
  }
  await sendReply(ctx, reply, (doc) => renderXml(doc));
  return undefined;
}

/** An error as S3's website endpoint shows it: an HTML page, the code and message also in headers. */
function sendPage(ctx: HttpContext, e: unknown): void {
  const res = ctx.res;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const err = isStorageError(e) ? e : new StorageError('InternalError');
  if (!isStorageError(e)) ctx.log.error({ err: e, reqId: ctx.requestId }, 'internal error');
  const wire = s3Vocabulary.error(err.code, err.message, err.status);
  res.statusCode = wire.status;
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  if (wire.status === 304) {
    res.end();
    return;
  }
  const page = errorPage(wire.status, wire.code, wire.message, err.detail, ctx.requestId);
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(page));
  res.setHeader('x-amz-error-code', wire.code);
  res.setHeader('x-amz-error-message', wire.message.replace(/[^\x20-\x7e]/g, '?'));
  res.end(ctx.method === 'HEAD' ? undefined : page);
}
