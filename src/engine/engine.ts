import { once } from 'node:events';
import { Readable, type Writable } from 'node:stream';
import { isDirectSource } from '../blob/blob-stream.js';
import type { BlobStore, ByteRange, PendingBlob } from '../blob/store.js';
import type { MetaOps, MetadataStore } from '../meta/store.js';
import type { AccountRecord, BucketRecord, NewObject, ObjectRecord, Segment } from '../meta/types.js';
import { checkConditions, etagMatches, type Conditions } from './conditions.js';
import { withCrc64, withCrc64Checksum } from './crc.js';
import { fitsInline, readInline } from './inline.js';
import { StorageError } from './errors.js';
import { newVersionId } from './ids.js';
import { listLatest } from './listing.js';
import { listVersions } from './list-versions.js';
import { BucketCache } from './bucket-cache.js';
import { Folders } from './folders.js';
import { objectExpiry } from './lifecycle/object-expiry.js';
import { COMPLETED_UPLOAD, Multipart, type StagedBlob } from './multipart.js';
import { checkQuota, precheckQuota } from './quota.js';
import { BUCKET_SETTINGS, readSetting, validateSettings, writeSetting, type BucketSettings, type SettingName, type SettingValue } from './settings.js';
import { bindStore } from './store-of.js';
import { isVersionId, refuseNul, refuseNulIn, validateBucketName, validateKey, validateVersionId } from './names.js';
import { Tagging } from './tagging.js';
import type { Caller, CommitCheck, CopyOptions, DeleteResult, ListOptions, ListPage, VersionListOptions, VersionPage, WriteOptions } from './types.js';
import { checkWriteConditions, hasWriteConditions, validateWriteConditions, type ConditionSnapshot, type WriteConditions } from './write-conditions.js';

export const MAX_SINGLE_PUT = 5 * 1024 ** 3;


/** A copy's source was replaced before the copy committed (internal: the copy is retried). */
class SourceChanged extends Error {}

/** The blobs an object version's data lives in. */
export async function blobsOf(tx: MetaOps, o: ObjectRecord): Promise<string[]> {
  if (o.blobId) return [o.blobId];
  if (o.segmentCount > 0) return (await tx.getSegments(o.id)).map((s) => s.blobId);
  return [];
}

/**
 * The storage engine: buckets, objects, versions and listings over a metadata
 * store and a blob store. Dialect front ends call it; it knows nothing of HTTP.
 * Every write follows one shape: stream the body into a pending blob, verify
 * it, make the blob durable, then commit the metadata in one transaction (the
 * single point at which the write becomes visible), then remove blobs the
 * commit orphaned.
 */
export class Engine {
  /** Multipart uploads (S3 multipart, OSS / OBS multipart, COS slice sessions). */
  readonly multipart: Multipart;
  private readonly buckets = new BucketCache();
  /** Object and bucket tag sets. */
  readonly tagging: Tagging;
  /** Folder reads over the flat key space (COS). */
  readonly folders: Folders;
  /**
   * Grows whenever cached bucket data may have changed: a bucket deleted, its
   * versioning or a setting written through this gateway, or another
   * gateway's change seen in the store's change counter (`forgetCaches`).
   * Caches of bucket records and settings keep the epoch an entry was read
   * in and use it only while the epoch is the same.
   */
  cacheEpoch = 0;

  constructor(
    /** Private: dialects and operations go through the engine's methods, never around them (see store-of.ts). */
    private readonly meta: MetadataStore,
    readonly blobs: BlobStore,
    readonly opts: { defaultRegion: string } = { defaultRegion: 'us-east-1' },
  ) {
    bindStore(this, meta);
    this.multipart = new Multipart(this, meta);
    this.tagging = new Tagging(this, meta);
    this.folders = new Folders(meta);
  }

  /** Readiness: one round trip to the metadata store and a check of the blob store; throws when either fails. */
  async ready(): Promise<void> {
    await Promise.all([this.meta.getAccount('\0ready'), this.blobs.check()]);
  }

  // ---------------------------------------------------------------- buckets

