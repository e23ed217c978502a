/**
 * stratus admin: accounts (an operator's act), IAM users, their access keys,
 * roles, and the inline policies of users and roles, over the server's IAM
 * query API (admin-client.ts). Endpoint and keys as for every client command.
 */
import fs from 'node:fs/promises';
import type { Command } from 'commander';
import type { XmlNode } from '../../sdk/xml.js';
import { action, addCommonOptions, type CliContext } from '../client/context.js';
import { usage } from '../client/errors.js';
import { adminTarget, callIam, membersOf } from './admin-client.js';

const s = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

async function iam(ctx: CliContext, actionName: string, params: Record<string, string | undefined> = {}): Promise<XmlNode> {
  const target = adminTarget(ctx.opts);
  ctx.errorContext = { ...ctx.errorContext, endpoint: target.endpoint };
  return callIam(target, actionName, params);
}

/** A policy document: inline JSON, `-` for standard input, or a file. */
async function readPolicy(source: string): Promise<string> {
  if (source.trimStart().startsWith('{')) return source;
  if (source === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await fs.readFile(source, 'utf8');
  } catch (e) {
    throw usage(`cannot read the policy file ${source}: ${(e as Error).message}`);
  }
}

/** --user NAME or --role NAME, exactly one. */
function ownerOf(o: { user?: string; role?: string }): { kind: 'User' | 'Role'; name: string } {
  if ((o.user === undefined) === (o.role === undefined)) throw usage('name exactly one of --user NAME or --role NAME');
  return o.user !== undefined ? { kind: 'User', name: o.user } : { kind: 'Role', name: o.role! };
}

const userView = (u: XmlNode) => ({ name: s(u.UserName), id: s(u.UserId), arn: s(u.Arn), path: s(u.Path), created: s(u.CreateDate) });
const keyView = (k: XmlNode) => ({ accessKeyId: s(k.AccessKeyId), status: s(k.Status), ...(s(k.UserName) ? { user: s(k.UserName) } : {}), created: s(k.CreateDate) });

function registerAccount(admin: Command): void {
  const account = admin.command('account').description('accounts (operator only: the first-start account root)');
  addCommonOptions(
    account
      .command('add')
      .description('create an account and its root key pair (given, or generated and printed)')
      .argument('<name>', 'the account name')
      .option('--access-key <id>', 'the root access key id to give it')
      .option('--secret-key <secret>', 'the root secret key to give it')
      .option('--email <email>', 'its email (grants by email name it)')
      .option('--display-name <name>', 'its display name (default: the name)')
      .option('--appid <digits>', 'its COS appid (default: a free one)'),
  ).action(
    action(async (ctx, name: string, o: { accessKey?: string; secretKey?: string; email?: string; displayName?: string; appid?: string }) => {
      if ((o.accessKey === undefined) !== (o.secretKey === undefined)) throw usage('--access-key and --secret-key go together');
      const r = await iam(ctx, 'CreateAccount', { AccountName: name, Email: o.email, DisplayName: o.displayName, AccessKeyId: o.accessKey, SecretAccessKey: o.secretKey, Appid: o.appid });
      const a = (r.Account ?? {}) as XmlNode;
      const k = (r.AccessKey ?? {}) as XmlNode;
      ctx.out.line(`account: ${s(a.AccountName)} (canonical id ${s(a.AccountId)}, appid ${s(a.Appid)})`);
      ctx.out.line(`access key: ${s(k.AccessKeyId)}`);
      ctx.out.line(`secret key: ${s(k.SecretAccessKey)}`);
      ctx.out.emit({
        account: { name: s(a.AccountName), id: s(a.AccountId), displayName: s(a.DisplayName), email: s(a.Email), appid: s(a.Appid) },
        accessKey: { accessKeyId: s(k.AccessKeyId), secretAccessKey: s(k.SecretAccessKey) },
      });
    }),
  );
}

function registerUser(admin: Command): void {
  const user = admin.command('user').description("IAM users of the caller's account");
  addCommonOptions(user.command('add').description('create a user').argument('<name>').option('--path <path>', 'IAM path, e.g. /team/')).action(
    action(async (ctx, name: string, o: { path?: string }) => {
      const u = userView((await iam(ctx, 'CreateUser', { UserName: name, Path: o.path })).User as XmlNode);
      ctx.out.line(`user: ${u.name} (${u.arn})`);
      ctx.out.emit({ user: u });
    }),
  );
  addCommonOptions(user.command('rm').description('delete a user (its keys and policies first)').argument('<name>')).action(
    action(async (ctx, name: string) => {
      await iam(ctx, 'DeleteUser', { UserName: name });
      ctx.out.line(`removed user: ${name}`);
      ctx.out.emit({ user: name, removed: true });
    }),
  );
  addCommonOptions(user.command('ls').description('list users')).action(
    action(async (ctx) => {
      const users = membersOf((await iam(ctx, 'ListUsers', { MaxItems: '1000' })).Users).map(userView);
      for (const u of users) ctx.out.line(`${u.name}\t${u.id}\t${u.arn}\t${u.created}`);
      ctx.out.emit({ users });
    }),
  );
}

