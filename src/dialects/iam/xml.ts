/** IAM's and STS's XML: `<XResponse><XResult>…</XResult><ResponseMetadata>…` and `<ErrorResponse>`. */
import { renderXml } from '../../api/xml.js';
import { IamError, isIamError } from '../../identity/errors.js';
import type { HttpContext } from '../../http/context.js';

export const XMLNS = { iam: 'https://iam.amazonaws.com/doc/2010-05-08/', sts: 'https://sts.amazonaws.com/doc/2011-06-15/' } as const;

/** IAM's dates: ISO 8601 in whole seconds. */
export const iamDate = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** A list of `member` elements (an empty element when there are none). */
export const members = <T>(items: T[]): unknown => (items.length ? { member: items } : '');

function send(ctx: HttpContext, status: number, body: string): void {
  ctx.res.statusCode = status;
  ctx.res.setHeader('content-type', 'text/xml');
  ctx.res.setHeader('x-amzn-requestid', ctx.requestId);
  ctx.res.setHeader('content-length', Buffer.byteLength(body));
  ctx.res.end(body);
}

export function sendResult(ctx: HttpContext, service: 'iam' | 'sts', action: string, result: Record<string, unknown> | undefined): void {
  const value: Record<string, unknown> = {};
  if (result) value[`${action}Result`] = result;
  value.ResponseMetadata = { RequestId: ctx.requestId };
  send(ctx, 200, renderXml({ root: `${action}Response`, value }, XMLNS[service]));
}

export function sendError(ctx: HttpContext, service: 'iam' | 'sts', e: unknown): void {
  if (!isIamError(e)) ctx.log.error({ err: e, reqId: ctx.requestId }, 'internal error');
  const err = isIamError(e) ? e : new IamError('ServiceFailure', 'An internal error occurred.');
  if (ctx.res.headersSent) {
    ctx.res.destroy();
    return;
  }
  if (!ctx.req.complete) ctx.res.setHeader('connection', 'close');
  const body = renderXml({ root: 'ErrorResponse', value: { Error: { Type: err.type, Code: err.code, Message: err.message }, RequestId: ctx.requestId } }, XMLNS[service]);
  send(ctx, err.status, body);
}
