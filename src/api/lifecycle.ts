import { expirationOf, getLifecycle, putLifecycle } from '../engine/lifecycle/config.js';
import type { BucketRecord, ObjectRecord } from '../meta/types.js';
import type { LifecycleConfiguration, LifecycleFilter, LifecycleRule, Tag } from '../engine/lifecycle/model.js';
import { StorageError } from '../engine/errors.js';
import type { Reply } from '../http/reply.js';
import { readVerifiedBody } from './body.js';
import { bool, date, int, isoDate, node, ruleId, status, storageClass, tags, tag, text, wireClass, type XmlNode } from './lifecycle-xml.js';
import type { OpContext } from './op-context.js';
import type { Vocabulary } from './vocabulary.js';
import { asArray, parseXmlBody } from './xml.js';

/**
 * S3 Put/Get/DeleteBucketLifecycleConfiguration, and OBS's set / get /
 * deleteBucketLifecycle, which write the same document (OBS with its own
 * storage-class names and the legacy top-level Prefix). OSS's document is its
 * own (lifecycle-oss.ts).
 */
const MAX_BODY = 1024 * 1024;

function parseFilter(v: unknown): LifecycleFilter {
  const f = node(v)!;
  const out: LifecycleFilter = {};
  if (f.Prefix !== undefined) out.prefix = text(f.Prefix);
  if (f.Tag !== undefined) out.tag = tag(f.Tag);
  if (f.ObjectSizeGreaterThan !== undefined) out.sizeGreaterThan = int(f.ObjectSizeGreaterThan);
  if (f.ObjectSizeLessThan !== undefined) out.sizeLessThan = int(f.ObjectSizeLessThan);
  if (f.And !== undefined) {
    const a = node(f.And)!;
    out.and = { tags: tags(a.Tag) };
    if (a.Prefix !== undefined) out.and.prefix = text(a.Prefix);
    if (a.ObjectSizeGreaterThan !== undefined) out.and.sizeGreaterThan = int(a.ObjectSizeGreaterThan);
    if (a.ObjectSizeLessThan !== undefined) out.and.sizeLessThan = int(a.ObjectSizeLessThan);
  }
  return out;
}

function parseRule(vocab: Vocabulary, v: unknown): LifecycleRule {
  const r = node(v)!;
  // A rule names its objects by a Filter or (the older form) a top-level Prefix: exactly one.
  if ((r.Filter === undefined) === (r.Prefix === undefined)) throw new StorageError('MalformedXML');
  const rule: LifecycleRule = { id: ruleId(r.ID), enabled: status(r.Status), transitions: [], noncurrentTransitions: [] };
  if (r.Prefix !== undefined) rule.prefix = text(r.Prefix);
  if (r.Filter !== undefined) rule.filter = parseFilter(r.Filter);
  if (r.Expiration !== undefined) {
    const e = node(r.Expiration)!;
    rule.expiration = {};
    if (e.Days !== undefined) rule.expiration.days = int(e.Days);
    if (e.Date !== undefined) rule.expiration.date = date(e.Date);
    if (e.ExpiredObjectDeleteMarker !== undefined) rule.expiration.expiredObjectDeleteMarker = bool(e.ExpiredObjectDeleteMarker);
  }
  for (const t of asArray(r.Transition as unknown[] | undefined)) {
    const n = node(t)!;
    rule.transitions.push({ days: int(n.Days), date: date(n.Date), storageClass: storageClass(vocab, n.StorageClass) });
  }
  if (r.NoncurrentVersionExpiration !== undefined) {
    const n = node(r.NoncurrentVersionExpiration)!;
    rule.noncurrentExpiration = { days: int(n.NoncurrentDays), newerNoncurrent: int(n.NewerNoncurrentVersions) };
  }
  for (const t of asArray(r.NoncurrentVersionTransition as unknown[] | undefined)) {
    const n = node(t)!;
    const days = int(n.NoncurrentDays);
    if (days === undefined) throw new StorageError('MalformedXML');
    rule.noncurrentTransitions.push({ days, newerNoncurrent: int(n.NewerNoncurrentVersions), storageClass: storageClass(vocab, n.StorageClass) });
  }
  if (r.AbortIncompleteMultipartUpload !== undefined) {
    const days = int(node(r.AbortIncompleteMultipartUpload)!.DaysAfterInitiation);
    if (days === undefined) throw new StorageError('MalformedXML');
    rule.abortMultipart = { days };
  }
  return dropUndefined(rule);
}

