import type { PayloadCheck } from '../auth/s3-verify.js';
import type { Action } from '../authz/actions.js';
import type { Caller } from '../engine/types.js';
import type { HttpContext } from '../http/context.js';
import type { Services } from '../http/services.js';
import type { Vocabulary } from './vocabulary.js';

/** Everything an operation needs: the request, the server, the caller and the dialect's vocabulary. */
export interface OpContext {
  http: HttpContext;
  services: Services;
  vocab: Vocabulary;
  caller: Caller;
  bucket?: string;
  key?: string;
  /** How the body must be checked, as the signature established it. */
  payload: PayloadCheck;
  /** The region the request was signed for (SigV4, OSS V4); a new bucket's region when the request names none. */
  signingRegion?: string;
  /**
   * The authorizer's question for one object of a request that names many
   * (DeleteObjects): throws AccessDenied as `authorize` does. Set by the
   * dialect, bound to the request's principal; the handler asks it per key.
   */
  authorizeKey?(action: Action, key: string, versionId?: string): Promise<void>;
}

export function requireBucket(op: OpContext): string {
  return op.bucket!;
}

export function requireKey(op: OpContext): string {
  return op.key!;
}
