/** The ARNs IAM and STS name identities by (the account id is Stratus' canonical id). */
import type { Principal } from '../authz/principal.js';

export const accountArn = (accountId: string) => `arn:aws:iam::${accountId}:root`;
export const userArn = (accountId: string, path: string, name: string) => `arn:aws:iam::${accountId}:user${path}${name}`;
export const roleArn = (accountId: string, path: string, name: string) => `arn:aws:iam::${accountId}:role${path}${name}`;
export const assumedRoleArn = (accountId: string, role: string, session: string) => `arn:aws:sts::${accountId}:assumed-role/${role}/${session}`;

/** `arn:aws:iam::<account>:role/<path/>name` → account and name (the path is not part of the identity). */
export function parseRoleArn(arn: string): { accountId: string; name: string } | undefined {
  const m = /^arn:aws:iam::([^:]*):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn);
  return m ? { accountId: m[1]!, name: m[2]! } : undefined;
}

/** The ARN a principal's requests are made as (GetCallerIdentity; a policy's aws:PrincipalArn). */
export function principalArn(p: Principal, userPath = '/'): string {
  switch (p.kind) {
    case 'root':
      return accountArn(p.accountId);
    case 'user':
      return userArn(p.accountId, userPath, p.userName);
    case 'role':
      return assumedRoleArn(p.accountId, p.roleName, p.session.name ?? '');
    case 'anonymous':
      return '*';
  }
}