  /** `settings`: bucket settings (settings.ts) stored in the same transaction (default storage class, ACL...). */
  async createBucket(caller: Caller, name: string, opts: { region?: string; settings?: BucketSettings } = {}): Promise<BucketRecord> {
    validateBucketName(name);
    const settings = opts.settings ?? {};
    validateSettings(settings);
    return this.meta.transaction(async (tx) => {
      const existing = await tx.getBucket(name);
      if (existing) {
        throw new StorageError(existing.ownerId === caller.accountId ? 'BucketAlreadyOwnedByYou' : 'BucketAlreadyExists', undefined, {
          BucketName: name,
        });
      }
      const b = await tx.insertBucket({
        name,
        ownerId: caller.accountId,
        region: opts.region || this.opts.defaultRegion,
        createdAt: Date.now(),
        versioning: 'Unversioned',
      });
      for (const name of Object.keys(settings) as SettingName[]) {
        const value = settings[name];
        if (value !== undefined) await writeSetting(tx, b, name, value);
      }
      return b;
    });
  }

  /** The bucket, or undefined when there is none of that name (no error: e.g. COS answers its own). */
  async findBucket(name: string): Promise<BucketRecord | undefined> {
    return this.meta.getBucket(name);
  }

  async getBucket(name: string): Promise<BucketRecord> {
    const b = await this.meta.getBucket(name);
    if (!b) throw new StorageError('NoSuchBucket', undefined, { BucketName: name });
    return b;
  }

  /** A bucket for a read path, possibly cached (see BucketCache); never for writes or usage figures. */
  async lookupBucket(name: string): Promise<BucketRecord> {
    const hit = this.buckets.get(name);
    if (hit) return hit;
    const epoch = this.cacheEpoch;
    const b = await this.getBucket(name);
    // Read before a change this process has since heard of: used once, not kept.
    if (epoch === this.cacheEpoch) this.buckets.set(b);
    return b;
  }

  /** Another gateway changed cached data (the store's change counter moved): every bucket cache forgets. */
  forgetCaches(): void {
    this.cacheEpoch++;
    this.buckets.clear();
  }

  async listBuckets(caller: Caller): Promise<BucketRecord[]> {
    return this.meta.listBuckets(caller.accountId);
  }

  /**
   * Deletes an empty bucket. Unfinished multipart uploads either block the deletion
   * (`uploadsBlock`: OSS and OBS document that parts must be removed first) or go with
   * the bucket, their parts' blobs freed (S3 deletes such a bucket).
   */
  async deleteBucket(name: string, opts: { uploadsBlock: boolean } = { uploadsBlock: true }): Promise<void> {
    const orphans = await this.meta.transaction(async (tx) => {
      const b = await tx.getBucketForUpdate(name);
      if (!b) throw new StorageError('NoSuchBucket', undefined, { BucketName: name });
      if (await tx.bucketHasContent(b.id, { uploads: opts.uploadsBlock })) throw new StorageError('BucketNotEmpty', undefined, { BucketName: name });
      const freed = opts.uploadsBlock ? [] : await tx.deleteBucketUploads(b.id);
      await tx.deleteBucket(b.id);
      return freed;
    });
    this.buckets.forget(name);
    this.cacheEpoch++;
    await this.collect(orphans);
  }

  /** A bucket setting (settings.ts), its default when none is stored. */
  async bucketSetting<N extends SettingName>(bucket: string | BucketRecord, name: N): Promise<SettingValue<N>> {
    const b = typeof bucket === 'string' ? await this.getBucket(bucket) : bucket;
    return readSetting(this.meta, b, name);
  }

  private readonly settingCache = new Map<string, { value: unknown; epoch: number; until: number }>();

  /**
   * A setting the write path asks on every request (quota, default storage class), remembered
   * for a second and dropped when `cacheEpoch` moves (this process's change, or another
   * gateway's seen through the change counter). Decisions that must be exact read again in the
   * commit (the quota) or are the setting's own (the class a write is stored with).
   */
  private async cachedSetting<N extends SettingName>(b: BucketRecord, name: N): Promise<SettingValue<N>> {
    const k = `${b.id}\0${name}`;
    const now = Date.now();
    const hit = this.settingCache.get(k);
    if (hit && hit.epoch === this.cacheEpoch && hit.until > now) return hit.value as SettingValue<N>;
    const epoch = this.cacheEpoch;
    const value = await readSetting(this.meta, b, name);
    if (this.settingCache.size > 10_000) this.settingCache.clear();
    if (epoch === this.cacheEpoch) this.settingCache.set(k, { value, epoch, until: now + 1000 });
    return value;
  }

