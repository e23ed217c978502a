import { createHash } from 'node:crypto';
import type { ByteRange, PendingBlob } from '../blob/store.js';
import { crc64Combine } from '../digest/crc64.js';
import type { MetaOps, MetadataStore } from '../meta/store.js';
import type { BucketRecord, ObjectMeta, ObjectRecord, PartRecord, Segment, UploadCursor, UploadRecord } from '../meta/types.js';
import { checkConditions, type Conditions } from './conditions.js';
import { withCrc64Checksum } from './crc.js';
import type { Engine } from './engine.js';
import { StorageError } from './errors.js';
import { objectExpiry, UPLOAD_EXPIRE_DAYS } from './lifecycle/object-expiry.js';
import { compareKeys, prefixSuccessor } from './keys.js';
import { newUploadId } from './ids.js';
import { refuseNulIn, validateKey } from './names.js';
import { precheckPartQuota } from './quota.js';
import { readSetting } from './settings.js';
import type { Caller, CommitCheck, WriteOptions } from './types.js';

/** ObjectRecord.extra entry naming the multipart upload an object was completed from. */
export const COMPLETED_UPLOAD = 'completedUpload';

export const MAX_PART_NUMBER = 10000;
export const MAX_PART_SIZE = 5 * 1024 ** 3;
/** S3's minimum size of every part but the last. Dialects pass their own (OBS: 100 KB). */
export const DEFAULT_MIN_PART_SIZE = 5 * 1024 * 1024;

export interface CreateUploadOptions {
  meta: ObjectMeta;
  storageClass?: string;
  tags?: Record<string, string> | null;
  extra?: Record<string, unknown>;
  /** The completed object's expiry in lifecycle days from its completion (OBS x-obs-expires). */
  expireDays?: number;
}

export type PartWriteOptions = Pick<WriteOptions, 'size' | 'digests' | 'verify' | 'checksums' | 'maxSize'>;

export interface CompleteOptions {
  minPartSize?: number;
  ifMatch?: string;
  ifNoneMatch?: string;
  /** Object checksums derived from the chosen parts (e.g. S3 composite / full-object checksums). */
  checksums?: (parts: PartRecord[]) => Record<string, string>;
  /** Extra settings merged into the object's document. */
  extra?: Record<string, unknown>;
  /** Runs inside the completing transaction; throwing aborts the completion and keeps the upload. */
  within?: CommitCheck;
}

export interface ListUploadsOptions {
  prefix?: string;
  delimiter?: string;
  keyMarker?: string;
  uploadIdMarker?: string;
  maxUploads: number;
}

export interface UploadsPage {
  uploads: UploadRecord[];
  prefixes: string[];
  truncated: boolean;
  nextKeyMarker?: string;
  nextUploadIdMarker?: string;
}

/** A blob written and committed to the blob store, not yet referenced by any metadata. */
export type StagedBlob = Pick<PendingBlob, 'id' | 'size' | 'digests'>;

function partOf(uploadId: string, partNumber: number, blob: StagedBlob, checksums: PartWriteOptions['checksums']): PartRecord {
  return {
    uploadId,
    partNumber,
    blobId: blob.id,
    size: blob.size,
    etag: blob.digests.md5.toString('hex'),
    checksums: withCrc64Checksum(checksums ? checksums(blob.digests) : {}, blob.digests),
    lastModified: Date.now(),
  };
}

/** A chosen part was uploaded again before the completion committed (internal: the completion is retried). */
class PartsChanged extends Error {}

export function validatePartNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PART_NUMBER)
    throw new StorageError('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', {
      ArgumentName: 'partNumber',
      ArgumentValue: String(n),
    });
}

/** The multipart ETag: MD5 of the concatenated binary part MD5s, then `-N`. */
export function multipartEtag(parts: { etag: string }[]): string {
  const h = createHash('md5');
  for (const p of parts) h.update(Buffer.from(p.etag, 'hex'));
  return `${h.digest('hex')}-${parts.length}`;
}

const stripQuotes = (e: string) => e.trim().replace(/^"(.*)"$/, '$1');

/** A copy-source range that is not `bytes=first-last` with first <= last. */
export function invalidCopyRange(value: string): StorageError {
  return new StorageError(
    'InvalidArgument',
    'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
    { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: value },
  );
}

