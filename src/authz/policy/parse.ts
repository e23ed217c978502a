import { StorageError } from '../../engine/errors.js';
import { compileCondition, ConditionError } from './conditions.js';
import type { CompiledCondition, CompiledPolicy, PolicyDialect, PrincipalSet, Statement } from './model.js';
import { ossAction } from './oss-actions.js';
import { anyOf, wildcard, type Matcher } from './wildcard.js';

/**
 * Parses a policy document (S3 / IAM JSON, OBS's variant, OSS's `acs:` one)
 * into the compiled model. Every refusal is MalformedPolicy with a message
 * saying what and where, worded as S3 words it where S3 has a wording.
 *
 * `bucket`: the bucket a bucket policy is for (its resources must lie in it
 * and it must name principals); absent for identity policies (which may not
 * name principals).
 */
export interface ParseOptions {
  dialect: PolicyDialect;
  bucket?: string;
  /** An IAM role's trust policy: names principals and no resource (the role it is attached to). */
  trust?: boolean;
}

/** The largest policy S3 stores (20 KiB). */
export const MAX_POLICY_BYTES = 20 * 1024;

const malformed = (message: string) => new StorageError('MalformedPolicy', message);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A string or a non-empty list of strings (IAM's form for Action, Resource, principal ids, condition values). */
function strings(v: Json | undefined, what: string, where: string, opts: { scalars?: boolean } = {}): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw malformed(`${what} must not be empty in ${where}`);
  return list.map((x) => {
    if (typeof x === 'string') return x;
    if (opts.scalars && (typeof x === 'number' || typeof x === 'boolean')) return String(x);
    throw malformed(`${what} must be a string or a list of strings in ${where}`);
  });
}

/** Keys compared case-insensitively, as IAM reads element names. */
function field(o: Record<string, Json>, name: string): Json | undefined {
  if (name in o) return o[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(o)) if (k.toLowerCase() === lower) return o[k];
  return undefined;
}

export function parsePolicy(text: string, opts: ParseOptions): CompiledPolicy {
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES) throw malformed(`Policies must be no larger than ${MAX_POLICY_BYTES} bytes`);
  const first = text.trimStart()[0];
  let doc: Json;
  try {
    if (first !== '{') throw new Error();
    doc = JSON.parse(text) as Json;
  } catch {
    throw malformed("Policies must be valid JSON and the first byte must be '{'");
  }
  if (!isObject(doc)) throw malformed("Policies must be valid JSON and the first byte must be '{'");
  for (const k of Object.keys(doc)) {
    if (!['version', 'statement', 'id'].includes(k.toLowerCase())) throw malformed(`Unknown field ${k}`);
  }
  const version = field(doc, 'Version');
  if (version !== undefined) {
    const ok = opts.dialect === 'oss' ? version === '1' : version === '2012-10-17' || version === '2008-10-17';
    if (!ok) throw malformed(`Invalid policy version ${JSON.stringify(version)}`);
  }
  const raw = field(doc, 'Statement');
  if (raw === undefined) throw malformed('Missing required field Statement');
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw malformed('Could not parse the policy: Statement is empty!');
  const statements = list.map((s, i) => parseStatement(s, i, opts));
  return { statements, readsObjectTags: statements.some((s) => s.conditions.some((c) => c.key.startsWith('s3:existingobjecttag/'))) };
}