  /** Validates and stores a bucket setting. */
  async setBucketSetting<N extends SettingName>(bucket: string, name: N, value: SettingValue<N>): Promise<void> {
    BUCKET_SETTINGS[name].validate(value as never);
    await this.meta.transaction(async (tx) => {
      const b = await tx.getBucketForUpdate(bucket);
      if (!b) throw new StorageError('NoSuchBucket', undefined, { BucketName: bucket });
      await writeSetting(tx, b, name, value);
    });
    this.cacheEpoch++;
  }

  /** Turns versioning on or suspends it; a bucket never returns to unversioned. */
  async setVersioning(bucket: string, state: 'Enabled' | 'Suspended'): Promise<void> {
    await this.meta.transaction(async (tx) => {
      const b = await tx.getBucketForUpdate(bucket);
      if (!b) throw new StorageError('NoSuchBucket', undefined, { BucketName: bucket });
      if (b.versioning !== state) await tx.setVersioning(b.id, state);
    });
    this.buckets.forget(bucket);
    this.cacheEpoch++;
  }

  // ---------------------------------------------------------------- accounts

  async getAccount(id: string): Promise<AccountRecord | undefined> {
    return this.meta.getAccount(id);
  }

  /** The account a COS appid names. */
  async getAccountByAppid(appid: string): Promise<AccountRecord | undefined> {
    return this.meta.getAccountByAppid(appid);
  }

  // ---------------------------------------------------------------- objects: reads

  /** The version to read: the latest, or the one named. Delete markers are refused as S3 does. */
  async getObject(bucket: string, key: string, versionId?: string): Promise<ObjectRecord> {
    return (await this.readVersion(bucket, key, versionId)).object;
  }

  /**
   * The version to read with its bucket (whose versioning state decides, for
   * instance, whether a `null` version is announced). A delete marker named by
   * version id is MethodNotAllowed (`method` names the refused request); a
   * latest version that is a delete marker reads as NoSuchKey.
   */
  async readVersion(bucket: string, key: string, versionId?: string, method = 'GET'): Promise<{ bucket: BucketRecord; object: ObjectRecord }> {
    refuseNul(key);
    if (versionId !== undefined) validateVersionId(versionId);
    const b = await this.lookupBucket(bucket);
    if (versionId !== undefined) {
      const o = await this.meta.getVersion(b.id, key, versionId, { withData: method === 'GET' });
      if (!o) throw new StorageError('NoSuchVersion', undefined, { Key: key, VersionId: versionId });
      if (o.isDeleteMarker)
        throw new StorageError('MethodNotAllowed', undefined, { Method: method, ResourceType: 'DeleteMarker' }, {
          'delete-marker': 'true',
          'version-id': o.versionId,
          'last-modified': new Date(o.lastModified).toUTCString(),
          allow: 'DELETE',
        });
      return { bucket: b, object: o };
    }
    // A GET of a small object reads its row and its bytes in one statement.
    const o = await this.meta.getLatest(b.id, key, { withData: method === 'GET' });
    if (!o) throw new StorageError('NoSuchKey', undefined, { Key: key });
    if (o.isDeleteMarker)
      throw new StorageError('NoSuchKey', undefined, { Key: key }, { 'delete-marker': 'true', 'version-id': o.versionId });
    return { bucket: b, object: o };
  }

  /**
   * The stored latest row of a key in bucket `b`, delete marker or not, with no
   * error for a missing key (callers with their own answers: COS, folders).
   */
  async latestRow(b: BucketRecord, key: string): Promise<ObjectRecord | undefined> {
    refuseNul(key);
    return this.meta.getLatest(b.id, key);
  }

  /** The segments an object version's data is stored in, in order (none for single-blob data). */
  async segmentsOf(o: ObjectRecord): Promise<Segment[]> {
    return o.segmentCount > 0 ? this.meta.getSegments(o.id) : [];
  }

  /**
   * Records a single-use token (`scope` separates users, e.g. COS one-time
   * signatures): false when it was already used, on any gateway of the store.
   */
  async useOnce(scope: string, token: string, expiresAt: number): Promise<boolean> {
    return this.meta.consumeOnce(scope, token, expiresAt);
  }

