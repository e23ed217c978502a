/**
 * Identities over the metadata store: accounts, IAM users and their access
 * keys, roles, inline policies, and temporary (STS) credentials; and the one
 * credential lookup every dialect authenticates with. The IAM/STS front end
 * (src/dialects/iam) and the authorizer's Directory use this, never the store.
 * Secrets are returned to callers that must show them once, and never logged.
 */
import type { Principal, SessionInfo } from '../authz/principal.js';
import type { Credential } from '../auth/s3-verify.js';
import type { MetadataStore } from '../meta/store.js';
import type { AccessKeyRecord, AccountRecord, InlinePolicy, KeyStatus, PolicyOwner, RoleRecord, UserRecord } from '../meta/types.js';
import { IamError, noSuchEntity, validation } from './errors.js';
import { newAccessKeyId, newAccountId, newRoleId, newSecret, newSessionKeyId, newSessionToken, newUserId } from './ids.js';
import { checkPolicyDocument } from './policy-doc.js';
import { checkName, checkPath } from './validate.js';

/**
 * The first-start account's id. New accounts get a random 64-hex canonical
 * id; this one keeps the id it has always had, because it is stored as the
 * owner of every bucket, object and ACL written before accounts existed.
 * Its root is the operator: the only caller that may create accounts.
 */
export const FIRST_ACCOUNT = 'root';

/** How long an expired session's row is kept (answered ExpiredToken) before a new session's issue purges it. */
export const EXPIRED_SESSIONS_KEPT_MS = 24 * 3600 * 1000;

/** AWS's limit of long-term keys per IAM user. */
export const KEYS_PER_USER = 2;

export interface NewAccount {
  name: string;
  email?: string;
  displayName?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  appid?: string;
}

export interface IssuedSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiresAt: number;
}

const entityExists = (what: string) => new IamError('EntityAlreadyExists', what);

export class Identity {
  readonly #changed = new Set<() => void>();

  /** `now` is the clock sessions are issued and expire by (tests move it). */
  constructor(
    private readonly store: MetadataStore,
    readonly now: () => number = Date.now,
  ) {}

  /**
   * Called after any change that may revoke a credential (key status,
   * deletions, policies) made through this gateway, or seen in the store's
   * change counter (`changedElsewhere`), so caches drop what they hold.
   */
  onChange(fn: () => void): void {
    this.#changed.add(fn);
  }

  /** Another gateway changed identities (the store's change counter moved). */
  changedElsewhere(): void {
    this.#changedNow();
  }

  #changedNow(): void {
    for (const fn of this.#changed) fn();
  }

  // ---------------------------------------------------------------- accounts

  /** The first-start account and its configured root key (both upserted on every start). */
  async ensureRoot(id: string, appid: string | undefined, accessKeyId: string, secretAccessKey: string): Promise<void> {
    const existing = await this.store.getAccount(id);
    await this.store.putAccount({ id, displayName: existing?.displayName ?? id, createdAt: this.now(), appid, name: existing?.name ?? id });
    const k = await this.store.getAccessKey(accessKeyId);
    await this.store.putAccessKey({ accessKeyId, secretAccessKey, accountId: id, sessionToken: null, expiresAt: null, createdAt: k?.createdAt ?? this.now(), status: 'Active' });
  }

  account(id: string): Promise<AccountRecord | undefined> {
    return this.store.getAccount(id);
  }

  /** Emails are matched without regard to case, as S3 resolves grants by email. */
  accountByEmail(email: string): Promise<AccountRecord | undefined> {
    return this.store.getAccountByEmail(email.toLowerCase());
  }