function registerKey(admin: Command): void {
  const key = admin.command('key').description("access keys of a user (--user) or of the caller's account root");
  const withUser = (c: Command) => addCommonOptions(c.option('--user <name>', 'the user (default: the caller itself)'));
  withUser(key.command('add').description('create a key pair (the secret is shown this once)')).action(
    action(async (ctx, o: { user?: string }) => {
      const k = (await iam(ctx, 'CreateAccessKey', { UserName: o.user })).AccessKey as XmlNode;
      ctx.out.line(`access key: ${s(k.AccessKeyId)}`);
      ctx.out.line(`secret key: ${s(k.SecretAccessKey)}`);
      ctx.out.emit({ accessKey: { ...keyView(k), secretAccessKey: s(k.SecretAccessKey) } });
    }),
  );
  withUser(key.command('ls').description('list keys')).action(
    action(async (ctx, o: { user?: string }) => {
      const keys = membersOf((await iam(ctx, 'ListAccessKeys', { UserName: o.user })).AccessKeyMetadata).map(keyView);
      for (const k of keys) ctx.out.line(`${k.accessKeyId}\t${k.status}\t${k.created}`);
      ctx.out.emit({ keys });
    }),
  );
  for (const [verb, status] of [['disable', 'Inactive'], ['enable', 'Active']] as const) {
    withUser(key.command(verb).description(`make a key ${status}`).argument('<access-key-id>')).action(
      action(async (ctx, id: string, o: { user?: string }) => {
        await iam(ctx, 'UpdateAccessKey', { UserName: o.user, AccessKeyId: id, Status: status });
        ctx.out.line(`${id}: ${status}`);
        ctx.out.emit({ accessKeyId: id, status });
      }),
    );
  }
  withUser(key.command('rm').description('delete a key').argument('<access-key-id>')).action(
    action(async (ctx, id: string, o: { user?: string }) => {
      await iam(ctx, 'DeleteAccessKey', { UserName: o.user, AccessKeyId: id });
      ctx.out.line(`removed key: ${id}`);
      ctx.out.emit({ accessKeyId: id, removed: true });
    }),
  );
}

function registerRole(admin: Command): void {
  const role = admin.command('role').description('IAM roles (assumed through STS AssumeRole)');
  addCommonOptions(
    role
      .command('add')
      .description('create a role')
      .argument('<name>')
      .requiredOption('--trust <policy>', 'trust policy: JSON, a file, or - for standard input')
      .option('--max-session-duration <seconds>', 'longest session (3600..43200)'),
  ).action(
    action(async (ctx, name: string, o: { trust: string; maxSessionDuration?: string }) => {
      const r = (await iam(ctx, 'CreateRole', { RoleName: name, AssumeRolePolicyDocument: await readPolicy(o.trust), MaxSessionDuration: o.maxSessionDuration })).Role as XmlNode;
      ctx.out.line(`role: ${s(r.RoleName)} (${s(r.Arn)})`);
      ctx.out.emit({ role: { name: s(r.RoleName), id: s(r.RoleId), arn: s(r.Arn), maxSessionDuration: Number(s(r.MaxSessionDuration)) } });
    }),
  );
  addCommonOptions(role.command('rm').description('delete a role (its policies first)').argument('<name>')).action(
    action(async (ctx, name: string) => {
      await iam(ctx, 'DeleteRole', { RoleName: name });
      ctx.out.line(`removed role: ${name}`);
      ctx.out.emit({ role: name, removed: true });
    }),
  );
  addCommonOptions(role.command('ls').description('list roles')).action(
    action(async (ctx) => {
      const roles = membersOf((await iam(ctx, 'ListRoles', { MaxItems: '1000' })).Roles).map((r) => ({ name: s(r.RoleName), id: s(r.RoleId), arn: s(r.Arn) }));
      for (const r of roles) ctx.out.line(`${r.name}\t${r.id}\t${r.arn}`);
      ctx.out.emit({ roles });
    }),
  );
}

