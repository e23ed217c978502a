import type { ConditionTest } from './conditions.js';
import type { Matcher } from './wildcard.js';

/**
 * The one compiled policy model. S3's and IAM's JSON, OBS's variant (bare
 * action names and `bucket/key` resources, `{"ID": ["domain/<account>:user/<name>"]}`
 * principals) and OSS's `acs:` one all compile into it; the authorizer only
 * ever evaluates this. Actions are the s3: vocabulary of actions.ts,
 * resources are `bucket` or `bucket/key`, condition keys are canonical
 * lower-case `aws:` / `s3:` names (tag names keep their case).
 */
export type PolicyDialect = 's3' | 'oss' | 'obs';
export type Effect = 'Allow' | 'Deny';

/** Whom a statement's Principal / NotPrincipal names. */
export interface PrincipalSet {
  /** `*`: everyone, anonymous callers included. */
  any: boolean;
  /** Accounts named as a whole (their root and every user and role of theirs). */
  accounts: Matcher[];
  /** Users: account and user name (or id). */
  users: { account: Matcher; name: Matcher }[];
  /** Roles (and their sessions): account, role name, session name. */
  roles: { account: Matcher; name: Matcher; session: Matcher }[];
}

export interface CompiledCondition {
  /** As written, for messages. */
  operator: string;
  /** Canonical key (see above). */
  key: string;
  test: ConditionTest;
}

export interface Statement {
  sid?: string;
  effect: Effect;
  /** Undefined in identity policies: the statement applies to whoever holds the policy. */
  principal?: { set: PrincipalSet; not: boolean };
  action: { match: Matcher; not: boolean };
  resource: { match: Matcher; not: boolean };
  conditions: CompiledCondition[];
}

export interface CompiledPolicy {
  statements: Statement[];
  /** Whether any condition asks for the object's current tags (s3:ExistingObjectTag/...): the authorizer reads them only then. */
  readsObjectTags: boolean;
}

/** What a policy is evaluated against. */
export interface PolicyRequest {
  principal: import('../principal.js').Principal;
  action: string;
  /** `bucket`, `bucket/key`, or `*` for actions on the account. */
  resource: string;
  /** The request's values of a canonical condition key; undefined when it has none. */
  keys(name: string): readonly string[] | undefined;
}

export type Verdict = 'Allow' | 'Deny' | 'none';