  /** An operator's act (not IAM's): a new account with its root key pair, given or generated. */
  async createAccount(o: NewAccount): Promise<{ account: AccountRecord; key: AccessKeyRecord }> {
    checkName('accountName', o.name, 64);
    const email = o.email?.toLowerCase();
    if (email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(email)) throw validation(`The email address '${o.email}' is not valid.`);
    if ((o.accessKeyId === undefined) !== (o.secretAccessKey === undefined)) throw validation('AccessKeyId and SecretAccessKey go together: give both or neither.');
    if (o.accessKeyId !== undefined && !/^[\w]{3,128}$/.test(o.accessKeyId)) throw validation('AccessKeyId must be 3 to 128 letters, digits or underscores.');
    if (o.secretAccessKey !== undefined && !/^[\x21-\x7e]{8,128}$/.test(o.secretAccessKey)) throw validation('SecretAccessKey must be 8 to 128 printable characters without spaces.');
    if (o.appid !== undefined && !/^\d{1,12}$/.test(o.appid)) throw validation('Appid must be digits.');
    const created = await this.store.transaction(async (tx) => {
      if (await tx.getAccountByName(o.name)) throw entityExists(`Account with name ${o.name} already exists.`);
      if (email !== undefined && (await tx.getAccountByEmail(email))) throw entityExists(`An account with email ${email} already exists.`);
      const accessKeyId = o.accessKeyId ?? newAccessKeyId();
      if (await tx.getAccessKey(accessKeyId)) throw entityExists(`Access key ${accessKeyId} already exists.`);
      let appid = o.appid;
      if (appid !== undefined && (await tx.getAccountByAppid(appid))) throw entityExists(`An account with appid ${appid} already exists.`);
      // COS v4 addresses accounts by a numeric appid: a new account gets a free one.
      while (appid === undefined) {
        const candidate = String(1_300_000_000 + Math.floor(Math.random() * 699_999_999));
        if (!(await tx.getAccountByAppid(candidate))) appid = candidate;
      }
      const account: AccountRecord = { id: newAccountId(), displayName: o.displayName ?? o.name, createdAt: this.now(), appid, name: o.name, email: email ?? null };
      await tx.putAccount(account);
      const key: AccessKeyRecord = { accessKeyId, secretAccessKey: o.secretAccessKey ?? newSecret(), accountId: account.id, sessionToken: null, expiresAt: null, createdAt: this.now(), userName: null, status: 'Active' };
      await tx.putAccessKey(key);
      return { account, key };
    });
    return created;
  }

  // ---------------------------------------------------------------- users

  async createUser(accountId: string, name: string, path?: string): Promise<UserRecord> {
    const u: UserRecord = { accountId, name: checkName('userName', name, 64), id: newUserId(), path: checkPath(path), createdAt: this.now() };
    if (!(await this.store.insertUser(u))) throw entityExists(`User with name ${name} already exists.`);
    return u;
  }

  async user(accountId: string, name: string): Promise<UserRecord> {
    const u = await this.store.getUser(accountId, name);
    if (!u) throw noSuchEntity(`The user with name ${name} cannot be found.`);
    return u;
  }

  async listUsers(accountId: string, pathPrefix = '/'): Promise<UserRecord[]> {
    return (await this.store.listUsers(accountId)).filter((u) => u.path.startsWith(pathPrefix));
  }