function registerPolicy(admin: Command): void {
  const policy = admin.command('policy').description('inline policies of a user (--user) or a role (--role)');
  const owner = (c: Command) => addCommonOptions(c.option('--user <name>', 'a user').option('--role <name>', 'a role'));
  owner(policy.command('set').description('create or replace a policy').argument('<policy-name>').argument('<document>', 'JSON, a file, or - for standard input')).action(
    action(async (ctx, name: string, source: string, o: { user?: string; role?: string }) => {
      const w = ownerOf(o);
      await iam(ctx, `Put${w.kind}Policy`, { [`${w.kind}Name`]: w.name, PolicyName: name, PolicyDocument: await readPolicy(source) });
      ctx.out.line(`policy ${name} set on ${w.kind.toLowerCase()} ${w.name}`);
      ctx.out.emit({ [w.kind.toLowerCase()]: w.name, policy: name, set: true });
    }),
  );
  owner(policy.command('get').description('print a policy document').argument('<policy-name>')).action(
    action(async (ctx, name: string, o: { user?: string; role?: string }) => {
      const w = ownerOf(o);
      const r = await iam(ctx, `Get${w.kind}Policy`, { [`${w.kind}Name`]: w.name, PolicyName: name });
      const doc = decodeURIComponent(s(r.PolicyDocument) ?? '');
      ctx.out.line(doc);
      let parsed: unknown = doc;
      try {
        parsed = JSON.parse(doc);
      } catch {
        // Stored documents are JSON; print what came if not.
      }
      ctx.out.emit({ [w.kind.toLowerCase()]: w.name, policy: s(r.PolicyName), document: parsed });
    }),
  );
  owner(policy.command('ls').description('list policy names')).action(
    action(async (ctx, o: { user?: string; role?: string }) => {
      const w = ownerOf(o);
      const r = await iam(ctx, `List${w.kind}Policies`, { [`${w.kind}Name`]: w.name });
      const raw = (r.PolicyNames as { member?: unknown } | undefined)?.member;
      const names = (raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]).map(String);
      for (const n of names) ctx.out.line(n);
      ctx.out.emit({ [w.kind.toLowerCase()]: w.name, policies: names });
    }),
  );
  owner(policy.command('rm').description('delete a policy').argument('<policy-name>')).action(
    action(async (ctx, name: string, o: { user?: string; role?: string }) => {
      const w = ownerOf(o);
      await iam(ctx, `Delete${w.kind}Policy`, { [`${w.kind}Name`]: w.name, PolicyName: name });
      ctx.out.line(`removed policy ${name} from ${w.kind.toLowerCase()} ${w.name}`);
      ctx.out.emit({ [w.kind.toLowerCase()]: w.name, policy: name, removed: true });
    }),
  );
}

export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description("manage accounts, users, keys, roles and policies, and see the background workers, over the server's IAM API");
  registerAccount(admin);
  registerUser(admin);
  registerKey(admin);
  registerRole(admin);
  registerPolicy(admin);
  registerWorker(admin);
}

/** The background workers of the gateway answering (operator only). */
function registerWorker(admin: Command): void {
  const worker = admin.command('worker').description("background workers (lifecycle, log delivery, blob sweep) of the gateway answering (operator only)");
  const list = (v: unknown): XmlNode[] => membersOf(v);
  const view = (w: XmlNode) => ({
    name: s(w.Name),
    state: s(w.State),
    holder: s(w.Holder),
    leaseHolder: s(w.LeaseHolder),
    passes: Number(s(w.Passes) ?? 0),
    lastRunStartedAt: s(w.LastRunStartedAt),
    lastRunEndedAt: s(w.LastRunEndedAt),
    lastError: s(w.LastError),
    counts: Object.fromEntries(list(w.Counts).map((c) => [s(c.Name) ?? '', Number(s(c.Value) ?? 0)])),
  });
  const line = (w: ReturnType<typeof view>) =>
    `${w.name}\t${w.state}\tpasses ${w.passes}\tlast run ${w.lastRunEndedAt ?? 'never'}${w.lastError ? `\terror: ${w.lastError}` : ''}${Object.keys(w.counts).length ? `\t${Object.entries(w.counts).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}`;
  addCommonOptions(worker.command('ls').description("each worker's state, lease holder and last pass")).action(
    action(async (ctx) => {
      const r = await iam(ctx, 'ListWorkers');
      const workers = list(r.Workers).map(view);
      for (const w of workers) ctx.out.line(line(w));
      ctx.out.emit({ workers });
    }),
  );
  addCommonOptions(worker.command('run').description('run a pass now (on the gateway answering, if it holds the lease)').argument('<name>', 'lifecycle, log-delivery or blob-sweep')).action(
    action(async (ctx, name: string) => {
      const r = await iam(ctx, 'RunWorker', { WorkerName: name });
      const ran = s(r.Ran) === 'true';
      const w = view((r.Worker ?? {}) as XmlNode);
      ctx.out.line(ran ? `ran a pass of ${name}` : `${name} did not run here (the lease is held by ${w.leaseHolder ?? 'another gateway'})`);
      ctx.out.line(line(w));
      ctx.out.emit({ ran, worker: w });
    }),
  );
}