/** Optional fields the parser left undefined are not stored. */
function dropUndefined<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export function parseLifecycle(vocab: Vocabulary, body: Buffer): LifecycleConfiguration {
  const doc = parseXmlBody(body, 'LifecycleConfiguration');
  return { rules: asArray(doc.Rule as unknown[] | undefined).map((r) => parseRule(vocab, r)) };
}

const tagXml = (t: Tag) => ({ Key: t.key, Value: t.value });

function filterXml(f: LifecycleFilter): XmlNode {
  const out: XmlNode = {};
  if (f.prefix !== undefined) out.Prefix = f.prefix;
  if (f.tag) out.Tag = tagXml(f.tag);
  if (f.sizeGreaterThan !== undefined) out.ObjectSizeGreaterThan = f.sizeGreaterThan;
  if (f.sizeLessThan !== undefined) out.ObjectSizeLessThan = f.sizeLessThan;
  if (f.and) {
    const a: XmlNode = {};
    if (f.and.prefix !== undefined) a.Prefix = f.and.prefix;
    if (f.and.tags.length) a.Tag = f.and.tags.map(tagXml);
    if (f.and.sizeGreaterThan !== undefined) a.ObjectSizeGreaterThan = f.and.sizeGreaterThan;
    if (f.and.sizeLessThan !== undefined) a.ObjectSizeLessThan = f.and.sizeLessThan;
    out.And = a;
  }
  return out;
}

function when(w: { days?: number; date?: string }): XmlNode {
  return w.date !== undefined ? { Date: isoDate(w.date) } : { Days: w.days };
}

function ruleXml(vocab: Vocabulary, r: LifecycleRule): XmlNode {
  const out: XmlNode = { ID: r.id };
  if (r.filter) out.Filter = filterXml(r.filter);
  else out.Prefix = r.prefix ?? '';
  out.Status = r.enabled ? 'Enabled' : 'Disabled';
  if (r.transitions.length) out.Transition = r.transitions.map((t) => ({ ...when(t), StorageClass: wireClass(vocab, t.storageClass) }));
  if (r.noncurrentTransitions.length)
    out.NoncurrentVersionTransition = r.noncurrentTransitions.map((t) => ({
      NoncurrentDays: t.days,
      StorageClass: wireClass(vocab, t.storageClass),
      ...(t.newerNoncurrent !== undefined ? { NewerNoncurrentVersions: t.newerNoncurrent } : {}),
    }));
  if (r.noncurrentExpiration) {
    const n = r.noncurrentExpiration;
    out.NoncurrentVersionExpiration = { ...(n.days !== undefined ? { NoncurrentDays: n.days } : {}), ...(n.newerNoncurrent !== undefined ? { NewerNoncurrentVersions: n.newerNoncurrent } : {}) };
  }
  if (r.abortMultipart?.days !== undefined) out.AbortIncompleteMultipartUpload = { DaysAfterInitiation: r.abortMultipart.days };
  if (r.expiration) out.Expiration = r.expiration.expiredObjectDeleteMarker !== undefined ? { ExpiredObjectDeleteMarker: String(r.expiration.expiredObjectDeleteMarker) } : when(r.expiration);
  return out;
}

export async function putBucketLifecycle(op: OpContext): Promise<Reply> {
  const { engine } = op.services;
  await engine.getBucket(op.bucket!);
  // S3 requires an integrity check (Content-MD5 or a flexible checksum) on this request.
  const body = await readVerifiedBody(op, MAX_BODY, { requireIntegrity: op.vocab.dialect === 's3' });
  await putLifecycle(engine, op.bucket!, parseLifecycle(op.vocab, body));
  return { status: 200 };
}

export async function getBucketLifecycle(op: OpContext): Promise<Reply> {
  const c = await getLifecycle(op.services.engine, op.bucket!);
  return { status: 200, body: { root: 'LifecycleConfiguration', value: { Rule: c.rules.map((r) => ruleXml(op.vocab, r)) } } };
}

export async function deleteBucketLifecycle(op: OpContext): Promise<Reply> {
  await putLifecycle(op.services.engine, op.bucket!, null);
  return { status: 204 };
}

/**
 * The expiration a lifecycle rule gives the object, for GET, HEAD and PUT
 * answers: `x-amz-expiration: expiry-date="...", rule-id="..."` (OBS and OSS
 * report the same value under their prefix).
 */
export async function expirationHeader(op: OpContext, o: ObjectRecord, bucket?: BucketRecord): Promise<Record<string, string>> {
  const b = bucket ?? (await op.services.engine.lookupBucket(op.bucket!));
  const value = await expirationOf(op.services.engine, b, o);
  return value ? { [op.vocab.prefix + 'expiration']: value } : {};
}