function parseStatement(s: Json, index: number, opts: ParseOptions): Statement {
  if (!isObject(s)) throw malformed(`Statement ${index + 1} must be an object`);
  const sid = field(s, 'Sid');
  const where = `statement ${typeof sid === 'string' && sid ? JSON.stringify(sid) : index + 1}`;
  const known = ['sid', 'effect', 'principal', 'notprincipal', 'action', 'notaction', 'resource', 'notresource', 'condition'];
  for (const k of Object.keys(s)) if (!known.includes(k.toLowerCase())) throw malformed(`Unknown field ${k} in ${where}`);
  if (sid !== undefined && typeof sid !== 'string') throw malformed(`Sid must be a string in ${where}`);

  const effect = field(s, 'Effect');
  if (effect === undefined) throw malformed(`Missing required field Effect in ${where}`);
  if (effect !== 'Allow' && effect !== 'Deny') throw malformed(`Invalid effect: ${String(effect)}`);

  const p = field(s, 'Principal');
  const np = field(s, 'NotPrincipal');
  let principal: Statement['principal'];
  if (opts.bucket !== undefined || opts.trust) {
    if (p !== undefined && np !== undefined) throw malformed(`Statement may not contain both Principal and NotPrincipal (${where})`);
    if (p === undefined && np === undefined) throw malformed('Missing required field Principal');
    if (np !== undefined && effect === 'Allow') throw malformed(`NotPrincipal is only allowed with Effect Deny (${where})`);
    principal = { set: parsePrincipal(p ?? np!, opts.dialect), not: np !== undefined };
  } else if (p !== undefined || np !== undefined) {
    throw malformed(`Policy document should not specify a principal (${where})`);
  }

  const a = field(s, 'Action');
  const na = field(s, 'NotAction');
  if (a !== undefined && na !== undefined) throw malformed(`Statement may not contain both Action and NotAction (${where})`);
  if (a === undefined && na === undefined) throw malformed(`Missing required field Action in ${where}`);
  const actionNames = strings(a ?? na, 'Action', where);
  const actions = actionNames.map((n) => canonicalAction(n, opts, where));

  const r = field(s, 'Resource');
  const nr = field(s, 'NotResource');
  if (opts.trust) {
    if (r !== undefined || nr !== undefined) throw malformed(`Has prohibited field Resource (${where})`);
    return { ...(typeof sid === 'string' ? { sid } : {}), effect, ...(principal ? { principal } : {}), action: { match: anyOf(actions.map((x) => wildcard(x, true))), not: na !== undefined }, resource: { match: () => true, not: false }, conditions: parseConditions(field(s, 'Condition'), opts, where) };
  }
  if (r !== undefined && nr !== undefined) throw malformed(`Statement may not contain both Resource and NotResource (${where})`);
  if (r === undefined && nr === undefined) throw malformed(`Missing required field Resource in ${where}`);
  const resources = strings(r ?? nr, 'Resource', where).map((x) => canonicalResource(x, opts, where));

  // S3 refuses an Action that no Resource of the statement can name (GetObject on the bucket alone).
  if (a !== undefined && r !== undefined && opts.bucket !== undefined) {
    const kinds = new Set(resources.flatMap(resourceKinds));
    for (const act of actions) {
      if (/[*?]/.test(act)) continue;
      if (!kinds.has(actionKind(act))) throw malformed('Action does not apply to any resource(s) in statement');
    }
  }

  return {
    ...(typeof sid === 'string' ? { sid } : {}),
    effect,
    ...(principal ? { principal } : {}),
    action: { match: anyOf(actions.map((x) => wildcard(x, true))), not: na !== undefined },
    resource: { match: anyOf(resources.map((x) => wildcard(x))), not: nr !== undefined },
    conditions: parseConditions(field(s, 'Condition'), opts, where),
  };
}

// ------------------------------------------------------------------ actions

/** Object-level actions name objects; the rest name buckets (or the account). */
function actionKind(action: string): 'object' | 'bucket' {
  const n = action.slice(action.indexOf(':') + 1).toLowerCase();
  if (n.includes('bucket')) return 'bucket';
  return n.includes('object') || n === 'abortmultipartupload' || n === 'listmultipartuploadparts' ? 'object' : 'bucket';
}

function canonicalAction(name: string, opts: ParseOptions, where: string): string {
  const bad = () => malformed(`Policy has invalid action: ${name} (${where})`);
  if (name === '*') return '*';
  if (opts.dialect === 'oss') {
    if (!/^oss:[A-Za-z*?]+$/i.test(name)) throw bad();
    return ossAction(name.slice(4));
  }
  if (opts.dialect === 'obs' && /^[A-Za-z*?]+$/.test(name)) return `s3:${name}`;
  const m = /^([A-Za-z0-9-]+):([A-Za-z0-9*?]+)$/.exec(name);
  if (!m) throw bad();
  const service = m[1]!.toLowerCase();
  // A bucket policy speaks of S3 alone; identity policies may name other services (iam, sts).
  if (opts.bucket !== undefined && service !== 's3' && service !== 'obs') throw bad();
  return service === 'obs' ? `s3:${m[2]}` : `${service}:${m[2]}`;
}

