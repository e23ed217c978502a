import { getLifecycle, putLifecycle } from '../engine/lifecycle/config.js';
import type { LifecycleConfiguration, LifecycleRule, When } from '../engine/lifecycle/model.js';
import { StorageError } from '../engine/errors.js';
import type { Reply } from '../http/reply.js';
import { readVerifiedBody } from './body.js';
import { bool, date, int, isoDate, node, ruleId, status, storageClass, tags, text, wireClass, type XmlNode } from './lifecycle-xml.js';
import type { OpContext } from './op-context.js';
import type { Vocabulary } from './vocabulary.js';
import { asArray, parseXmlBody } from './xml.js';

/**
 * OSS PutBucketLifecycle / GetBucketLifecycle / DeleteBucketLifecycle
 * (`?lifecycle`): each Rule has a Prefix (possibly empty), Tags beside it,
 * times as Days or CreatedBeforeDate, and AbortMultipartUpload; parsed into
 * the same neutral model S3's document is.
 */
const MAX_BODY = 1024 * 1024;

function daysOrDate(v: unknown): When {
  const n = node(v)!;
  const w: When = {};
  if (n.Days !== undefined) w.days = int(n.Days);
  if (n.CreatedBeforeDate !== undefined) w.date = date(n.CreatedBeforeDate, 'CreatedBeforeDate');
  return w;
}

function parseRule(vocab: Vocabulary, v: unknown): LifecycleRule {
  const r = node(v)!;
  if (r.Prefix === undefined) throw new StorageError('MalformedXML');
  const rule: LifecycleRule = { id: ruleId(r.ID), enabled: status(r.Status), prefix: text(r.Prefix), transitions: [], noncurrentTransitions: [] };
  const ruleTags = tags(r.Tag);
  const filter = node(r.Filter);
  if (filter?.Not !== undefined) throw new StorageError('NotImplemented', 'Filter Not is not supported');
  if (ruleTags.length || filter) {
    rule.filter = { and: { tags: ruleTags } };
    if (filter?.ObjectSizeGreaterThan !== undefined) rule.filter.and!.sizeGreaterThan = int(filter.ObjectSizeGreaterThan);
    if (filter?.ObjectSizeLessThan !== undefined) rule.filter.and!.sizeLessThan = int(filter.ObjectSizeLessThan);
  }
  if (r.Expiration !== undefined) {
    const e = node(r.Expiration)!;
    rule.expiration = daysOrDate(e);
    if (e.ExpiredObjectDeleteMarker !== undefined) rule.expiration.expiredObjectDeleteMarker = bool(e.ExpiredObjectDeleteMarker);
  }
  for (const t of asArray(r.Transition as unknown[] | undefined)) rule.transitions.push({ ...daysOrDate(t), storageClass: storageClass(vocab, node(t)!.StorageClass) });
  if (r.AbortMultipartUpload !== undefined) rule.abortMultipart = daysOrDate(r.AbortMultipartUpload);
  if (r.NoncurrentVersionExpiration !== undefined) rule.noncurrentExpiration = { days: int(node(r.NoncurrentVersionExpiration)!.NoncurrentDays) };
  for (const t of asArray(r.NoncurrentVersionTransition as unknown[] | undefined)) {
    const n = node(t)!;
    const days = int(n.NoncurrentDays);
    if (days === undefined) throw new StorageError('MalformedXML');
    rule.noncurrentTransitions.push({ days, storageClass: storageClass(vocab, n.StorageClass) });
  }
  return JSON.parse(JSON.stringify(rule)) as LifecycleRule;
}

function when(w: When): XmlNode {
  return w.date !== undefined ? { CreatedBeforeDate: isoDate(w.date) } : { Days: w.days };
}

function ruleXml(vocab: Vocabulary, r: LifecycleRule): XmlNode {
  const f = r.filter;
  const out: XmlNode = { ID: r.id, Prefix: r.prefix ?? f?.prefix ?? f?.and?.prefix ?? '', Status: r.enabled ? 'Enabled' : 'Disabled' };
  const ruleTags = [...(f?.tag ? [f.tag] : []), ...(f?.and?.tags ?? [])];
  if (ruleTags.length) out.Tag = ruleTags.map((t) => ({ Key: t.key, Value: t.value }));
  if (r.expiration) out.Expiration = r.expiration.expiredObjectDeleteMarker !== undefined ? { ExpiredObjectDeleteMarker: String(r.expiration.expiredObjectDeleteMarker) } : when(r.expiration);
  if (r.transitions.length) out.Transition = r.transitions.map((t) => ({ ...when(t), StorageClass: wireClass(vocab, t.storageClass) }));
  if (r.abortMultipart) out.AbortMultipartUpload = when(r.abortMultipart);
  if (r.noncurrentExpiration?.days !== undefined) out.NoncurrentVersionExpiration = { NoncurrentDays: r.noncurrentExpiration.days };
  if (r.noncurrentTransitions.length) out.NoncurrentVersionTransition = r.noncurrentTransitions.map((t) => ({ NoncurrentDays: t.days, StorageClass: wireClass(vocab, t.storageClass) }));
  const gt = f?.sizeGreaterThan ?? f?.and?.sizeGreaterThan;
  const lt = f?.sizeLessThan ?? f?.and?.sizeLessThan;
  if (gt !== undefined || lt !== undefined) out.Filter = { ...(gt !== undefined ? { ObjectSizeGreaterThan: gt } : {}), ...(lt !== undefined ? { ObjectSizeLessThan: lt } : {}) };
  return out;
}

export function parseOssLifecycle(vocab: Vocabulary, body: Buffer): LifecycleConfiguration {
  const doc = parseXmlBody(body, 'LifecycleConfiguration');
  return { rules: asArray(doc.Rule as unknown[] | undefined).map((r) => parseRule(vocab, r)) };
}

export async function putOssLifecycle(op: OpContext): Promise<Reply> {
  const { engine } = op.services;
  await engine.getBucket(op.bucket!);
  const body = await readVerifiedBody(op, MAX_BODY);
  await putLifecycle(engine, op.bucket!, parseOssLifecycle(op.vocab, body));
  return { status: 200 };
}

export async function getOssLifecycle(op: OpContext): Promise<Reply> {
  const c = await getLifecycle(op.services.engine, op.bucket!);
  return { status: 200, body: { root: 'LifecycleConfiguration', value: { Rule: c.rules.map((r) => ruleXml(op.vocab, r)) } } };
}

export async function deleteOssLifecycle(op: OpContext): Promise<Reply> {
  await putLifecycle(op.services.engine, op.bucket!, null);
  return { status: 204 };
}
