/**
 * COS downloads (spec §4.17): a plain GET (or HEAD) of a file at the
 * download host `<bucket>-<appid>.<domain>/<path>` or the path form
 * `<download path>/<bucket>-<appid>/<path>`, with a single range. The request
 * carries a download signature (`?sign=`, from sign_download or a multi-use
 * signature; or the Authorization header), or none: an unsigned download is
 * anonymous and gets what the file's authority (eWPrivateRPublic: public
 * read; eInvalid: its bucket's) allows, as the authorizer decides.
 */
import { applyCors } from '../../cors/answer.js';
import { checkCosUse } from '../../auth/cos-v4.js';
import { factsOf } from '../../authz/request-facts.js';
import { resourceOf } from '../../authz/authorizer.js';
import { StorageError } from '../../engine/errors.js';
import type { HttpContext } from '../../http/context.js';
import { sendReply } from '../../http/send.js';
import type { Services } from '../../http/services.js';
import { parseRange } from '../../api/range.js';
import { contentHeader, wireCustomHeaders } from '../../api/header-values.js';
import { customHeadersOf } from './attrs.js';
import { authenticate } from './authenticate.js';
import { toCosError } from './errors.js';
import { bucketUnder, downloadSettings } from './op.js';
import type { Principal } from '../../authz/principal.js';
import { fileidOf, parseDownload } from './paths.js';

const SMALL_BODY = 64 * 1024;

/** Download failures carry the HTTP status, and the download status code (its negative) in a JSON body. */
function sendDownloadError(ctx: HttpContext, status: number, message: string): void {
  const res = ctx.res;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = ctx.method === 'HEAD' ? '' : JSON.stringify({ code: -status, message });
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

export async function download(ctx: HttpContext, services: Services): Promise<void> {
  try {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return sendDownloadError(ctx, 405, 'the download address only answers GET');
    const t = parseDownload(ctx, downloadSettings(services));
    if (!t || t.folder) return sendDownloadError(ctx, 404, 'file does not exist');
    if (ctx.req.headers.origin !== undefined) await applyCors(ctx, services.engine, t.bucket);
    // Not form-decoded: the SDKs put the Base64 signature in the URL as is, '+' included.
    const sign = ctx.query.get('sign') ?? ctx.header('authorization');
    // A download without any signature is anonymous: the file's (or its bucket's) authority decides.
    // A signature that is there, even empty or malformed, is verified and never downgraded.
    const auth = sign === undefined ? undefined : await authenticate(services, t, sign);
    if (auth) checkCosUse(auth, 'download', { fileid: fileidOf(t), path: t.path }, Math.floor(Date.now() / 1000), services.settings.maxSkewMs / 1000);
    const engine = services.engine;
    if (!(await bucketUnder(services, t))) return sendDownloadError(ctx, 404, 'file does not exist');
    const principal: Principal = auth ? auth.principal : { kind: 'anonymous' };
    ctx.action = 's3:GetObject';
    await services.authorizer.authorize(principal, 's3:GetObject', resourceOf(t.bucket, t.key), factsOf(ctx, 'cos', !auth ? 'none' : ctx.query.has('sign') ? 'query' : 'header'));
    const o = await engine.getObject(t.bucket, t.key);
    const headers: Record<string, string | number> = {
      ...wireCustomHeaders(customHeadersOf(o.meta)),
      'content-type': o.meta.contentType ? contentHeader('content-type', o.meta.contentType) : 'application/octet-stream',
      'accept-ranges': 'bytes',
      etag: `"${o.etag}"`,
      'last-modified': new Date(o.lastModified).toUTCString(),
      server: 'Stratus',
    };
    delete headers['Content-Type'];
    const range = parseRange(ctx.header('range'), o.size);
    const length = range ? range.end - range.start + 1 : o.size;
    headers['content-length'] = length;
    if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${o.size}`;
    const status = range ? 206 : 200;
    if (ctx.method === 'HEAD' || length === 0) return await sendReply(ctx, { status, headers }, () => '');
    const body = length <= SMALL_BODY ? await engine.readSmall(o, range) : await engine.openData(o, range);
    await sendReply(ctx, { status, headers, body }, () => '');
  } catch (e) {
    if (e instanceof StorageError && e.code === 'InvalidRange') {
      ctx.res.setHeader('content-range', e.headers['content-range'] ?? '');
      return sendDownloadError(ctx, 416, 'the range is not satisfiable');
    }
    if (e instanceof StorageError && (e.code === 'NoSuchKey' || e.code === 'NoSuchBucket')) return sendDownloadError(ctx, 404, 'file does not exist');
    const c = toCosError(e);
    // Signature failures are 403, malformed addresses 400 (the download status codes: -403, -404, ...).
    if (c && c.status < 500) return sendDownloadError(ctx, c.status === 400 ? 400 : 403, c.cosName);
    ctx.log.error({ err: e, reqId: ctx.requestId }, 'internal error');
    sendDownloadError(ctx, 500, 'internal error');
  }
}