// ---------------------------------------------------------------- resources

/** The kinds of resource a canonical pattern can match. */
function resourceKinds(pattern: string): ('bucket' | 'object')[] {
  if (pattern.includes('/')) return ['object'];
  return pattern.includes('*') ? ['bucket', 'object'] : ['bucket'];
}

/** `arn:aws:s3:::bucket/key` (S3, OBS), `acs:oss:*:*:bucket/key` (OSS), bare `bucket/key` (OBS) → `bucket/key`. */
function canonicalResource(res: string, opts: ParseOptions, where: string): string {
  const bad = () => malformed(`Policy has invalid resource: ${res} (${where})`);
  let path: string;
  const arn = /^arn:(aws[a-z-]*|obs):s3:::(.*)$/.exec(res);
  const acs = /^acs:oss:[^:]*:[^:]*:(.*)$/.exec(res);
  if (res === '*') path = '*';
  else if (arn && opts.dialect !== 'oss') path = arn[2]!;
  else if (acs && opts.dialect === 'oss') path = acs[1]!;
  else if (opts.dialect === 'obs' && !res.includes(':')) path = res;
  else if (opts.bucket === undefined && /^arn:[^:]+:[^:]+:/.test(res)) return res; // another service's resource in an identity policy: matches no S3 resource
  else throw bad();
  if (path === '') throw bad();
  if (opts.bucket !== undefined) {
    const segment = path.split('/')[0]!;
    if (!segment.includes('*') && !wildcard(segment)(opts.bucket)) throw bad();
  }
  return path;
}

// --------------------------------------------------------------- principals

const NOBODY = (): PrincipalSet => ({ any: false, accounts: [], users: [], roles: [] });

function invalidPrincipal(): StorageError {
  return malformed('Invalid principal in policy');
}

/** One principal id: `*`, an account id, `arn:aws:iam::<account>:root|user/<name>|role/<name>`, `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
function addAwsPrincipal(set: PrincipalSet, id: string): void {
  if (id === '*') {
    set.any = true;
    return;
  }
  const iam = /^arn:aws[a-z-]*:iam::([^:]+):(root|user\/(.+)|role\/(.+))$/.exec(id);
  if (iam) {
    const account = wildcard(iam[1]!);
    if (iam[2] === 'root') set.accounts.push(account);
    else if (iam[3] !== undefined) set.users.push({ account, name: wildcard(lastSegment(iam[3])) });
    else set.roles.push({ account, name: wildcard(lastSegment(iam[4]!)), session: () => true });
    return;
  }
  const sts = /^arn:aws[a-z-]*:sts::([^:]+):assumed-role\/([^/]+)\/(.+)$/.exec(id);
  if (sts) {
    set.roles.push({ account: wildcard(sts[1]!), name: wildcard(sts[2]!), session: wildcard(sts[3]!) });
    return;
  }
  if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) {
    set.accounts.push(wildcard(id));
    return;
  }
  throw invalidPrincipal();
}

/** IAM paths (`user/division/name`) name the user by its last segment. */
const lastSegment = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** OBS: `*`, `domain/<account>`, `domain/<account>:user/<id or name or *>`. */
function addObsPrincipal(set: PrincipalSet, id: string): void {
  if (id === '*') {
    set.any = true;
    return;
  }
  const m = /^domain\/([^:/]+)(?::user\/(.+))?$/.exec(id);
  if (!m) throw invalidPrincipal();
  const account = wildcard(m[1]!);
  if (m[2] === undefined || m[2] === '*') set.accounts.push(account);
  else set.users.push({ account, name: wildcard(m[2]) });
}

/** OSS: a list of `*`, account UIDs, or `arn:sts::<uid>:assumed-role/<role>/<session>`; an empty list is `*`. */
function addOssPrincipal(set: PrincipalSet, id: string): void {
  const sts = /^arn:sts::([^:]+):assumed-role\/([^/]+)\/(.+)$/.exec(id);
  if (sts) {
    set.roles.push({ account: wildcard(sts[1]!), name: wildcard(sts[2]!), session: wildcard(sts[3]!) });
    return;
  }
  if (id === '*' || /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) return addAwsPrincipal(set, id);
  throw invalidPrincipal();
}

