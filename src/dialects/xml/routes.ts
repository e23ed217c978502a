import type { OpContext } from '../../api/op-context.js';
import { isAction, type Action } from '../../authz/actions.js';
import type { Reply } from '../../http/reply.js';

export type Target = 'service' | 'bucket' | 'object';
export type Handler = (op: OpContext) => Promise<Reply>;

export interface Route {
  method: string;
  target: Target;
  /** A query parameter that selects the operation (a sub-resource such as `location`). */
  sub?: string;
  /** A request header that selects the operation (e.g. x-amz-copy-source). */
  header?: string;
  /** A further test of the request's headers (e.g. a multipart/form-data body for POST Object). */
  when?: (headers: Record<string, unknown>) => boolean;
  /** What the operation does, as the authorizer sees it (required: no route runs unauthorized). */
  action: Action;
  /** The operation also reads the object the dialect's copy-source header names (when sent): authorized as s3:GetObject on it. */
  readsCopySource?: boolean;
  handler: Handler;
}

/** Refuses a route table with a row that names no known action (a dialect is built from it once, at start-up). */
export function checkRoutes(dialect: string, routes: readonly Route[]): void {
  for (const r of routes) {
    if (!isAction(r.action)) throw new Error(`${dialect}: route ${r.method} ${r.target}${r.sub ? '?' + r.sub : ''} names no action`);
  }
}

/**
 * First matching row wins: rows with a sub-resource or header come before the
 * plain row for the same method and target. A plain row never swallows a
 * query parameter outside `plainParams` (an unimplemented sub-resource).
 */
export function findRoute(
  routes: Route[],
  method: string,
  target: Target,
  query: Map<string, string>,
  headers: Record<string, unknown>,
  plainParams: (name: string, value: string) => boolean,
): Route | 'method' | 'sub' {
  let methodSeen = false;
  for (const r of routes) {
    if (r.target !== target || r.method !== method) continue;
    methodSeen = true;
    if (r.sub !== undefined && !query.has(r.sub)) continue;
    if (r.header !== undefined && headers[r.header] === undefined) continue;
    if (r.when && !r.when(headers)) continue;
    if (r.sub === undefined) {
      for (const [k, v] of query) if (!plainParams(k, v)) return 'sub';
    }
    return r;
  }
  return methodSeen ? 'sub' : 'method';
}