  /** Reads an object version's bytes (all, or one range) as a stream. */
  async openData(o: ObjectRecord, range?: ByteRange): Promise<Readable> {
    if (o.blobId) return this.blobs.read(o.blobId, range);
    if (o.inline) return Readable.from([await this.inlineData(o, range)]);
    if (o.segmentCount === 0 || o.size === 0) return Readable.from([]);
    const segments = await this.meta.getSegments(o.id);
    const start = range?.start ?? 0;
    const end = range?.end ?? o.size - 1;
    const pieces: { blobId: string; range: ByteRange }[] = [];
    let offset = 0;
    for (const s of segments) {
      const sEnd = offset + s.size - 1;
      if (sEnd >= start && offset <= end && s.size > 0) {
        pieces.push({ blobId: s.blobId, range: { start: Math.max(start, offset) - offset, end: Math.min(end, sEnd) - offset } });
      }
      offset += s.size;
    }
    // Open the first piece now so a missing blob fails before headers are sent.
    const first = pieces.length ? await this.blobs.read(pieces[0].blobId, pieces[0].range) : undefined;
    const blobs = this.blobs;
    const open = (i: number) => (i === 0 ? Promise.resolve(first!) : blobs.read(pieces[i].blobId, pieces[i].range));
    const stream = Readable.from(
      (async function* () {
        for (let i = 0; i < pieces.length; i++) {
          for await (const chunk of await open(i)) yield chunk as Buffer;
        }
      })(),
      { objectMode: false },
    );
    // The segments one after another, each through its own direct path when it has one.
    return Object.assign(stream, {
      async writeTo(dest: Writable) {
        for (let i = 0; i < pieces.length; i++) {
          const s = await open(i);
          if (isDirectSource(s)) await s.writeTo(dest);
          else for await (const chunk of s) if (!dest.write(chunk)) await once(dest, 'drain');
        }
      },
    });
  }

  /** An inline version's bytes (a range of them). A version deleted since it was read is gone, as its blob would be. */
  private async inlineData(o: ObjectRecord, range?: ByteRange): Promise<Buffer> {
    const data = o.inlineData ?? (await this.meta.getObjectData(o.id));
    if (!data) throw new StorageError('NoSuchKey', undefined, { Key: o.key });
    return range ? data.subarray(range.start, range.end + 1) : data;
  }

