/**
 * The STS actions: GetCallerIdentity, GetSessionToken and AssumeRole.
 * Temporary credentials are stored sessions (identity.issueSession) that every
 * dialect accepts with their token until they expire or what they act for goes.
 */
import { assumedRoleArn, parseRoleArn, principalArn, userArn } from '../../identity/arn.js';
import { IamError, validation } from '../../identity/errors.js';
import type { IssuedSession } from '../../identity/identity.js';
import { checkPolicyDocument, trustAdmits } from '../../identity/policy-doc.js';
import { checkSeconds, required } from '../../identity/validate.js';
import { accessDenied, identityAllows, requestOf } from './access.js';
import type { IamCall } from './iam-actions.js';
import { iamDate } from './xml.js';

type Handler = (c: IamCall) => Promise<Record<string, unknown> | undefined>;

const credentialsXml = (s: IssuedSession) => ({ AccessKeyId: s.accessKeyId, SecretAccessKey: s.secretAccessKey, SessionToken: s.sessionToken, Expiration: iamDate(s.expiresAt) });

/** The caller's own ARN (a user's with its path). */
async function callerArn(c: IamCall): Promise<string> {
  const p = c.principal;
  if (p.kind === 'user') {
    const u = await c.identity.user(p.accountId, p.userName).catch(() => undefined);
    return userArn(p.accountId, u?.path ?? '/', p.userName);
  }
  return principalArn(p);
}

export const STS_ACTIONS: Record<string, Handler> = {
  async GetCallerIdentity(c) {
    const p = c.principal;
    const userId = p.kind === 'user' ? p.userId : p.kind === 'role' ? `${p.roleId}:${p.session.name ?? ''}` : p.accountId;
    return { Arn: await callerArn(c), UserId: userId, Account: p.accountId };
  },

  async GetSessionToken(c) {
    const p = c.principal;
    if (p.kind === 'role' || p.session) throw new IamError('AccessDenied', 'Cannot call GetSessionToken with session credentials');
    // An account root's sessions last at most an hour, a user's up to 36 hours (AWS's limits).
    const max = p.kind === 'root' ? 3600 : 129600;
    const seconds = checkSeconds('durationSeconds', c.params.get('DurationSeconds') ?? undefined, 900, max, p.kind === 'root' ? 3600 : 43200);
    const s = await c.identity.issueSession(
      { accountId: p.accountId, ...(p.kind === 'user' ? { userName: p.userName, principalId: p.userId } : {}) },
      c.credential.accessKeyId,
      seconds,
    );
    return { Credentials: credentialsXml(s) };
  },

  async AssumeRole(c) {
    const arn = required('RoleArn', c.params.get('RoleArn') ?? undefined);
    const sessionName = required('RoleSessionName', c.params.get('RoleSessionName') ?? undefined);
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw validation(`1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`);
    }
    const policy = c.params.get('Policy') ?? undefined;
    if (policy !== undefined) {
      if (policy.length > 2048) throw new IamError('PackedPolicyTooLarge', 'Packed size of the session policy exceeds the limit of 2048 characters.');
      checkPolicyDocument(policy, 'session');
    }
    const target = parseRoleArn(arn);
    if (!target) throw validation(`${arn} is invalid`);
    const denied = accessDenied(c.principal, 'sts:AssumeRole', arn);
    const role = await c.identity.role(target.accountId, target.name).catch(() => undefined);
    if (!role) throw denied;
    // The trust policy may also ask for the caller's ExternalId and the session's name.
    const externalId = c.params.get('ExternalId') ?? undefined;
    const keys = (name: string) => (name === 'sts:externalid' ? (externalId === undefined ? undefined : [externalId]) : name === 'sts:rolesessionname' ? [sessionName] : c.keys(name));
    const admitted = trustAdmits(role.trustPolicy, { ...requestOf(c, 'sts:AssumeRole', arn), keys });
    if (!admitted) throw denied;
    // A trust policy naming an account (not the caller) delegates to that account, and a caller of another account
    // answers to its own: then the caller's own policies must allow sts:AssumeRole too (AWS's rule).
    if ((admitted === 'account' || c.principal.accountId !== role.accountId) && !(await identityAllows(c, 'sts:AssumeRole', arn))) throw denied;
    const seconds = checkSeconds('durationSeconds', c.params.get('DurationSeconds') ?? undefined, 900, 43200, 3600);
    if (seconds > role.maxSessionDuration) {
      throw validation(`The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`);
    }
    const s = await c.identity.issueSession({ accountId: role.accountId, role, sessionName, ...(policy !== undefined ? { policy } : {}) }, await c.identity.parentOf(c.credential.accessKeyId), seconds);
    return {
      Credentials: credentialsXml(s),
      AssumedRoleUser: { AssumedRoleId: `${role.id}:${sessionName}`, Arn: assumedRoleArn(role.accountId, role.name, sessionName) },
      ...(policy !== undefined ? { PackedPolicySize: Math.ceil((policy.length * 100) / 2048) } : {}),
    };
  },
};


