/**
 * Who a request acts as, as authentication established it. Produced by the
 * credential lookup (an access key names an account's root, one of its users,
 * or a temporary session) or by a dialect letting an unsigned request through
 * (anonymous); consumed by the authorizer only. Objects and buckets are owned
 * by accounts: a user or a session writes as its account (`accountOf`).
 */
export type Principal =
  | { kind: 'root'; accountId: string; session?: SessionInfo }
  | { kind: 'user'; accountId: string; userId: string; userName: string; session?: SessionInfo }
  | { kind: 'role'; accountId: string; roleId: string; roleName: string; session: SessionInfo }
  | { kind: 'anonymous' };

/** A temporary credential's facts (STS GetSessionToken / AssumeRole). */
export interface SessionInfo {
  /** The session's access key id (what a revocation names). */
  accessKeyId: string;
  /** Epoch milliseconds after which the credential is refused. */
  expiresAt: number;
  /** AssumeRole's RoleSessionName. */
  name?: string;
  /** An inline session policy (JSON text): the session may do at most what it allows. */
  policy?: string;
}

/** The principal of an authenticated account root ('' is an unsigned request a dialect let through). */
export function principalOf(accountId: string): Principal {
  return accountId === '' ? { kind: 'anonymous' } : { kind: 'root', accountId };
}

/** The account a principal acts for ('' for anonymous): the owner of what it creates. */
export function accountOf(p: Principal): string {
  return p.kind === 'anonymous' ? '' : p.accountId;
}