  async readSmall(o: ObjectRecord, range?: ByteRange): Promise<Buffer> {
    // The size is known from the metadata: read exactly that, no fstat.
    if (o.blobId) return this.blobs.readBuffer(o.blobId, range ?? { start: 0, end: o.size - 1 });
    if (o.inline) return this.inlineData(o, range);
    const chunks: Buffer[] = [];
    for await (const c of await this.openData(o, range)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  // ---------------------------------------------------------------- objects: writes

  async putObject(caller: Caller, bucket: string, key: string, body: AsyncIterable<Buffer>, opts: WriteOptions): Promise<ObjectRecord> {
    validateKey(key);
    // Fail fast, before reading the body, on the cached record: the commit reads the bucket again.
    const b = await this.lookupBucket(bucket);
    const seen = await this.conditionSnapshot(b, key, opts);
    const max = Math.min(opts.maxSize ?? MAX_SINGLE_PUT, MAX_SINGLE_PUT);
    if (opts.size !== undefined && opts.size > max) throw new StorageError('EntityTooLarge', undefined, { ProposedSize: String(opts.size), MaxSizeAllowed: String(max) });
    // A body that cannot fit the quota is refused before it is read (an unversioned overwrite releases the old bytes);
    // that needs the bucket's usage as stored now, so only a bucket with a quota reads it.
    if (opts.size !== undefined && (await this.cachedSetting(b, 'quota')) !== 0n) {
      const fresh = await this.getBucket(bucket);
      await precheckQuota(this.meta, fresh, opts.size, async () => {
        const replaced = fresh.versioning === 'Enabled' ? undefined : await this.meta.getVersion(fresh.id, key, 'null');
        return replaced && !replaced.isDeleteMarker ? replaced.size : 0;
      });
    }
    const storageClass = opts.storageClass ?? (await this.cachedSetting(b, 'storageClass'));
    // A small body of a declared length is kept inline, in the commit below; any other goes to a blob first.
    const inline = fitsInline(opts.size, max) ? await readInline(body, opts.size, withCrc64(opts.digests)) : undefined;
    if (inline && opts.verify) await opts.verify(inline.digests, inline.size);
    const pending = inline ? undefined : await this.stageBlob(body, { digests: opts.digests, maxSize: max, expectedSize: opts.size, verify: opts.verify });
    const data = inline ?? pending!;
    const now = Date.now();
    try {
      return await this.commitVersion(bucket, key, { ifMatch: opts.ifMatch, ifNoneMatch: opts.ifNoneMatch, seen }, (b) => ({
        bucketId: b.id,
        key,
        versionId: 'null',
        isLatest: true,
        isDeleteMarker: false,
        size: data.size,
        etag: data.digests.md5.toString('hex'),
        lastModified: now,
        meta: opts.meta,
        checksums: withCrc64Checksum(opts.checksums ? opts.checksums(data.digests) : {}, data.digests),
        storageClass,
        objectType: 'Normal',
        ownerId: caller.accountId,
        blobId: pending?.id ?? null,
        segmentCount: 0,
        inline: inline !== undefined,
        ...(inline ? { inlineData: inline.data } : {}),
        tags: opts.tags ?? null,
        extra: opts.extra ?? {},
        ...objectExpiry(this, opts.expireDays, now),
      }), undefined, opts.within && (async (tx, b) => (await opts.within!(tx, b), [])));
    } catch (e) {
      if (pending) await this.blobs.delete(pending.id);
      throw e;
    }
  }

  /**
   * Stages bytes whose destination is not known yet (a COS form may send its
   * file before the fields that say where it goes): durable, unreferenced until
   * `multipart.attachPart` or the caller's discardStaged (or, after a crash,
   * the start-up sweep).
   */
  async stage(body: AsyncIterable<Buffer>, opts: { maxSize: number; verify?: () => Promise<void> }): Promise<StagedBlob> {
    return this.stageBlob(body, { maxSize: opts.maxSize, verify: opts.verify });
  }

  /** The bytes of a staged blob, read back. */
  async readStaged(staged: StagedBlob): Promise<AsyncIterable<Buffer>> {
    return this.blobs.read(staged.id);
  }

  /** Removes a staged blob that will not be used. */
  async discardStaged(staged: StagedBlob): Promise<void> {
    await this.blobs.delete(staged.id);
  }

  /**
   * Streams a body into a new blob with its digests, runs the request's
   * checks, and makes the blob durable. Nothing of a body that fails is left;
   * the blob is not yet referenced by any metadata (the caller's commit does that).
   */
  async stageBlob(
    body: AsyncIterable<Buffer>,
    opts: { digests?: WriteOptions['digests']; maxSize?: number; expectedSize?: number; verify?: WriteOptions['verify'] },
  ): Promise<PendingBlob> {
    const pending = await this.blobs.write(body, { digests: withCrc64(opts.digests), maxSize: opts.maxSize, expectedSize: opts.expectedSize });
    try {
      if (opts.verify) await opts.verify(pending.digests, pending.size);
      await pending.commit();
    } catch (e) {
      await pending.discard();
      throw e;
    }
    return pending;
  }

  /**
   * Commits a new version of a key in one transaction, applying the bucket's
   * versioning state, and afterwards removes the blobs of versions it replaced.
   */
  async commitVersion(
    bucket: string,
    key: string,
    /** `alsoLock`: other keys the commit changes (a move's source), locked with `key`. */
    cond: WriteConditions & { seen?: ConditionSnapshot; alsoLock?: string[] },
    build: (b: BucketRecord) => NewObject,
    segments?: Segment[],
    /** Runs first inside the same transaction (e.g. consuming a multipart upload); returns blobs it orphaned. */
    within?: (tx: MetaOps, b: BucketRecord) => Promise<string[]>,
  ): Promise<ObjectRecord> {
    validateWriteConditions(cond);
    const { result, orphans } = await this.meta.transaction(async (tx) => {
      const b = await tx.getBucketForWrite(bucket, [key, ...(cond.alsoLock ?? [])]);
      if (!b) throw new StorageError('NoSuchBucket', undefined, { BucketName: bucket });
      const released = within ? await within(tx, b) : [];
      const prev = await tx.getLatest(b.id, key);
      checkWriteConditions(cond, prev, key, cond.seen);
      const o = build(b);
      const removed = await this.retireCurrent(tx, b, key, prev);
      await checkQuota(tx, b, (o.isDeleteMarker ? 0 : o.size) - removed.bytes);
      o.versionId = b.versioning === 'Enabled' ? newVersionId() : 'null';
      o.isLatest = true;
      const inserted = await tx.insertObject(o);
      if (segments?.length) await tx.insertSegments(inserted.id, segments);
      await tx.adjustUsage(b.id, (o.isDeleteMarker ? 0 : 1) - removed.count, (o.isDeleteMarker ? 0 : o.size) - removed.bytes);
      return { result: inserted, orphans: [...removed.blobs, ...released] };
    });
    await this.collect(orphans);
    return result;
  }

  /**
   * For a conditional write: checks the conditions before the body is read
   * (failing fast) and records what was seen, so that the commit can tell a
   * concurrent delete (a conflict) from a failed condition.
   */
  private async conditionSnapshot(b: BucketRecord, key: string, cond: WriteConditions): Promise<ConditionSnapshot | undefined> {
    if (!hasWriteConditions(cond)) return undefined;
    validateWriteConditions(cond);
    const latest = await this.meta.getLatest(b.id, key);
    checkWriteConditions(cond, latest, key);
    return { latestId: latest?.id ?? null };
  }

  /**
   * Before a new latest version of `key` is inserted: un-flag the previous
   * latest, and drop the existing 'null' version unless versioning is Enabled
   * (an unversioned or suspended write replaces it).
   */
  private async retireCurrent(tx: MetaOps, b: BucketRecord, key: string, prev: ObjectRecord | undefined) {
    const removed = { count: 0, bytes: 0, blobs: [] as string[] };
    if (b.versioning !== 'Enabled') {
      const nullVersion = prev?.versionId === 'null' ? prev : await tx.getVersion(b.id, key, 'null');
      if (nullVersion) {
        removed.blobs.push(...(await blobsOf(tx, nullVersion)));
        if (!nullVersion.isDeleteMarker) {
          removed.count++;
          removed.bytes += nullVersion.size;
        }
        await tx.deleteObjectRow(nullVersion.id);
        if (nullVersion === prev) prev = undefined;
      }
    }
    if (prev?.isLatest) await tx.setLatest(prev.id, false);
    return removed;
  }

  /** Deletes blobs that no metadata points to any more. Runs after the commit that released them. */
  async collect(blobIds: string[]): Promise<void> {
    for (const id of blobIds) {
      if (!(await this.meta.blobReferenced(id))) await this.blobs.delete(id);
    }
  }

  async deleteObject(
    caller: Caller,
    bucket: string,
    key: string,
    opts: {
      versionId?: string;
      ifMatch?: string;
      /** x-amz-if-match-size / <Size>: delete only a version of this size. */
      ifMatchSize?: number;
      /** x-amz-if-match-last-modified-time / <LastModifiedTime> (ms; compared to the second). */
      ifMatchLastModified?: number;
      within?: CommitCheck;
    } = {},
  ): Promise<DeleteResult> {
    refuseNul(key);
    if (opts.versionId !== undefined) validateVersionId(opts.versionId);
    // S3 does not evaluate If-Match against a named version: it refuses the combination.
    if (opts.versionId !== undefined && opts.ifMatch !== undefined) throw new StorageError('NotImplemented', undefined, { Header: 'If-Match' });
    const { result, orphans } = await this.meta.transaction(async (tx) => {
      const b = await tx.getBucketForWrite(bucket, [key]);
      if (!b) throw new StorageError('NoSuchBucket', undefined, { BucketName: bucket });
      if (opts.within) await opts.within(tx, b);
      const latest = await tx.getLatest(b.id, key);
      if (opts.ifMatchSize !== undefined || opts.ifMatchLastModified !== undefined) {
        // AWS (directory buckets, the only ones that take these conditions): 412 when the size or
        // time differs, 204 when the object does not exist: then nothing is deleted and no delete
        // marker is written. They are evaluated against the named version, else the current one;
        // a current delete marker is no object of that size or time, so the condition fails
        // (412, as RGW answers; AWS buckets with these conditions have no versioning).
        const target = opts.versionId !== undefined ? await tx.getVersion(b.id, key, opts.versionId) : latest;
        if (!target) return { result: opts.versionId !== undefined ? { versionId: opts.versionId, deleteMarker: false } : { deleteMarker: false }, orphans: [] };
        if (target.isDeleteMarker || (opts.ifMatchSize !== undefined && target.size !== opts.ifMatchSize))
          throw new StorageError('PreconditionFailed', undefined, { Condition: opts.ifMatchSize !== undefined ? 'x-amz-if-match-size' : 'x-amz-if-match-last-modified-time' });
        if (opts.ifMatchLastModified !== undefined && Math.floor(target.lastModified / 1000) !== Math.floor(opts.ifMatchLastModified / 1000))
          throw new StorageError('PreconditionFailed', undefined, { Condition: 'x-amz-if-match-last-modified-time' });
      }
      if (opts.ifMatch !== undefined) {
        if (!latest || latest.isDeleteMarker) throw new StorageError('NoSuchKey', undefined, { Key: key });
        if (!etagMatches(opts.ifMatch, latest.etag)) throw new StorageError('PreconditionFailed', undefined, { Condition: 'If-Match' });
      }
      if (opts.versionId !== undefined) {
        const v = await tx.getVersion(b.id, key, opts.versionId);
        if (!v) return { result: { versionId: opts.versionId, deleteMarker: false }, orphans: [] };
        const blobs = await blobsOf(tx, v);
        await tx.deleteObjectRow(v.id);
        if (!v.isDeleteMarker) await tx.adjustUsage(b.id, -1, -v.size);
        if (v.isLatest) {
          const next = await tx.getNewest(b.id, key);
          if (next) await tx.setLatest(next.id, true);
        }
        return { result: { versionId: v.versionId, deleteMarker: v.isDeleteMarker }, orphans: blobs };
      }
      if (b.versioning === 'Unversioned') {
        if (!latest) return { result: { deleteMarker: false }, orphans: [] };
        const blobs = await blobsOf(tx, latest);
        await tx.deleteObjectRow(latest.id);
        if (!latest.isDeleteMarker) await tx.adjustUsage(b.id, -1, -latest.size);
        return { result: { deleteMarker: false }, orphans: blobs };
      }
      // Versioned: a delete marker becomes the latest version.
      const removed = await this.retireCurrent(tx, b, key, latest);
      const marker = await tx.insertObject({
        bucketId: b.id,
        key,
        versionId: b.versioning === 'Enabled' ? newVersionId() : 'null',
        isLatest: true,
        isDeleteMarker: true,
        size: 0,
        etag: '',
        lastModified: Date.now(),
        meta: { user: {} },
        checksums: {},
        storageClass: 'STANDARD',
        objectType: 'Normal',
        ownerId: caller.accountId,
        blobId: null,
        segmentCount: 0,
        inline: false,
        tags: null,
        extra: {},
      });
      await tx.adjustUsage(b.id, -removed.count, -removed.bytes);
      return { result: { versionId: marker.versionId, deleteMarker: true }, orphans: removed.blobs };
    });
    await this.collect(orphans);
    return result;
  }

  /**
   * Copies an object version. The data is not copied: the new version points
   * at the source's blobs, which stay until no version references them.
   */
  async copyObject(
    caller: Caller,
    src: { bucket: string; key: string },
    dst: { bucket: string; key: string },
    opts: CopyOptions,
  ): Promise<{ source: ObjectRecord; target: ObjectRecord; sourceBucket: BucketRecord }> {
    validateKey(dst.key);
    await this.getBucket(dst.bucket);
    // The copy shares the source's blobs; if the source is replaced between
    // reading it and committing, read it again (its blobs may already be gone).
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.copyOnce(caller, src, dst, opts);
      } catch (e) {
        if (!(e instanceof SourceChanged)) throw e;
        if (attempt === 3) throw new StorageError('ServiceUnavailable', 'The copy source kept changing during the copy; retry the request.');
      }
    }
  }

