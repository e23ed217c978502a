/**
 * Who may use the IAM API: an account's root with its long-term keys, a user
 * whose identity policies allow the `iam:` action, or a role session whose
 * role policies (and session policy) allow it. Credentials from
 * GetSessionToken are refused, as AWS refuses them without MFA.
 *
 * For the merger: this is a deliberately small evaluator (policy-doc.ts
 * `decide`: Effect, Action / NotAction and Resource / NotResource wildcards,
 * no Condition); once the authz policy engine lands, ask it instead.
 */
import type { Principal } from '../../authz/principal.js';
import { principalArn } from '../../identity/arn.js';
import { IamError } from '../../identity/errors.js';
import type { Identity } from '../../identity/identity.js';
import { decide } from '../../identity/policy-doc.js';

const refused = (p: Principal, action: string, resource: string) =>
  new IamError('AccessDenied', `User: ${principalArn(p)} is not authorized to perform: ${action} on resource: ${resource}`);

/** Whether the principal's own policies allow `action` on `resource` (an account root's always do). */
export async function identityAllows(identity: Identity, p: Principal, action: string, resource: string): Promise<boolean> {
  if (p.kind === 'anonymous') return false;
  if (p.kind === 'root') return true;
  if (decide(await identity.policiesOf(p), action, resource) !== 'allow') return false;
  const sessionPolicy = p.session?.policy;
  return sessionPolicy === undefined || decide([sessionPolicy], action, resource) === 'allow';
}

export async function authorizeIam(identity: Identity, p: Principal, action: string, resource: string): Promise<void> {
  if (p.kind !== 'role' && p.kind !== 'anonymous' && p.session) {
    throw new IamError('InvalidClientTokenId', 'The security token included in the request is invalid: IAM operations cannot be called with GetSessionToken credentials without MFA.');
  }
  if (!(await identityAllows(identity, p, action, resource))) throw refused(p, action, resource);
}

export { refused as accessDenied };
