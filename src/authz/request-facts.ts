import type { IncomingHttpHeaders } from 'node:http';
import type { HttpContext } from '../http/context.js';

/**
 * What a policy condition may ask about the request itself (aws:SourceIp,
 * aws:SecureTransport, aws:Referer, aws:CurrentTime, s3:prefix, s3:x-amz-acl
 * ...): taken from the HTTP request once, before the authorizer runs, so the
 * authorizer never reads the request.
 */
export interface RequestFacts {
  /** The dialect that answered (its resource names and errors). */
  dialect: 's3' | 'oss' | 'obs' | 'cos';
  /** The peer address (no proxy headers are trusted). */
  sourceIp: string;
  /** Whether the request came over TLS. */
  secureTransport: boolean;
  /** Lower-cased request headers. */
  headers: IncomingHttpHeaders;
  /** Decoded query parameters. */
  query: ReadonlyMap<string, string>;
  /** Epoch milliseconds the request arrived. */
  now: number;
  /** How the request was authenticated: signature in a header, in the query (presigned), in a form, or none. */
  authType: 'header' | 'query' | 'post' | 'none';
  /** Asked by the website endpoint, which looks objects up itself (index documents, error pages). */
  website?: boolean;
}

/** The facts of an HTTP request. */
export function factsOf(ctx: HttpContext, dialect: RequestFacts['dialect'], authType: RequestFacts['authType']): RequestFacts {
  const sock = ctx.req.socket as { remoteAddress?: string; encrypted?: boolean };
  const ip = (sock.remoteAddress ?? '').replace(/^::ffff:/, '');
  return { dialect, sourceIp: ip, secureTransport: sock.encrypted === true, headers: ctx.req.headers, query: ctx.query, now: ctx.startedAt, authType };
}
