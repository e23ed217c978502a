import { StorageError } from '../engine/errors.js';
import { assertReadable, restoreHeader, restoreObject as startRestore } from '../engine/lifecycle/restore.js';
import type { ObjectRecord } from '../meta/types.js';
import type { Reply } from '../http/reply.js';
import { readVerifiedBody } from './body.js';
import { int, node, text } from './lifecycle-xml.js';
import type { OpContext } from './op-context.js';
import { parseXmlBody } from './xml.js';

/**
 * Restoring archived objects: S3 RestoreObject, OSS RestoreObject and OBS
 * restoreObject, all `POST /key?restore` with a RestoreRequest document
 * (Days, and a tier under GlacierJobParameters / JobParameters / RestoreJob).
 * 202 for a restore started, 200 when the object is restored already (its
 * copy's expiry is moved), RestoreAlreadyInProgress while one runs.
 */
const MAX_BODY = 64 * 1024;
const TIERS = new Set(['Expedited', 'Standard', 'Bulk']);
/** Where each dialect puts the tier. */
const TIER_ELEMENT = { s3: 'GlacierJobParameters', oss: 'JobParameters', obs: 'RestoreJob' } as const;

export async function restoreObject(op: OpContext): Promise<Reply> {
  const { engine } = op.services;
  await engine.getBucket(op.bucket!);
  const body = await readVerifiedBody(op, MAX_BODY);
  let days: number | undefined;
  let tier: string | undefined;
  if (body.length) {
    const doc = parseXmlBody(body, 'RestoreRequest');
    days = int(doc.Days);
    tier = text(node(doc[TIER_ELEMENT[op.vocab.dialect]])?.Tier);
    if (tier !== undefined && !TIERS.has(tier)) throw new StorageError('MalformedXML');
  }
  // OSS restores an Archive object for one day when the request names none; S3 and OBS require Days.
  if (days === undefined && op.vocab.dialect === 'oss') days = 1;
  if (days === undefined) throw new StorageError('MalformedXML');
  if (days < 1) throw new StorageError('InvalidArgument', 'Days must be a positive integer', { ArgumentName: 'Days', ArgumentValue: String(days) });
  const outcome = await startRestore(engine, op.bucket!, op.key!, { versionId: op.http.query.get('versionId'), days, tier });
  return { status: outcome === 'started' ? 202 : 200 };
}

/** Headers describing a version's restore (`x-amz-restore`, `x-oss-restore`, `x-obs-restore`). */
export function restoreHeaders(op: OpContext, o: ObjectRecord): Record<string, string> {
  const value = restoreHeader(o);
  return value ? { [op.vocab.prefix + 'restore']: value } : {};
}

/** A GET of an archived object's data is refused until it is restored. */
export const assertRestored = (o: ObjectRecord) => assertReadable(o);
