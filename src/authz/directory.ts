import type { Principal } from './principal.js';

/** An account as S3 shows it (Owner, grantees). */
export interface AccountView {
  /** The account id buckets and objects are owned by (S3's canonical id on the wire). */
  id: string;
  displayName: string;
  email?: string;
}

/**
 * What the authorizer and the ACL handlers need to know about identities,
 * without reaching into how they are stored: the identity policies a
 * principal carries, and accounts by id or email (grants name either).
 */
export interface Directory {
  /** The identity-based policies (JSON texts) of a user or a role; [] for an account root or anonymous. */
  policiesOf(p: Principal): Promise<string[]>;
  accountById(id: string): Promise<AccountView | undefined>;
  accountByEmail(email: string): Promise<AccountView | undefined>;
}
