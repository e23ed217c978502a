import type { ObjectRecord } from '../../meta/types.js';
import type { Engine } from '../engine.js';
import { StorageError } from '../errors.js';
import { validateVersionId } from '../names.js';
import { storeOf } from '../store-of.js';
import { DAY_MS } from './evaluate.js';
import { lifecycleTiming } from './timing.js';

/**
 * Archive storage classes and their restore. An object in an archive class
 * (S3 GLACIER / DEEP_ARCHIVE, OSS Archive / ColdArchive / DeepColdArchive,
 * OBS COLD / DEEP_ARCHIVE) is not readable until restored. A restore is
 * recorded on the version (`extra.restore`) with the time its copy is ready
 * (after the configured restore time) and the time that copy expires (Days
 * after, in lifecycle days); reads compare those times with the clock, so
 * the state needs no pass of a worker to change.
 */
export const ARCHIVE_CLASSES: ReadonlySet<string> = new Set(['GLACIER', 'DEEP_ARCHIVE', 'DeepColdArchive']);
const RESTORE = 'restore';

interface RestoreRecord {
  requestedAt: number;
  readyAt: number;
  expiresAt: number;
  days: number;
  tier?: string;
}

export type RestoreState = { state: 'none' } | { state: 'ongoing' } | { state: 'restored'; expiresAt: number };

export function isArchived(o: ObjectRecord): boolean {
  return ARCHIVE_CLASSES.has(o.storageClass);
}

export function restoreState(o: ObjectRecord, now = Date.now()): RestoreState {
  const r = o.extra[RESTORE] as RestoreRecord | undefined;
  if (!r || !isArchived(o) || now >= r.expiresAt) return { state: 'none' };
  return now < r.readyAt ? { state: 'ongoing' } : { state: 'restored', expiresAt: r.expiresAt };
}

/** Refuses to serve an archived object's data until it is restored (InvalidObjectState). */
export function assertReadable(o: ObjectRecord, now = Date.now()): void {
  if (isArchived(o) && restoreState(o, now).state !== 'restored')
    throw new StorageError('InvalidObjectState', "The operation is not valid for the object's storage class", { StorageClass: o.storageClass });
}

/** The `x-amz-restore` value: `ongoing-request="true"`, or `ongoing-request="false", expiry-date="..."`. */
export function restoreHeader(o: ObjectRecord, now = Date.now()): string | undefined {
  const s = restoreState(o, now);
  if (s.state === 'none') return undefined;
  if (s.state === 'ongoing') return 'ongoing-request="true"';
  return `ongoing-request="false", expiry-date="${new Date(s.expiresAt).toUTCString()}"`;
}

/**
 * Starts a restore of an archived version, in one commit. 'started' for a new
 * restore (S3 answers 202), 'extended' when the object is restored already
 * (200: the copy's expiry is moved); RestoreAlreadyInProgress while one runs,
 * InvalidObjectState for an object in no archive class.
 */
export async function restoreObject(engine: Engine, bucket: string, key: string, opts: { versionId?: string; days: number; tier?: string }): Promise<'started' | 'extended'> {
  if (opts.versionId !== undefined) validateVersionId(opts.versionId);
  const { clock, restoreMs } = lifecycleTiming(engine);
  return storeOf(engine).transaction(async (tx) => {
    const b = await tx.getBucketForUpdate(bucket);
    if (!b) throw new StorageError('NoSuchBucket', undefined, { BucketName: bucket });
    const o = opts.versionId !== undefined ? await tx.getVersion(b.id, key, opts.versionId) : await tx.getLatest(b.id, key);
    if (!o || (o.isDeleteMarker && opts.versionId === undefined)) throw new StorageError('NoSuchKey', undefined, { Key: key });
    if (o.isDeleteMarker) throw new StorageError('MethodNotAllowed', undefined, { Method: 'POST', ResourceType: 'DeleteMarker' });
    if (!isArchived(o)) throw new StorageError('InvalidObjectState', 'Restore is not allowed for the object\'s current storage class', { StorageClass: o.storageClass });
    const now = Date.now();
    const state = restoreState(o, now);
    if (state.state === 'ongoing') throw new StorageError('RestoreAlreadyInProgress');
    const readyAt = state.state === 'restored' ? now : now + restoreMs;
    // The copy lasts Days lifecycle days; in S3's calendar, to the midnight UTC after.
    const expiresAt = clock.debug ? readyAt + opts.days * clock.dayMs : Math.ceil((readyAt + opts.days * DAY_MS) / DAY_MS) * DAY_MS;
    const record: RestoreRecord = { requestedAt: now, readyAt, expiresAt, days: opts.days, ...(opts.tier ? { tier: opts.tier } : {}) };
    await tx.updateObjectExtra(o.id, { ...o.extra, [RESTORE]: record });
    return state.state === 'restored' ? 'extended' : 'started';
  });
}
