/**
 * The IAM actions Stratus answers (users, access keys, roles and their inline
 * policies), and the operator's CreateAccount. Each checks who may call it
 * (access.ts), then asks the identity layer; results are IAM's XML shapes.
 */
import type { Workers } from '../../workers/index.js';
import type { WorkerStatus } from '../../workers/worker.js';
import type { PolicyRequest } from '../../authz/policy/model.js';
import type { Principal } from '../../authz/principal.js';
import type { Credential } from '../../auth/s3-verify.js';
import { accountArn, roleArn, userArn } from '../../identity/arn.js';
import { IamError, validation } from '../../identity/errors.js';
import { FIRST_ACCOUNT, type Identity } from '../../identity/identity.js';
import { checkName, checkSeconds, required } from '../../identity/validate.js';
import type { AccessKeyRecord, RoleRecord, UserRecord } from '../../meta/types.js';
import { authorizeIam } from './access.js';
import { iamDate, members } from './xml.js';

export interface IamCall {
  identity: Identity;
  principal: Exclude<Principal, { kind: 'anonymous' }>;
  credential: Credential;
  params: URLSearchParams;
  /** The request's condition keys (aws:SourceIp, aws:CurrentTime, ...) for the policies the call is decided by. */
  keys: PolicyRequest['keys'];
  /** The answering gateway's background workers (operator actions ListWorkers / RunWorker). */
  workers?: Workers;
}

type Handler = (c: IamCall) => Promise<Record<string, unknown> | undefined>;