function parsePrincipal(p: Json, dialect: PolicyDialect): PrincipalSet {
  const set = NOBODY();
  if (p === '*') {
    set.any = true;
    return set;
  }
  if (dialect === 'oss' && Array.isArray(p)) {
    if (p.length === 0) set.any = true;
    for (const id of p) {
      if (typeof id !== 'string') throw invalidPrincipal();
      addOssPrincipal(set, id);
    }
    return set;
  }
  if (!isObject(p) || Object.keys(p).length === 0) throw invalidPrincipal();
  for (const [type, ids] of Object.entries(p)) {
    let list: string[];
    try {
      list = strings(ids, 'Principal', 'Principal');
    } catch {
      throw invalidPrincipal();
    }
    switch (type) {
      case 'AWS':
        for (const id of list) addAwsPrincipal(set, id);
        break;
      case 'CanonicalUser':
        for (const id of list) {
          if (!/^[A-Za-z0-9._-]+$/.test(id)) throw invalidPrincipal();
          set.accounts.push(wildcard(id));
        }
        break;
      case 'ID':
        if (dialect !== 'obs') throw invalidPrincipal();
        for (const id of list) addObsPrincipal(set, id);
        break;
      case 'Service':
      case 'Federated':
        // Services and federated identities never make requests here: named, they match no one.
        break;
      default:
        throw invalidPrincipal();
    }
  }
  return set;
}

// --------------------------------------------------------------- conditions

const OBS_GLOBAL_KEYS = new Set(['sourceip', 'referer', 'useragent', 'currenttime', 'epochtime', 'securetransport', 'username', 'userid', 'principalaccount']);

/** A condition key as the model names it: `aws:` / `s3:` prefix and name lower-cased, tag names as written. */
export function canonicalKey(key: string, dialect: PolicyDialect): string | undefined {
  const colon = key.indexOf(':');
  let prefix = colon < 0 ? '' : key.slice(0, colon).toLowerCase();
  let rest = colon < 0 ? key : key.slice(colon + 1);
  if (dialect === 'oss') prefix = prefix === 'acs' ? 'aws' : prefix === 'oss' ? 's3' : prefix;
  if (dialect === 'obs' && (prefix === '' || prefix === 'obs')) prefix = prefix === '' && OBS_GLOBAL_KEYS.has(rest.toLowerCase()) ? 'aws' : 's3';
  if (prefix !== 'aws' && prefix !== 's3') return undefined;
  const slash = rest.indexOf('/');
  rest = slash < 0 ? rest.toLowerCase() : rest.slice(0, slash).toLowerCase() + rest.slice(slash);
  if (rest === '') return undefined;
  return `${prefix}:${rest}`;
}

function parseConditions(c: Json | undefined, opts: ParseOptions, where: string): CompiledCondition[] {
  if (c === undefined) return [];
  if (!isObject(c)) throw malformed(`Condition must be an object in ${where}`);
  const out: CompiledCondition[] = [];
  for (const [operator, block] of Object.entries(c)) {
    if (!isObject(block) || Object.keys(block).length === 0) throw malformed(`Condition ${operator} must map keys to values in ${where}`);
    for (const [rawKey, values] of Object.entries(block)) {
      // Identity and trust policies may also ask other services' keys (sts:ExternalId, iam:...): lower-cased, answered by whoever evaluates them.
      const key = canonicalKey(rawKey, opts.dialect) ?? (opts.bucket === undefined && /^[a-z0-9-]+:[^:/]+$/i.test(rawKey) ? rawKey.toLowerCase() : undefined);
      if (key === undefined) throw malformed(`Policy has an invalid condition key: ${rawKey} (${where})`);
      const list = strings(values, `Condition ${operator} ${rawKey}`, where, { scalars: true });
      try {
        out.push({ operator, key, test: compileCondition(operator, list) });
      } catch (e) {
        if (e instanceof ConditionError) throw malformed(`Invalid Condition ${operator} on ${rawKey}: ${e.message} (${where})`);
        throw e;
      }
    }
  }
  return out;
}

export type { Matcher };