/**
 * Multipart uploads. Parts are blobs of their own; completing an upload is a
 * metadata commit that makes the chosen parts the object's segments, in
 * order, so it costs nothing in data however large the object.
 */
export class Multipart {
  constructor(
    private readonly e: Engine,
    private readonly meta: MetadataStore,
  ) {}

  async create(caller: Caller, bucket: string, key: string, opts: CreateUploadOptions): Promise<UploadRecord> {
    validateKey(key);
    const b = await this.e.getBucket(bucket);
    const u: UploadRecord = {
      uploadId: newUploadId(),
      bucketId: b.id,
      key,
      initiated: Date.now(),
      ownerId: caller.accountId,
      meta: opts.meta,
      storageClass: opts.storageClass ?? (await readSetting(this.meta, b, 'storageClass')),
      tags: opts.tags ?? null,
      extra: { ...(opts.extra ?? {}), ...(opts.expireDays !== undefined ? { [UPLOAD_EXPIRE_DAYS]: opts.expireDays } : {}) },
    };
    await this.meta.insertUpload(u);
    return u;
  }

  async getUpload(bucket: string, key: string, uploadId: string): Promise<UploadRecord> {
    return (await this.findUpload(bucket, key, uploadId)).upload;
  }

  private async findUpload(bucket: string, key: string, uploadId: string): Promise<{ bucket: BucketRecord; upload: UploadRecord }> {
    const b = await this.e.getBucket(bucket);
    const u = await this.meta.getUpload(b.id, uploadId);
    if (!u || u.key !== key) throw new StorageError('NoSuchUpload', undefined, { UploadId: uploadId });
    return { bucket: b, upload: u };
  }

  /** The uploads in progress of exactly `key` in bucket `b`, oldest first, at most `limit`. */
  async uploadsOfKey(b: BucketRecord, key: string, limit: number): Promise<UploadRecord[]> {
    // Below key + U+0001: no key holds a NUL (PostgreSQL text cannot).
    const rows = await this.meta.listUploads(b.id, { key, inclusive: true }, key + '\u0001', limit);
    return rows.filter((u) => u.key === key);
  }

  /** How many uploads are in progress in bucket `b`. */
  async countUploads(b: BucketRecord): Promise<number> {
    let count = 0;
    let from: UploadCursor | undefined;
    for (;;) {
      const rows = await this.meta.listUploads(b.id, from, undefined, 1000);
      count += rows.length;
      if (rows.length < 1000) return count;
      const last = rows[rows.length - 1]!;
      from = { key: last.key, uploadId: last.uploadId };
    }
  }

  /** An upload's stored parts after part number `afterPart`, in order, at most `limit` (the upload already resolved). */
  async partsOf(upload: UploadRecord, afterPart: number, limit: number): Promise<PartRecord[]> {
    return this.meta.listParts(upload.uploadId, afterPart, limit);
  }

  async uploadPart(
    _caller: Caller,
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: AsyncIterable<Buffer>,
    opts: PartWriteOptions = {},
  ): Promise<PartRecord> {
    validatePartNumber(partNumber);
    const max = Math.min(opts.maxSize ?? MAX_PART_SIZE, MAX_PART_SIZE);
    if (opts.size !== undefined && opts.size > max) throw new StorageError('EntityTooLarge', undefined, { ProposedSize: String(opts.size), MaxSizeAllowed: String(max) });
    const { bucket: b } = await this.findUpload(bucket, key, uploadId); // fail before reading the body
    // The quota is enforced at completion; a part larger than all of it is refused at once.
    await precheckPartQuota(this.meta, b, opts.size);
    const pending = await this.e.stageBlob(body, { digests: opts.digests, maxSize: max, expectedSize: opts.size, verify: opts.verify });
    return this.commitPart(bucket, partOf(uploadId, partNumber, pending, opts.checksums));
  }