  private async copyOnce(
    caller: Caller,
    src: { bucket: string; key: string },
    dst: { bucket: string; key: string },
    opts: CopyOptions,
  ): Promise<{ source: ObjectRecord; target: ObjectRecord; sourceBucket: BucketRecord }> {
    const { bucket: srcBucket, object: source } = await this.readCopySource(src.bucket, src.key, opts.sourceVersionId);
    if (opts.sourceConditions) checkConditions(opts.sourceConditions, source, !opts.sourceConditionsAsRead);
    const self = srcBucket.name === dst.bucket && src.key === dst.key && opts.sourceVersionId === undefined;
    if (self && opts.metadataDirective === 'COPY' && (opts.storageClass === undefined || opts.storageClass === source.storageClass) && opts.taggingDirective !== 'REPLACE')
      throw new StorageError(
        'InvalidRequest',
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    const segments = source.segmentCount > 0 ? await this.meta.getSegments(source.id) : undefined;
    // Inline bytes are copied, not shared (holdVersion below proves they are still the source's).
    const inlineData = source.inline ? await this.inlineData(source) : undefined;
    const target = await this.commitVersion(
      dst.bucket,
      dst.key,
      { ifMatch: opts.ifMatch, ifNoneMatch: opts.ifNoneMatch },
      (b, now = Date.now()) => ({
        bucketId: b.id,
        key: dst.key,
        versionId: 'null',
        isLatest: true,
        isDeleteMarker: false,
        size: source.size,
        etag: source.etag,
        lastModified: now,
        meta: opts.metadataDirective === 'REPLACE' ? (opts.meta ?? { user: {} }) : source.meta,
        checksums: source.checksums,
        storageClass: opts.storageClass ?? source.storageClass,
        objectType: source.objectType,
        ownerId: caller.accountId,
        blobId: source.blobId,
        segmentCount: source.segmentCount,
        inline: source.inline,
        ...(inlineData ? { inlineData } : {}),
        tags: opts.taggingDirective === 'REPLACE' ? (opts.tags ?? null) : source.tags,
        // A copy is no completion of the source's multipart upload (a retried completion finds none).
        extra: { ...source.extra, [COMPLETED_UPLOAD]: undefined, ...(opts.extra ?? {}) },
        ...objectExpiry(this, opts.expireDays, now),
      }),
      segments,
      async (tx) => {
        if (!(await tx.holdVersion(source.id))) throw new SourceChanged();
        return [];
      },
    );
    return { source, target, sourceBucket: srcBucket };
  }

  /**
   * The source of a copy, with S3's answers for copies: a latest delete marker
   * is NoSuchKey, a delete marker named by version id is InvalidRequest.
   */
  async readCopySource(bucket: string, key: string, versionId?: string): Promise<{ bucket: BucketRecord; object: ObjectRecord }> {
    if (versionId === '') throw new StorageError('InvalidArgument', 'Version id cannot be the empty string', { ArgumentName: 'x-amz-copy-source', ArgumentValue: '' });
    if (versionId !== undefined && !isVersionId(versionId)) throw new StorageError('InvalidRequest', 'Invalid Request');
    try {
      return await this.readVersion(bucket, key, versionId);
    } catch (e) {
      if (e instanceof StorageError && e.code === 'MethodNotAllowed')
        throw new StorageError('InvalidRequest', 'The source of a copy request may not specifically refer to a delete marker by version id.');
      throw e;
    }
  }

  async listObjects(bucket: string, opts: ListOptions): Promise<ListPage> {
    refuseNulIn(opts);
    const b = await this.lookupBucket(bucket);
    return listLatest(this.meta, b.id, opts);
  }

  /** Every version and delete marker, a page at a time (ListObjectVersions). */
  async listVersions(bucket: string, opts: VersionListOptions): Promise<VersionPage> {
    refuseNulIn(opts);
    if (opts.versionIdMarker) validateVersionId(opts.versionIdMarker, 'version-id-marker');
    const b = await this.getBucket(bucket);
    return listVersions(this.meta, b.id, opts);
  }

  // ---------------------------------------------------------------- maintenance

  /** Removes temporary files and blobs that no metadata points to (in one shard of the blobs, when given). */
  async sweep(olderThan = Date.now(), shard?: string) {
    return this.blobs.sweep((id) => this.meta.blobReferenced(id), olderThan, shard);
  }
}

export type { Conditions };
