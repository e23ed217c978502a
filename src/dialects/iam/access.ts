/**
 * Who may use the IAM API: an account's root with its long-term keys, a user
 * whose identity policies allow the `iam:` action, or a role session whose
 * role policies (and session policy) allow it. Credentials from
 * GetSessionToken are refused, as AWS refuses them without MFA. Policies are
 * evaluated by the authorizer's engine (src/authz/policy, through
 * identity/policy-doc.ts), so their conditions (aws:SourceIp,
 * aws:SecureTransport, aws:CurrentTime, ...) are honoured here too.
 */
import type { PolicyRequest } from '../../authz/policy/model.js';
import type { Principal } from '../../authz/principal.js';
import { principalArn } from '../../identity/arn.js';
import { IamError } from '../../identity/errors.js';
import { decide } from '../../identity/policy-doc.js';
import type { IamCall } from './iam-actions.js';

const refused = (p: Principal, action: string, resource: string) =>
  new IamError('AccessDenied', `User: ${principalArn(p)} is not authorized to perform: ${action} on resource: ${resource}`);

/** The question a call asks of policies: its principal and request's condition keys, an action on a resource ARN. */
export const requestOf = (c: IamCall, action: string, resource: string): PolicyRequest => ({ principal: c.principal, action, resource, keys: c.keys });

/** Whether the caller's own policies allow `action` on `resource` (an account root's always do, within its session policy). */
export async function identityAllows(c: IamCall, action: string, resource: string): Promise<boolean> {
  const p = c.principal;
  const req = requestOf(c, action, resource);
  if (p.kind !== 'root' && decide(await c.identity.policiesOf(p), req) !== 'Allow') return false;
  const sessionPolicy = p.session?.policy;
  return sessionPolicy === undefined || decide([sessionPolicy], req) === 'Allow';
}

export async function authorizeIam(c: IamCall, action: string, resource: string): Promise<void> {
  const p = c.principal;
  if (p.kind !== 'role' && p.session) {
    throw new IamError('InvalidClientTokenId', 'The security token included in the request is invalid: IAM operations cannot be called with GetSessionToken credentials without MFA.');
  }
  if (!(await identityAllows(c, action, resource))) throw refused(p, action, resource);
}

export { refused as accessDenied };
