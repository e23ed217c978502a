import { StorageError } from '../engine/errors.js';
import { compareKeys } from '../engine/keys.js';
import type { Reply } from '../http/reply.js';
import { readVerifiedBody } from './body.js';
import type { OpContext } from './op-context.js';
import { validateTagSet } from './tagging.js';
import { versionHeader } from './versioning.js';
import { asArray, parseXmlBody } from './xml.js';

const MAX_BODY = 64 * 1024;

/** `<Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>`, validated as S3 does. */
async function readTagging(op: OpContext, kind: 'object' | 'bucket'): Promise<Record<string, string>> {
  const doc = parseXmlBody(await readVerifiedBody(op, MAX_BODY), 'Tagging');
  const set = doc.TagSet;
  if (set === undefined || (typeof set !== 'object' && set !== '')) throw new StorageError('MalformedXML');
  const tags = set === '' ? [] : asArray((set as Record<string, unknown>).Tag as unknown);
  const pairs: [string, string][] = tags.map((t) => {
    if (typeof t !== 'object' || t === null) throw new StorageError('MalformedXML');
    const { Key: key, Value: value, ...rest } = t as Record<string, unknown>;
    if (typeof key !== 'string' || typeof value !== 'string' || Object.keys(rest).length) throw new StorageError('MalformedXML');
    return [key, value];
  });
  return validateTagSet(pairs, kind, op.vocab.maxBucketTags);
}

function taggingDoc(tags: Record<string, string> | null) {
  const keys = Object.keys(tags ?? {}).sort(compareKeys);
  return { root: 'Tagging', value: { TagSet: { Tag: keys.map((k) => ({ Key: k, Value: tags![k] })) } } };
}

export async function getObjectTagging(op: OpContext): Promise<Reply> {
  const { bucket, object } = await op.services.engine.tagging.getObjectTags(op.bucket!, op.key!, op.http.query.get('versionId'));
  return { status: 200, headers: versionHeader(op, object, bucket), body: taggingDoc(object.tags) };
}

export async function putObjectTagging(op: OpContext): Promise<Reply> {
  const { engine } = op.services;
  await engine.getBucket(op.bucket!);
  const tags = await readTagging(op, 'object');
  const { bucket, object } = await engine.tagging.putObjectTags(op.bucket!, op.key!, op.http.query.get('versionId'), tags);
  return { status: 200, headers: versionHeader(op, object, bucket) };
}

export async function deleteObjectTagging(op: OpContext): Promise<Reply> {
  const { bucket, object } = await op.services.engine.tagging.deleteObjectTags(op.bucket!, op.key!, op.http.query.get('versionId'));
  return { status: 204, headers: versionHeader(op, object, bucket) };
}

export async function getBucketTagging(op: OpContext): Promise<Reply> {
  return { status: 200, body: taggingDoc(await op.services.engine.tagging.getBucketTags(op.bucket!)) };
}

export async function putBucketTagging(op: OpContext): Promise<Reply> {
  const { engine } = op.services;
  await engine.getBucket(op.bucket!);
  await engine.tagging.putBucketTags(op.bucket!, await readTagging(op, 'bucket'));
  // S3's response syntax (and what clients such as minio expect) is 200 with no body.
  return { status: 200 };
}

export async function deleteBucketTagging(op: OpContext): Promise<Reply> {
  await op.services.engine.tagging.deleteBucketTags(op.bucket!);
  return { status: 204 };
}
