import type { Principal } from '../principal.js';
import type { CompiledPolicy, PolicyRequest, PrincipalSet, Statement, Verdict } from './model.js';

/** Whether a principal is one of those a Principal element names. */
export function principalIn(set: PrincipalSet, p: Principal): boolean {
  if (set.any) return true;
  if (p.kind === 'anonymous') return false;
  if (set.accounts.some((m) => m(p.accountId))) return true;
  if (p.kind === 'user') return set.users.some((u) => u.account(p.accountId) && (u.name(p.userName) || u.name(p.userId)));
  if (p.kind === 'role') return set.roles.some((r) => r.account(p.accountId) && r.name(p.roleName) && r.session(p.session.name ?? ''));
  return false;
}

function applies(s: Statement, req: PolicyRequest): boolean {
  if (s.principal && principalIn(s.principal.set, req.principal) === s.principal.not) return false;
  if (s.action.match(req.action) === s.action.not) return false;
  if (s.resource.match(req.resource) === s.resource.not) return false;
  return s.conditions.every((c) => c.test(req.keys(c.key)));
}

/** A policy's verdict on a request: an applicable Deny wins over any Allow; neither is 'none'. */
export function evaluate(policy: CompiledPolicy, req: PolicyRequest): Verdict {
  let verdict: Verdict = 'none';
  for (const s of policy.statements) {
    if (!applies(s, req)) continue;
    if (s.effect === 'Deny') return 'Deny';
    verdict = 'Allow';
  }
  return verdict;
}

/**
 * Condition keys that tie a statement to known callers, making an Allow to
 * everyone not public (AWS's "fixed values" for the public test).
 */
const RESTRICTING = new Set([
  'aws:sourceip',
  'aws:sourcearn',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceowner',
  'aws:sourceaccount',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:principalorgid',
  'aws:userid',
  'aws:username',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
]);

/**
 * Whether a bucket policy is public as S3 defines it (GetBucketPolicyStatus,
 * BlockPublicPolicy, RestrictPublicBuckets): an Allow naming everyone whose
 * conditions do not pin the caller to fixed values.
 */
export function isPublicPolicy(policy: CompiledPolicy): boolean {
  return policy.statements.some((s) => {
    if (s.effect !== 'Allow' || !s.principal || s.principal.not || !s.principal.set.any) return false;
    return !s.conditions.some((c) => RESTRICTING.has(c.key) && !/not/i.test(c.operator) && !/^forallvalues:/i.test(c.operator));
  });
}