  /** Refused (DeleteConflict) while the user has keys or policies, as IAM does; its sessions end with it. */
  async deleteUser(accountId: string, name: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const u = await tx.getUser(accountId, name);
      if (!u) throw noSuchEntity(`The user with name ${name} cannot be found.`);
      if ((await tx.listAccessKeys(accountId, u.name)).length > 0) throw new IamError('DeleteConflict', 'Cannot delete entity, must delete access keys first.');
      if ((await tx.listPolicies({ accountId, kind: 'user', name: u.name })).length > 0) throw new IamError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
      await tx.deleteUser(accountId, u.name);
    });
    this.#changedNow();
  }

  // ---------------------------------------------------------------- access keys

  /** A new long-term key of the account root (userName undefined) or of a user; the secret is shown this once. */
  async createAccessKey(accountId: string, userName: string | undefined): Promise<AccessKeyRecord> {
    return this.store.transaction(async (tx) => {
      let owner: string | null = null;
      if (userName !== undefined) {
        const u = await tx.getUser(accountId, userName);
        if (!u) throw noSuchEntity(`The user with name ${userName} cannot be found.`);
        owner = u.name;
        if ((await tx.listAccessKeys(accountId, owner)).length >= KEYS_PER_USER) throw new IamError('LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${KEYS_PER_USER}`);
      }
      const k: AccessKeyRecord = { accessKeyId: newAccessKeyId(), secretAccessKey: newSecret(), accountId, sessionToken: null, expiresAt: null, createdAt: this.now(), userName: owner, status: 'Active' };
      await tx.putAccessKey(k);
      return k;
    });
  }

  async listAccessKeys(accountId: string, userName: string | undefined): Promise<AccessKeyRecord[]> {
    const owner = userName === undefined ? null : (await this.user(accountId, userName)).name;
    return this.store.listAccessKeys(accountId, owner);
  }

  /** The key, if it is a long-term key of this account root or user. */
  async #ownKey(accountId: string, userName: string | undefined, accessKeyId: string): Promise<AccessKeyRecord> {
    const owner = userName === undefined ? null : (await this.user(accountId, userName)).name;
    const k = await this.store.getAccessKey(accessKeyId);
    if (!k || k.sessionToken !== null || k.accountId !== accountId || (k.userName ?? null) !== owner) {
      throw noSuchEntity(`The Access Key with id ${accessKeyId} cannot be found.`);
    }
    return k;
  }

  async updateAccessKey(accountId: string, userName: string | undefined, accessKeyId: string, status: KeyStatus): Promise<void> {
    await this.#ownKey(accountId, userName, accessKeyId);
    await this.store.setAccessKeyStatus(accessKeyId, status);
    this.#changedNow();
  }

  async deleteAccessKey(accountId: string, userName: string | undefined, accessKeyId: string): Promise<void> {
    await this.#ownKey(accountId, userName, accessKeyId);
    await this.store.deleteAccessKey(accessKeyId);
    this.#changedNow();
  }

  // ---------------------------------------------------------------- inline policies

  /** The owner as stored (its name's stored spelling), or NoSuchEntity. */
  async #owner(accountId: string, kind: 'user' | 'role', name: string): Promise<PolicyOwner> {
    const found = kind === 'user' ? await this.store.getUser(accountId, name) : await this.store.getRole(accountId, name);
    if (!found) throw noSuchEntity(`The ${kind} with name ${name} cannot be found.`);
    return { accountId, kind, name: found.name };
  }

  async putPolicy(accountId: string, kind: 'user' | 'role', owner: string, name: string, document: string): Promise<void> {
    checkName('policyName', name, 128);
    checkPolicyDocument(document, 'identity');
    await this.store.putPolicy(await this.#owner(accountId, kind, owner), { name, document });
    this.#changedNow();
  }

  async getPolicy(accountId: string, kind: 'user' | 'role', owner: string, name: string): Promise<{ owner: string; policy: InlinePolicy }> {
    const o = await this.#owner(accountId, kind, owner);
    const p = await this.store.getPolicy(o, name);
    if (!p) throw noSuchEntity(`The ${kind} policy with name ${name} cannot be found.`);
    return { owner: o.name, policy: p };
  }

  async listPolicies(accountId: string, kind: 'user' | 'role', owner: string): Promise<InlinePolicy[]> {
    return this.store.listPolicies(await this.#owner(accountId, kind, owner));
  }

  async deletePolicy(accountId: string, kind: 'user' | 'role', owner: string, name: string): Promise<void> {
    if (!(await this.store.deletePolicy(await this.#owner(accountId, kind, owner), name))) throw noSuchEntity(`The ${kind} policy with name ${name} cannot be found.`);
    this.#changedNow();
  }

  // ---------------------------------------------------------------- roles

  async createRole(r: Omit<RoleRecord, 'id' | 'createdAt'>): Promise<RoleRecord> {
    checkName('roleName', r.name, 64);
    checkPath(r.path);
    checkPolicyDocument(r.trustPolicy, 'trust');
    const role: RoleRecord = { ...r, id: newRoleId(), createdAt: this.now() };
    if (!(await this.store.insertRole(role))) throw entityExists(`Role with name ${r.name} already exists.`);
    return role;
  }

  async role(accountId: string, name: string): Promise<RoleRecord> {
    const r = await this.store.getRole(accountId, name);
    if (!r) throw noSuchEntity(`The role with name ${name} cannot be found.`);
    return r;
  }

  async listRoles(accountId: string, pathPrefix = '/'): Promise<RoleRecord[]> {
    return (await this.store.listRoles(accountId)).filter((r) => r.path.startsWith(pathPrefix));
  }

  /** Refused while the role has inline policies; its sessions end with it. */
  async deleteRole(accountId: string, name: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const r = await tx.getRole(accountId, name);
      if (!r) throw noSuchEntity(`The role with name ${name} cannot be found.`);
      if ((await tx.listPolicies({ accountId, kind: 'role', name: r.name })).length > 0) throw new IamError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
      await tx.deleteRole(accountId, r.name);
    });
    this.#changedNow();
  }

  // ---------------------------------------------------------------- sessions

  /**
   * Temporary credentials acting as `as` (the caller for GetSessionToken, a
   * role for AssumeRole), tied to the long-term key that asked: they end at
   * their expiry, or earlier when that key, the user or the role goes.
   */
  async issueSession(
    as: { accountId: string; userName?: string; role?: RoleRecord; principalId?: string; sessionName?: string; policy?: string },
    parentKey: string,
    seconds: number,
  ): Promise<IssuedSession> {
    const now = this.now();
    const s: AccessKeyRecord = {
      accessKeyId: newSessionKeyId(),
      secretAccessKey: newSecret(),
      accountId: as.accountId,
      sessionToken: newSessionToken(),
      expiresAt: now + seconds * 1000,
      createdAt: now,
      userName: as.userName ?? null,
      status: 'Active',
      roleName: as.role?.name ?? null,
      sessionName: as.sessionName ?? null,
      sessionPolicy: as.policy ?? null,
      principalId: as.role?.id ?? as.principalId ?? null,
      parentKey,
    };
    // Expired sessions are kept a day, so their use is answered ExpiredToken rather than InvalidAccessKeyId.
    await this.store.purgeExpiredSessions(now - EXPIRED_SESSIONS_KEPT_MS);
    await this.store.putAccessKey(s);
    return { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken!, expiresAt: s.expiresAt! };
  }

  /** The session a long-term key stands for, as lookups see it: the parent key of a session's session is the original key. */
  async parentOf(accessKeyId: string): Promise<string> {
    const k = await this.store.getAccessKey(accessKeyId);
    return k?.parentKey ?? accessKeyId;
  }

  // ---------------------------------------------------------------- lookup

  /**
   * The credential an access key id names, with the principal it acts as, or
   * undefined (unknown or Inactive key: InvalidAccessKeyId). A temporary
   * credential that expired, or whose user, role or parent key went away, is
   * returned `refused`, so the dialect answers ExpiredToken / InvalidToken
   * (after checking the token) rather than InvalidAccessKeyId.
   */
  async lookup(accessKeyId: string): Promise<Credential | undefined> {
    const k = await this.store.getAccessKey(accessKeyId);
    if (!k || k.status === 'Inactive') return undefined;
    const base = { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey, owner: k.accountId };
    const root: Principal = { kind: 'root', accountId: k.accountId };
    if (k.sessionToken === null) {
      if (k.userName == null) return { ...base, principal: root };
      const u = await this.store.getUser(k.accountId, k.userName);
      return u && { ...base, principal: { kind: 'user', accountId: k.accountId, userId: u.id, userName: u.name } };
    }
    const session: SessionInfo = { accessKeyId: k.accessKeyId, expiresAt: k.expiresAt ?? 0 };
    if (k.sessionName) session.name = k.sessionName;
    if (k.sessionPolicy) session.policy = k.sessionPolicy;
    const cred: Credential = { ...base, sessionToken: k.sessionToken, principal: { ...root, session } };
    let alive = true;
    if (k.parentKey) {
      const parent = await this.store.getAccessKey(k.parentKey);
      alive = !!parent && parent.status !== 'Inactive';
    }
    if (k.roleName) {
      const r = await this.store.getRole(k.accountId, k.roleName);
      if (r && r.id === k.principalId) cred.principal = { kind: 'role', accountId: k.accountId, roleId: r.id, roleName: r.name, session };
      else alive = false;
    } else if (k.userName) {
      const u = await this.store.getUser(k.accountId, k.userName);
      if (u && u.id === k.principalId) cred.principal = { kind: 'user', accountId: k.accountId, userId: u.id, userName: u.name, session };
      else alive = false;
    }
    if (!alive) cred.refused = 'revoked';
    if (session.expiresAt <= this.now()) cred.refused = 'expired';
    return cred;
  }

  // ---------------------------------------------------------------- policies of a principal

  /** A user's inline policies, or a role's (the session policy travels in the principal). */
  async policiesOf(p: Principal): Promise<string[]> {
    if (p.kind === 'user') return (await this.store.listPolicies({ accountId: p.accountId, kind: 'user', name: p.userName })).map((x) => x.document);
    if (p.kind === 'role') return (await this.store.listPolicies({ accountId: p.accountId, kind: 'role', name: p.roleName })).map((x) => x.document);
    return [];
  }
}