  /**
   * Makes a blob staged (Engine.stageBlob) before its upload and part number
   * were known the part `partNumber` (a COS form may send a slice's data
   * before its session and offset). The blob is deleted if that fails.
   */
  async attachPart(bucket: string, key: string, uploadId: string, partNumber: number, staged: StagedBlob, checksums?: PartWriteOptions['checksums']): Promise<PartRecord> {
    try {
      validatePartNumber(partNumber);
      if (staged.size > MAX_PART_SIZE) throw new StorageError('EntityTooLarge', undefined, { ProposedSize: String(staged.size), MaxSizeAllowed: String(MAX_PART_SIZE) });
      const { bucket: b } = await this.findUpload(bucket, key, uploadId);
      await precheckPartQuota(this.meta, b, staged.size);
    } catch (e) {
      await this.e.blobs.delete(staged.id);
      throw e;
    }
    return this.commitPart(bucket, partOf(uploadId, partNumber, staged, checksums));
  }

  /** UploadPartCopy: the part's bytes come from (a range of) an existing object. */
  async uploadPartCopy(
    caller: Caller,
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    src: { bucket: string; key: string; versionId?: string },
    opts: { range?: ByteRange; conditions?: Conditions; conditionsAsRead?: boolean; digests?: WriteOptions['digests']; checksums?: WriteOptions['checksums'] } = {},
  ): Promise<{ part: PartRecord; source: ObjectRecord }> {
    validatePartNumber(partNumber);
    await this.getUpload(bucket, key, uploadId);
    const source = await this.e.getObject(src.bucket, src.key, src.versionId);
    if (opts.conditions) checkConditions(opts.conditions, source, !opts.conditionsAsRead);
    const range = opts.range;
    if (range && range.start > range.end) throw invalidCopyRange(`bytes=${range.start}-${range.end}`);
    if (range && range.end >= source.size)
      throw new StorageError('InvalidArgument', `Range specified is not valid for source object of size: ${source.size}`, { ArgumentName: 'x-amz-copy-source-range' });
    const length = range ? range.end - range.start + 1 : source.size;
    if (length > MAX_PART_SIZE)
      throw new StorageError('InvalidRequest', `The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_PART_SIZE}`);
    const data = await this.e.openData(source, range);
    try {
      const part = await this.uploadPart(caller, bucket, key, uploadId, partNumber, data, { size: length, digests: opts.digests, checksums: opts.checksums });
      return { part, source };
    } finally {
      data.destroy();
    }
  }

  private async commitPart(bucket: string, part: PartRecord): Promise<PartRecord> {
    let replaced: PartRecord | undefined;
    try {
      replaced = await this.meta.transaction(async (tx) => {
        // No object key changes here: the upload row's lock (putPart) orders writers of its parts.
        const b = await tx.getBucketForWrite(bucket, []);
        // The upload may have been completed or aborted while the body streamed.
        if (!b || !(await tx.getUpload(b.id, part.uploadId))) throw new StorageError('NoSuchUpload', undefined, { UploadId: part.uploadId });
        return tx.putPart(part);
      });
    } catch (err) {
      await this.e.blobs.delete(part.blobId);
      throw err;
    }
    if (replaced) await this.e.collect([replaced.blobId]);
    return part;
  }

