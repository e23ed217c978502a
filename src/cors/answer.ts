import type { Engine } from '../engine/engine.js';
import { StorageError } from '../engine/errors.js';
import type { HttpContext } from '../http/context.js';
import type { Reply } from '../http/reply.js';
import { corsOf } from './cache.js';
import { allowHeaders, headerList, matchRule } from './rules.js';

/**
 * The CORS headers of an actual request (GET, PUT, POST, HEAD, DELETE; its
 * answer an error or not) that carries an Origin: those of the first rule
 * allowing the origin and the method (Access-Control-Request-Method when
 * sent, as S3 reads it, else the request's) and any headers named in
 * Access-Control-Request-Headers (OBS getBucketMetadata asks that way).
 * Nothing when no rule matches, the bucket has no configuration, or the
 * lookup fails: CORS headers never turn an answer into an error.
 */
export async function corsHeaders(ctx: HttpContext, engine: Engine, bucket: string | undefined): Promise<Record<string, string>> {
  const origin = ctx.header('origin');
  if (origin === undefined || bucket === undefined) return {};
  let config;
  try {
    config = await corsOf(engine, bucket);
  } catch {
    return {};
  }
  if (!config) return {};
  const methods = headerList(ctx.header('access-control-request-method'));
  const requested = headerList(ctx.header('access-control-request-headers'));
  const rule = matchRule(config, origin, methods.length ? methods : [ctx.method], requested);
  if (!rule) return config.responseVary ? { vary: 'Origin' } : {};
  return allowHeaders(rule, origin, requested);
}

/** Sets the CORS headers of an actual request on the answer (cheap without an Origin: nothing is read); returns them. */
export async function applyCors(ctx: HttpContext, engine: Engine, bucket: string | undefined): Promise<Record<string, string>> {
  if (ctx.req.headers.origin === undefined) return {};
  const headers = await corsHeaders(ctx, engine, bucket);
  for (const [k, v] of Object.entries(headers)) ctx.res.setHeader(k, v);
  return headers;
}

const NOT_ALLOWED =
  "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

/**
 * A preflight (OPTIONS on a bucket or an object, signed or not: browsers
 * never sign it): 200 with the matching rule's Access-Control-* headers, 400
 * without Origin or Access-Control-Request-Method, 403 AccessForbidden when
 * the bucket has no CORS configuration or no rule allows the request.
 */
export async function preflight(ctx: HttpContext, engine: Engine, bucket: string | undefined, key: string | undefined): Promise<Reply> {
  const origin = ctx.header('origin');
  if (origin === undefined || origin === '') throw new StorageError('BadRequest', 'Insufficient information. Origin request header needed.');
  const methods = headerList(ctx.header('access-control-request-method'));
  if (!methods.length) throw new StorageError('BadRequest', 'Insufficient information. Access-Control-Request-Method request header needed.');
  if (bucket === undefined) throw new StorageError('BadRequest', 'Insufficient information. A bucket is needed.');
  const b = await engine.findBucket(bucket);
  if (!b) throw new StorageError('NoSuchBucket', undefined, { BucketName: bucket });
  const config = await corsOf(engine, bucket);
  if (!config) throw new StorageError('AccessForbidden', 'CORSResponse: CORS is not enabled for this bucket.', { Method: methods.join(', '), ResourceType: key === undefined ? 'BUCKET' : 'OBJECT' });
  const requested = headerList(ctx.header('access-control-request-headers'));
  const rule = matchRule(config, origin, methods, requested);
  if (!rule) throw new StorageError('AccessForbidden', NOT_ALLOWED, { Method: methods.join(', '), ResourceType: key === undefined ? 'BUCKET' : 'OBJECT' });
  return { status: 200, headers: allowHeaders(rule, origin, requested) };
}
