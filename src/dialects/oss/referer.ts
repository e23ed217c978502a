/**
 * OSS PutBucketReferer / GetBucketReferer (`?referer`): the wire form of the
 * neutral hotlink-protection setting (authz/referer.ts), which the
 * authorizer's OSS gate enforces.
 */
import { readVerifiedBody } from '../../api/body.js';
import type { OpContext } from '../../api/op-context.js';
import { asArray, parseXmlBody } from '../../api/xml.js';
import { validateRefererConfig, NO_REFERER_CONFIG, type RefererConfig } from '../../authz/referer.js';
import { StorageError } from '../../engine/errors.js';
import type { Reply } from '../../http/reply.js';

const MAX_BODY = 64 * 1024;

function bool(doc: Record<string, unknown>, name: string, dflt: boolean | undefined): boolean {
  const v = doc[name];
  if (v === undefined && dflt !== undefined) return dflt;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new StorageError('MalformedXML', `${name} must be true or false.`);
}

/** `<RefererList><Referer>…</Referer>…</RefererList>` (or an empty `<RefererList/>`): the patterns. */
function list(doc: Record<string, unknown>, name: string): string[] {
  const v = doc[name];
  if (v === undefined || v === '') return [];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new StorageError('MalformedXML', `${name} must hold Referer elements.`);
  const { Referer, ...rest } = v as Record<string, unknown>;
  if (Object.keys(rest).length) throw new StorageError('MalformedXML', `${name} holds only Referer elements.`);
  return asArray(Referer).map((r) => {
    if (typeof r !== 'string') throw new StorageError('MalformedXML', 'A Referer is text.');
    return r.trim();
  }).filter((r) => r !== '');
}

/** The configuration a PutBucketReferer body states (OSS: AllowEmptyReferer is required). */
export function parseRefererConfiguration(body: Buffer): RefererConfig {
  const doc = parseXmlBody(body, 'RefererConfiguration');
  const config: RefererConfig = {
    allowEmpty: bool(doc, 'AllowEmptyReferer', undefined),
    allowTruncateQueryString: bool(doc, 'AllowTruncateQueryString', NO_REFERER_CONFIG.allowTruncateQueryString),
    truncatePath: bool(doc, 'TruncatePath', NO_REFERER_CONFIG.truncatePath),
    allow: list(doc, 'RefererList'),
    deny: list(doc, 'RefererBlacklist'),
  };
  validateRefererConfig(config);
  return config;
}

/** PUT bucket ?referer: replaces the whole configuration. */
export async function putBucketReferer(op: OpContext): Promise<Reply> {
  const { engine } = op.services;
  await engine.getBucket(op.bucket!);
  const config = parseRefererConfiguration(await readVerifiedBody(op, MAX_BODY));
  await engine.setBucketSetting(op.bucket!, 'referer', config);
  return { status: 200 };
}

/** GET bucket ?referer: the configuration, or OSS's answer for none (empty referers allowed, no lists). */
export async function getBucketReferer(op: OpContext): Promise<Reply> {
  const c = await op.services.engine.bucketSetting(op.bucket!, 'referer');
  const value: Record<string, unknown> = {
    AllowEmptyReferer: String(c.allowEmpty),
    AllowTruncateQueryString: String(c.allowTruncateQueryString),
    TruncatePath: String(c.truncatePath),
    // Always present: ali-oss reads RefererList.Referer unconditionally.
    RefererList: c.allow.length ? { Referer: c.allow } : '',
  };
  if (c.deny.length) value.RefererBlacklist = { Referer: c.deny };
  return { status: 200, body: { root: 'RefererConfiguration', value } };
}