const param = (c: IamCall, name: string) => c.params.get(name) ?? undefined;
/** IAM returns policy documents URL-encoded (RFC 3986), as boto3 expects to decode them. */
const encodeDoc = (doc: string) => encodeURIComponent(doc).replace(/[!'()*]/g, (ch) => '%' + ch.charCodeAt(0).toString(16).toUpperCase());

const userXml = (u: UserRecord) => ({ Path: u.path, UserName: u.name, UserId: u.id, Arn: userArn(u.accountId, u.path, u.name), CreateDate: iamDate(u.createdAt) });
const roleXml = (r: RoleRecord) => ({
  Path: r.path,
  RoleName: r.name,
  RoleId: r.id,
  Arn: roleArn(r.accountId, r.path, r.name),
  CreateDate: iamDate(r.createdAt),
  AssumeRolePolicyDocument: encodeDoc(r.trustPolicy),
  ...(r.description !== null ? { Description: r.description } : {}),
  MaxSessionDuration: r.maxSessionDuration,
});
const keyXml = (k: AccessKeyRecord) => ({ ...(k.userName ? { UserName: k.userName } : {}), AccessKeyId: k.accessKeyId, Status: k.status ?? 'Active', CreateDate: iamDate(k.createdAt) });

/** `Marker` / `MaxItems` paging over a name-ordered list. */
function page<T>(c: IamCall, items: T[], nameOf: (t: T) => string): { items: T[]; more: Record<string, unknown> } {
  const max = checkSeconds('maxItems', param(c, 'MaxItems'), 1, 1000, 100);
  const marker = param(c, 'Marker');
  const from = marker === undefined ? 0 : items.findIndex((t) => Buffer.compare(Buffer.from(nameOf(t)), Buffer.from(marker)) > 0);
  const rest = from < 0 ? [] : items.slice(from);
  const shown = rest.slice(0, max);
  const truncated = rest.length > max;
  return { items: shown, more: truncated ? { IsTruncated: true, Marker: nameOf(shown[shown.length - 1]!) } : { IsTruncated: false } };
}

/**
 * The user an access-key action is about: the one named, else the caller
 * itself (a user), else the account root (undefined). A role must name one.
 */
function keyOwner(c: IamCall): string | undefined {
  const named = param(c, 'UserName');
  if (named !== undefined) return checkName('userName', named, 64);
  if (c.principal.kind === 'user') return c.principal.userName;
  if (c.principal.kind === 'role') throw validation('Must specify userName when calling with non-User credentials');
  return undefined;
}

const acct = (c: IamCall) => c.principal.accountId;
const userResource = (c: IamCall, name: string | undefined) => (name === undefined ? accountArn(acct(c)) : userArn(acct(c), '/', name));
const roleResource = (c: IamCall, name: string) => roleArn(acct(c), '/', name);

function policyActions(kind: 'user' | 'role'): Record<string, Handler> {
  const K = kind === 'user' ? 'User' : 'Role';
  const ownerOf = (c: IamCall) => checkName(`${kind}Name`, param(c, `${K}Name`), 64);
  const res = (c: IamCall, n: string) => (kind === 'user' ? userResource(c, n) : roleResource(c, n));
  return {
    async [`Put${K}Policy`](c) {
      const owner = ownerOf(c);
      await authorizeIam(c, `iam:Put${K}Policy`, res(c, owner));
      await c.identity.putPolicy(acct(c), kind, owner, required('PolicyName', param(c, 'PolicyName')), required('PolicyDocument', param(c, 'PolicyDocument')));
      return undefined;
    },
    async [`Get${K}Policy`](c) {
      const owner = ownerOf(c);
      await authorizeIam(c, `iam:Get${K}Policy`, res(c, owner));
      const got = await c.identity.getPolicy(acct(c), kind, owner, required('PolicyName', param(c, 'PolicyName')));
      return { [`${K}Name`]: got.owner, PolicyName: got.policy.name, PolicyDocument: encodeDoc(got.policy.document) };
    },
    async [`List${K}Policies`](c) {
      const owner = ownerOf(c);
      await authorizeIam(c, `iam:List${K}Policies`, res(c, owner));
      const p = page(c, await c.identity.listPolicies(acct(c), kind, owner), (x) => x.name);
      return { PolicyNames: members(p.items.map((x) => x.name)), ...p.more };
    },
    async [`Delete${K}Policy`](c) {
      const owner = ownerOf(c);
      await authorizeIam(c, `iam:Delete${K}Policy`, res(c, owner));
      await c.identity.deletePolicy(acct(c), kind, owner, required('PolicyName', param(c, 'PolicyName')));
      return undefined;
    },
  };
}

export const IAM_ACTIONS: Record<string, Handler> = {
  async CreateUser(c) {
    const name = checkName('userName', param(c, 'UserName'), 64);
    await authorizeIam(c, 'iam:CreateUser', userResource(c, name));
    return { User: userXml(await c.identity.createUser(acct(c), name, param(c, 'Path'))) };
  },
  async GetUser(c) {
    const named = param(c, 'UserName');
    if (named === undefined && c.principal.kind === 'root') {
      // The root's own view: its account as the "user".
      const a = await c.identity.account(acct(c));
      return { User: { UserId: acct(c), Arn: accountArn(acct(c)), CreateDate: iamDate(a?.createdAt ?? 0) } };
    }
    const name = named ?? (c.principal.kind === 'user' ? c.principal.userName : undefined);
    if (name === undefined) throw validation('Must specify userName when calling with non-User credentials');
    await authorizeIam(c, 'iam:GetUser', userResource(c, name));
    return { User: userXml(await c.identity.user(acct(c), name)) };
  },
  async ListUsers(c) {
    await authorizeIam(c, 'iam:ListUsers', userArn(acct(c), '/', ''));
    const p = page(c, await c.identity.listUsers(acct(c), param(c, 'PathPrefix')), (u) => u.name);
    return { Users: members(p.items.map(userXml)), ...p.more };
  },
  async DeleteUser(c) {
    const name = checkName('userName', param(c, 'UserName'), 64);
    await authorizeIam(c, 'iam:DeleteUser', userResource(c, name));
    await c.identity.deleteUser(acct(c), name);
    return undefined;
  },

  async CreateAccessKey(c) {
    const owner = keyOwner(c);
    await authorizeIam(c, 'iam:CreateAccessKey', userResource(c, owner));
    const k = await c.identity.createAccessKey(acct(c), owner);
    return { AccessKey: { ...keyXml(k), SecretAccessKey: k.secretAccessKey } };
  },
  async ListAccessKeys(c) {
    const owner = keyOwner(c);
    await authorizeIam(c, 'iam:ListAccessKeys', userResource(c, owner));
    const keys = await c.identity.listAccessKeys(acct(c), owner);
    const p = page(c, keys, (k) => k.accessKeyId);
    return { ...(owner !== undefined ? { UserName: keys[0]?.userName ?? owner } : {}), AccessKeyMetadata: members(p.items.map(keyXml)), ...p.more };
  },
  async UpdateAccessKey(c) {
    const owner = keyOwner(c);
    const status = required('Status', param(c, 'Status'));
    if (status !== 'Active' && status !== 'Inactive') throw validation(`1 validation error detected: Value '${status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`);
    await authorizeIam(c, 'iam:UpdateAccessKey', userResource(c, owner));
    await c.identity.updateAccessKey(acct(c), owner, required('AccessKeyId', param(c, 'AccessKeyId')), status);
    return undefined;
  },
  async DeleteAccessKey(c) {
    const owner = keyOwner(c);
    await authorizeIam(c, 'iam:DeleteAccessKey', userResource(c, owner));
    await c.identity.deleteAccessKey(acct(c), owner, required('AccessKeyId', param(c, 'AccessKeyId')));
    return undefined;
  },

  ...policyActions('user'),

  async CreateRole(c) {
    const name = checkName('roleName', param(c, 'RoleName'), 64);
    await authorizeIam(c, 'iam:CreateRole', roleResource(c, name));
    const role = await c.identity.createRole({
      accountId: acct(c),
      name,
      path: param(c, 'Path') ?? '/',
      trustPolicy: required('AssumeRolePolicyDocument', param(c, 'AssumeRolePolicyDocument')),
      maxSessionDuration: checkSeconds('maxSessionDuration', param(c, 'MaxSessionDuration'), 3600, 43200, 3600),
      description: param(c, 'Description') ?? null,
    });
    return { Role: roleXml(role) };
  },
  async GetRole(c) {
    const name = checkName('roleName', param(c, 'RoleName'), 64);
    await authorizeIam(c, 'iam:GetRole', roleResource(c, name));
    return { Role: roleXml(await c.identity.role(acct(c), name)) };
  },
  async ListRoles(c) {
    await authorizeIam(c, 'iam:ListRoles', roleArn(acct(c), '/', ''));
    const p = page(c, await c.identity.listRoles(acct(c), param(c, 'PathPrefix')), (r) => r.name);
    return { Roles: members(p.items.map(roleXml)), ...p.more };
  },
  async DeleteRole(c) {
    const name = checkName('roleName', param(c, 'RoleName'), 64);
    await authorizeIam(c, 'iam:DeleteRole', roleResource(c, name));
    await c.identity.deleteRole(acct(c), name);
    return undefined;
  },

  ...policyActions('role'),

  // Stratus has no groups, managed policies or OIDC providers: their listings are empty, so clients
  // that clean up by listing them (ceph/s3-tests' fixtures) work.
  async ListGroups(c) {
    await authorizeIam(c, 'iam:ListGroups', `arn:aws:iam::${acct(c)}:group/`);
    return { Groups: '', IsTruncated: false };
  },
  async ListGroupsForUser(c) {
    const name = checkName('userName', param(c, 'UserName'), 64);
    await authorizeIam(c, 'iam:ListGroupsForUser', userResource(c, name));
    await c.identity.user(acct(c), name);
    return { Groups: '', IsTruncated: false };
  },
  async ListAttachedUserPolicies(c) {
    const name = checkName('userName', param(c, 'UserName'), 64);
    await authorizeIam(c, 'iam:ListAttachedUserPolicies', userResource(c, name));
    await c.identity.user(acct(c), name);
    return { AttachedPolicies: '', IsTruncated: false };
  },
  async ListAttachedRolePolicies(c) {
    const name = checkName('roleName', param(c, 'RoleName'), 64);
    await authorizeIam(c, 'iam:ListAttachedRolePolicies', roleResource(c, name));
    await c.identity.role(acct(c), name);
    return { AttachedPolicies: '', IsTruncated: false };
  },
  async ListOpenIDConnectProviders(c) {
    await authorizeIam(c, 'iam:ListOpenIDConnectProviders', `arn:aws:iam::${acct(c)}:oidc-provider/`);
    return { OpenIDConnectProviderList: '' };
  },

  /**
   * Stratus' operator action (not AWS's): a new account and its root key
   * pair. Only the first-start account's root, with its long-term key, may
   * call it; IAM itself never creates accounts.
   */
  async CreateAccount(c) {
    requireOperator(c, 'create accounts');
    const o = {
      name: required('AccountName', param(c, 'AccountName')),
      ...(param(c, 'Email') !== undefined ? { email: param(c, 'Email') } : {}),
      ...(param(c, 'DisplayName') !== undefined ? { displayName: param(c, 'DisplayName') } : {}),
      ...(param(c, 'AccessKeyId') !== undefined ? { accessKeyId: param(c, 'AccessKeyId') } : {}),
      ...(param(c, 'SecretAccessKey') !== undefined ? { secretAccessKey: param(c, 'SecretAccessKey') } : {}),
      ...(param(c, 'Appid') !== undefined ? { appid: param(c, 'Appid') } : {}),
    };
    const { account, key } = await c.identity.createAccount(o);
    return {
      Account: { AccountId: account.id, AccountName: account.name, DisplayName: account.displayName, ...(account.email ? { Email: account.email } : {}), Appid: account.appid, CreateDate: iamDate(account.createdAt) },
      AccessKey: { ...keyXml(key), SecretAccessKey: key.secretAccessKey },
    };
  },

  /**
   * Stratus' operator action: the background workers as this gateway sees
   * them (state, lease holder, last pass, what the passes did). On a gateway
   * started with --no-workers the list is empty.
   */
  async ListWorkers(c) {
    requireOperator(c, 'see the workers');
    return { Workers: members((c.workers?.status() ?? []).map(workerXml)) };
  },

  /** Stratus' operator action: a pass of one worker now, on this gateway if it holds the worker's lease. */
  async RunWorker(c) {
    requireOperator(c, 'run workers');
    const name = required('WorkerName', param(c, 'WorkerName'));
    const w = c.workers?.get(name);
    if (!w) throw new IamError('NoSuchEntity', `The worker ${name} does not run on this gateway.`);
    const ran = await w.runNow();
    return { WorkerName: name, Ran: ran, Worker: workerXml(w.status()) };
  },
};

/** Operator actions: only the first-start account's root, with its long-term key. */
function requireOperator(c: IamCall, what: string): void {
  if (c.principal.kind !== 'root' || c.principal.accountId !== FIRST_ACCOUNT || c.principal.session) {
    throw new IamError('AccessDenied', `Only the root of the first-start account may ${what}.`);
  }
}

function workerXml(w: WorkerStatus): Record<string, unknown> {
  const at = (t: number | undefined) => (t === undefined ? undefined : iamDate(t));
  return {
    Name: w.name,
    State: w.state,
    Holder: w.holder,
    ...(w.leaseHolder ? { LeaseHolder: w.leaseHolder } : {}),
    Passes: w.passes,
    ...(w.lastRunStartedAt !== undefined ? { LastRunStartedAt: at(w.lastRunStartedAt) } : {}),
    ...(w.lastRunEndedAt !== undefined ? { LastRunEndedAt: at(w.lastRunEndedAt) } : {}),
    ...(w.lastError ? { LastError: w.lastError } : {}),
    Counts: members(Object.entries(w.counts).map(([k, v]) => ({ Name: k, Value: v }))),
  };
}
