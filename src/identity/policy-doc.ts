/**
 * Just enough of IAM's policy language for the identity layer itself:
 * checking that a document IAM is given is a policy (MalformedPolicyDocument
 * otherwise), deciding who may use the IAM API and AssumeRole, and matching
 * a role's trust policy against the caller. Bucket and object decisions are
 * the authorizer's (src/authz), which evaluates the same documents fully.
 * This evaluator ignores Condition blocks on Allow (conservatively: such a
 * statement grants nothing here) and honours them nowhere else.
 */
import { IamError } from './errors.js';

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Condition?: unknown;
}

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
/** IAM's limit for a role's trust policy and inline policies (a user's are 2048 in AWS; one limit here). */
export const MAX_POLICY_CHARS = 10240;

const malformed = (m: string) => new IamError('MalformedPolicyDocument', m);
const strings = (v: unknown): string[] | undefined =>
  typeof v === 'string' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;

function statementsOf(doc: unknown): Statement[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw malformed('Syntax errors in policy.');
  const d = doc as { Version?: unknown; Statement?: unknown };
  if (d.Version === undefined) throw malformed('The policy must contain a valid version string');
  if (typeof d.Version !== 'string' || !VERSIONS.has(d.Version)) throw malformed('The policy must contain a valid version string');
  if (d.Statement === undefined) throw malformed('Missing required field Statement');
  const list = Array.isArray(d.Statement) ? d.Statement : [d.Statement];
  if (list.length === 0) throw malformed('Missing required field Statement');
  return list as Statement[];
}

/**
 * Parses a policy IAM is asked to store. Identity policies name resources and
 * no principal; trust policies name a principal and no resource.
 */
export function checkPolicyDocument(text: string, kind: 'identity' | 'trust' | 'session'): void {
  if (text.length > MAX_POLICY_CHARS) throw new IamError('LimitExceeded', `Cannot exceed quota for PolicySize: ${MAX_POLICY_CHARS}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('Syntax errors in policy.');
  }
  statementsOf(doc).forEach((s, i) => {
    const at = `Statement ${i + 1}`;
    if (typeof s !== 'object' || s === null || Array.isArray(s)) throw malformed(`Syntax errors in policy (${at}).`);
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw malformed(`${at}: Effect must be Allow or Deny`);
    const action = s.Action ?? s.NotAction;
    if (action === undefined) throw malformed(`Policy statement must contain actions (${at}).`);
    if (!strings(action)) throw malformed(`${at}: Action must be a string or a list of strings`);
    if (kind === 'trust') {
      if (s.Principal === undefined && s.NotPrincipal === undefined) throw malformed(`Has prohibited field Resource or is missing Principal (${at}).`);
      if (s.Resource !== undefined || s.NotResource !== undefined) throw malformed(`Has prohibited field Resource (${at}).`);
    } else {
      if (s.Principal !== undefined || s.NotPrincipal !== undefined) throw malformed(`Policy document should not specify a principal (${at}).`);
      const res = s.Resource ?? s.NotResource;
      if (res === undefined) throw malformed(`Policy statement must contain resources (${at}).`);
      if (!strings(res)) throw malformed(`${at}: Resource must be a string or a list of strings`);
    }
  });
}

/** IAM wildcards: `*` any run, `?` one character; case-insensitive for actions. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', ignoreCase ? 'is' : 's');
  return re.test(value);
}

function matchesAny(patterns: unknown, value: string, ignoreCase: boolean): boolean {
  return (strings(patterns) ?? []).some((p) => wildcardMatch(p, value, ignoreCase));
}

function statementMatches(s: Statement, action: string, resource: string): boolean {
  const actionOk = s.Action !== undefined ? matchesAny(s.Action, action, true) : s.NotAction !== undefined && !matchesAny(s.NotAction, action, true);
  if (!actionOk) return false;
  if (s.Resource !== undefined) return matchesAny(s.Resource, resource, false);
  if (s.NotResource !== undefined) return !matchesAny(s.NotResource, resource, false);
  return true;
}

function parsed(text: string): Statement[] {
  try {
    return statementsOf(JSON.parse(text));
  } catch {
    return [];
  }
}

/**
 * What identity policies say about an action on a resource ARN: an explicit
 * Deny wins, then an Allow, else nothing (an implicit deny).
 */
export function decide(policies: string[], action: string, resource: string): 'allow' | 'deny' | 'none' {
  let allowed = false;
  for (const text of policies) {
    for (const s of parsed(text)) {
      if (!statementMatches(s, action, resource)) continue;
      if (s.Effect === 'Deny') return 'deny';
      if (s.Effect === 'Allow' && s.Condition === undefined) allowed = true;
    }
  }
  return allowed ? 'allow' : 'none';
}

/** The caller as a trust policy's Principal may name it. */
export interface TrustCaller {
  accountId: string;
  /** arn:aws:iam::<account>:user/<path><name>, or the account's :root. */
  arn: string;
}

function principalNames(p: unknown, caller: TrustCaller): 'caller' | 'account' | undefined {
  if (p === '*') return 'account';
  if (typeof p !== 'object' || p === null) return undefined;
  const aws = strings((p as { AWS?: unknown }).AWS) ?? [];
  let found: 'caller' | 'account' | undefined;
  for (const name of aws) {
    if (name === '*') found ??= 'account';
    else if (name === caller.accountId || name === `arn:aws:iam::${caller.accountId}:root`) found ??= 'account';
    else if (name === caller.arn) found = 'caller';
  }
  return found;
}

/**
 * Whether a role's trust policy lets the caller assume it: 'caller' when it
 * names the caller itself (enough on its own), 'account' when it names the
 * caller's account or everyone (then the caller's own policies must also
 * allow sts:AssumeRole, unless it is the account's root), undefined when it
 * does not admit the caller or a Deny names it.
 */
export function trustAdmits(trustPolicy: string, caller: TrustCaller): 'caller' | 'account' | undefined {
  let admitted: 'caller' | 'account' | undefined;
  for (const s of parsed(trustPolicy)) {
    if (!(s.Action !== undefined ? matchesAny(s.Action, 'sts:AssumeRole', true) : !matchesAny(s.NotAction, 'sts:AssumeRole', true))) continue;
    const named = principalNames(s.Principal, caller);
    if (!named) continue;
    if (s.Effect === 'Deny') return undefined;
    if (s.Effect === 'Allow' && s.Condition === undefined && admitted !== 'caller') admitted = named;
  }
  return admitted;
}
