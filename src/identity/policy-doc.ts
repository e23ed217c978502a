/**
 * The identity layer's use of the one policy engine (src/authz/policy): the
 * documents IAM stores (identity policies, role trust policies, STS session
 * policies) are parsed by the authorizer's parser, so what IAM accepts is what
 * the authorizer evaluates, and conditions are honoured everywhere.
 */
import { isStorageError } from '../engine/errors.js';
import { evaluate } from '../authz/policy/evaluate.js';
import type { CompiledPolicy, PolicyRequest, Verdict } from '../authz/policy/model.js';
import { parsePolicy } from '../authz/policy/parse.js';
import { IamError } from './errors.js';

/** IAM's limit for a role's trust policy and inline policies (a user's are 2048 in AWS; one limit here). */
export const MAX_POLICY_CHARS = 10240;

/** Compiled documents by kind and text: IAM calls and AssumeRole evaluate the same few documents over and over. */
const compiled = new Map<string, CompiledPolicy>();

/** Parses a document IAM is given; MalformedPolicyDocument (400) with the parser's message otherwise. */
export function compilePolicy(text: string, kind: 'identity' | 'trust' | 'session'): CompiledPolicy {
  if (text.length > MAX_POLICY_CHARS) throw new IamError('LimitExceeded', `Cannot exceed quota for PolicySize: ${MAX_POLICY_CHARS}`);
  const id = `${kind}\0${text}`;
  let c = compiled.get(id);
  if (c) return c;
  try {
    c = parsePolicy(text, { dialect: 's3', ...(kind === 'trust' ? { trust: true } : {}) });
  } catch (e) {
    if (isStorageError(e) && e.code === 'MalformedPolicy') throw new IamError('MalformedPolicyDocument', e.message);
    throw e;
  }
  if (compiled.size > 1000) compiled.clear();
  compiled.set(id, c);
  return c;
}

/** Refuses (MalformedPolicyDocument, LimitExceeded) a document IAM is asked to store. */
export function checkPolicyDocument(text: string, kind: 'identity' | 'trust' | 'session'): void {
  compilePolicy(text, kind);
}

/** A stored document's compiled form; one that no longer parses grants nothing. */
function stored(text: string, kind: 'identity' | 'trust' | 'session'): CompiledPolicy | undefined {
  try {
    return compilePolicy(text, kind);
  } catch {
    return undefined;
  }
}

/** Several identity policies' verdict on a request: any Deny, else any Allow, else none. */
export function decide(policies: readonly string[], req: PolicyRequest): Verdict {
  let verdict: Verdict = 'none';
  for (const text of policies) {
    const p = stored(text, 'identity');
    const v = p ? evaluate(p, req) : 'none';
    if (v === 'Deny') return 'Deny';
    if (v === 'Allow') verdict = 'Allow';
  }
  return verdict;
}

/**
 * Whether a role's trust policy lets the caller assume it (req.action is
 * sts:AssumeRole, req.resource the role's ARN): 'caller' when an Allow names
 * the caller itself (a user or role session, not just its account or
 * everyone), 'account' when it admits the caller only through its account or
 * `*` (then the caller's own policies must allow sts:AssumeRole too),
 * undefined when nothing allows it or a Deny applies.
 */
export function trustAdmits(trustPolicy: string, req: PolicyRequest): 'caller' | 'account' | undefined {
  const policy = stored(trustPolicy, 'trust');
  if (!policy || evaluate(policy, req) !== 'Allow') return undefined;
  // The same statements with their account-wide and `*` principals removed: still an Allow, the caller is named itself.
  const named: CompiledPolicy = {
    ...policy,
    statements: policy.statements.map((s) => (s.principal && !s.principal.not ? { ...s, principal: { not: false, set: { ...s.principal.set, any: false, accounts: [] } } } : s)),
  };
  return evaluate(named, req) === 'Allow' ? 'caller' : 'account';
}