  async complete(caller: Caller, bucket: string, key: string, uploadId: string, chosen: { partNumber: number; etag?: string }[], opts: CompleteOptions = {}): Promise<ObjectRecord> {
    if (chosen.length === 0) throw new StorageError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    // Strictly ascending: a part number named twice is InvalidPartOrder, as on AWS (S3 answers a
    // parts list with a repeated part exactly so). RGW keeps the last entry of each number
    // instead, which ceph s3-tests' test_multipart_resend_first_finishes_last relies on.
    for (let i = 1; i < chosen.length; i++) {
      if (chosen[i].partNumber <= chosen[i - 1].partNumber) throw new StorageError('InvalidPartOrder', undefined, { UploadId: uploadId });
    }
    // The object shares the chosen parts' blobs; if a part is uploaded again
    // between reading the parts and committing, read them again (the replaced
    // blob may already be gone).
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.completeOnce(caller, bucket, key, uploadId, chosen, opts);
      } catch (e) {
        if (!(e instanceof PartsChanged)) throw e;
        if (attempt === 3) throw new StorageError('ServiceUnavailable', 'The parts kept changing during the completion; retry the request.');
      }
    }
  }

  private async completeOnce(
    caller: Caller,
    bucket: string,
    key: string,
    uploadId: string,
    chosen: { partNumber: number; etag?: string }[],
    opts: CompleteOptions,
  ): Promise<ObjectRecord> {
    const upload = await this.getUpload(bucket, key, uploadId);
    const parts = this.chooseParts(uploadId, await this.allParts(this.meta, uploadId), chosen);
    const min = opts.minPartSize ?? DEFAULT_MIN_PART_SIZE;
    for (let i = 0; i < parts.length - 1; i++) {
      if (parts[i].size < min)
        throw new StorageError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', { ProposedSize: String(parts[i].size), MinSizeAllowed: String(min), PartNumber: String(parts[i].partNumber), ETag: parts[i].etag });
    }
    const size = parts.reduce((n, p) => n + p.size, 0);
    const checksums: Record<string, string> = { ...(opts.checksums ? opts.checksums(parts) : {}) };
    // CRC-64/ECMA-182 of the whole object from the parts' CRCs: no second read of the data.
    if (parts.every((p) => p.checksums.crc64ecma !== undefined)) {
      let crc = 0n;
      for (const p of parts) crc = crc64Combine('ecma182', crc, BigInt(p.checksums.crc64ecma), p.size);
      checksums.crc64ecma = crc.toString();
    }
    const segments: Segment[] = parts.map((p) => ({ blobId: p.blobId, size: p.size, etag: p.etag, checksums: p.checksums }));
    const chosenBlobs = new Set(parts.map((p) => p.blobId));
    return this.e.commitVersion(
      bucket,
      key,
      { ifMatch: opts.ifMatch, ifNoneMatch: opts.ifNoneMatch },
      (b: BucketRecord, now = Date.now()) => ({
        bucketId: b.id,
        key,
        versionId: 'null',
        isLatest: true,
        isDeleteMarker: false,
        size,
        etag: multipartEtag(parts),
        lastModified: now,
        meta: upload.meta,
        checksums,
        storageClass: upload.storageClass,
        objectType: 'Multipart',
        // The object is the upload's owner's, as decided when it was created (object ownership, the ACL it asked for).
        ownerId: upload.ownerId,
        blobId: null,
        segmentCount: segments.length,
        inline: false,
        tags: upload.tags,
        extra: { ...upload.extra, ...(opts.extra ?? {}), [COMPLETED_UPLOAD]: uploadId, [UPLOAD_EXPIRE_DAYS]: undefined },
        // Counted from the completion, when the object comes to be.
        ...objectExpiry(this.e, upload.extra[UPLOAD_EXPIRE_DAYS] as number | undefined, now),
      }),
      segments,
      async (tx, b) => {
        // Consume the upload in the same transaction; parts not chosen become garbage.
        // Holding the upload keeps its parts as read here until the commit.
        if (!(await tx.holdUpload(b.id, uploadId))) throw new StorageError('NoSuchUpload', undefined, { UploadId: uploadId });
        const all = await this.allParts(tx, uploadId);
        const current = new Map(all.map((p) => [p.partNumber, p.blobId]));
        if (parts.some((p) => current.get(p.partNumber) !== p.blobId)) throw new PartsChanged();
        if (opts.within) await opts.within(tx, b);
        await tx.deleteUpload(uploadId);
        return all.filter((p) => !chosenBlobs.has(p.blobId)).map((p) => p.blobId);
      },
    );
  }

  /**
   * A retried completion: the key's current version is the object this upload became, with the
   * same parts, so the client gets that object again rather than NoSuchUpload (S3 and RGW answer a
   * repeated CompleteMultipartUpload with its first result; a lost response is retried safely).
   * Undefined when the upload is simply unknown (NoSuchUpload stands).
   */
  async completedFrom(bucket: string, key: string, uploadId: string, chosen: { partNumber: number; etag?: string }[]): Promise<ObjectRecord | undefined> {
    const b = await this.e.getBucket(bucket);
    const o = await this.meta.getLatest(b.id, key);
    if (!o || o.isDeleteMarker || o.extra[COMPLETED_UPLOAD] !== uploadId) return undefined;
    const segments = await this.meta.getSegments(o.id);
    if (segments.length !== chosen.length) return undefined;
    return chosen.every((c, i) => c.etag === undefined || stripQuotes(c.etag) === segments[i].etag) ? o : undefined;
  }

  /** The stored parts the client chose, checked against the ETags it gave. */
  private chooseParts(uploadId: string, all: PartRecord[], chosen: { partNumber: number; etag?: string }[]): PartRecord[] {
    const stored = new Map(all.map((p) => [p.partNumber, p]));
    return chosen.map((c) => {
      const p = stored.get(c.partNumber);
      if (!p || (c.etag !== undefined && stripQuotes(c.etag) !== p.etag))
        throw new StorageError('InvalidPart', undefined, { UploadId: uploadId, PartNumber: String(c.partNumber), ETag: stripQuotes(c.etag ?? '') });
      return p;
    });
  }

  async abort(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.getUpload(bucket, key, uploadId);
    const orphans = await this.meta.transaction(async (tx) => {
      const b = await tx.getBucketForWrite(bucket, []);
      // Held: no part can be written, and its blob missed, between reading the parts and deleting them.
      if (!b || !(await tx.holdUpload(b.id, uploadId))) throw new StorageError('NoSuchUpload', undefined, { UploadId: uploadId });
      const parts = await this.allParts(tx, uploadId);
      await tx.deleteUpload(uploadId);
      return parts.map((p) => p.blobId);
    });
    await this.e.collect(orphans);
  }

  async listParts(bucket: string, key: string, uploadId: string, opts: { marker?: number; maxParts?: number } = {}) {
    const upload = await this.getUpload(bucket, key, uploadId);
    const max = Math.min(opts.maxParts ?? 1000, 1000);
    const rows = await this.meta.listParts(uploadId, opts.marker ?? 0, max + 1);
    const truncated = rows.length > max;
    const parts = rows.slice(0, max);
    return { upload, parts, truncated, nextMarker: parts.length ? parts[parts.length - 1].partNumber : undefined };
  }

  /** In-progress uploads in key order (then initiation order), with delimiter grouping like a listing. */
  async listUploads(bucket: string, opts: ListUploadsOptions): Promise<UploadsPage> {
    refuseNulIn(opts);
    const b = await this.e.getBucket(bucket);
    const prefix = opts.prefix ?? '';
    const delimiter = opts.delimiter ?? '';
    const to = prefix ? prefixSuccessor(prefix) : undefined;
    const uploads: UploadRecord[] = [];
    const prefixes: string[] = [];
    const page: UploadsPage = { uploads, prefixes, truncated: false };
    if (opts.maxUploads <= 0) return page;
    let from: UploadCursor | undefined;
    if (opts.keyMarker !== undefined && opts.keyMarker !== '') from = { key: opts.keyMarker, uploadId: opts.uploadIdMarker || undefined };
    if (prefix && (!from || compareKeys(from.key, prefix) < 0)) from = { key: prefix, inclusive: true };
    let count = 0;
    for (;;) {
      const rows = await this.meta.listUploads(b.id, from, to, Math.min(1000, opts.maxUploads - count + 1));
      if (rows.length === 0) return page;
      for (const u of rows) {
        const cut = delimiter ? u.key.indexOf(delimiter, prefix.length) : -1;
        if (count === opts.maxUploads) {
          page.truncated = true;
          return page;
        }
        if (cut >= 0) {
          const cp = u.key.slice(0, cut + delimiter.length);
          if (!(opts.keyMarker && compareKeys(cp, opts.keyMarker) <= 0)) {
            prefixes.push(cp);
            count++;
            page.nextKeyMarker = cp;
            page.nextUploadIdMarker = undefined;
          }
          const next = prefixSuccessor(cp);
          if (next === undefined) return page;
          from = { key: next, inclusive: true };
          break;
        }
        uploads.push(u);
        count++;
        page.nextKeyMarker = u.key;
        page.nextUploadIdMarker = u.uploadId;
        from = { key: u.key, uploadId: u.uploadId };
      }
    }
  }

  private async allParts(tx: MetaOps, uploadId: string): Promise<PartRecord[]> {
    return tx.listParts(uploadId, 0, MAX_PART_NUMBER + 1);
  }
}
