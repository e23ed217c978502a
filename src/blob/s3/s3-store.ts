import { randomBytes } from 'node:crypto';
import type { ClientRequest } from 'node:http';
import { Readable } from 'node:stream';
import { DigestSet } from '../../digest/digest-set.js';
import { StorageError } from '../../engine/errors.js';
import type { BlobStore, BlobWriteOptions, ByteRange, PendingBlob } from '../store.js';
import { BackendError, collect, errorOf, many, parseXmlBody, S3Backend, waitDrain, type BackendOptions, type BackendRequest } from './backend.js';
import { Lease, LEASE_TIMING, type LeaseTiming } from './lease.js';

const ID_RE = /^[0-9a-f]{32}$/;
/** Largest single PUT S3 accepts; longer bodies go up as a multipart upload. */
const MAX_PUT = 5 * 1024 ** 3;
const MAX_PARTS = 10_000;
const MIN_PART = 8 * 1024 * 1024;

/** Where the S3 store reports what a client only sees as a 503 (pino's shape). */
export interface BlobLog {
  warn(obj: object, msg: string): void;
}

export interface S3BlobStoreOptions extends BackendOptions {
  /** '' or ending in '/'. */
  prefix: string;
  log?: BlobLog;
  /** Longest a write may take from its first byte to its metadata commit (the body deadline and then some). */
  maxWriteMs?: number;
  /** Test hooks: lease timing, and the part size of bodies of unknown length. */
  lease?: LeaseTiming;
  partSize?: number;
}

/** Ids end with the writing process's lease tag (see Lease). */
const tagOf = (id: string) => id.slice(24);

/**
 * Blobs as objects `<prefix>blobs/<id>` in a bucket of another S3-compatible
 * system (Ceph RGW, SeaweedFS, Garage, MinIO, a cloud, another Stratus),
 * which then owns durability and replication.
 *
 * A blob is written once under a new id and never changed: a body of known
 * length streams straight into one PUT (UNSIGNED-PAYLOAD, digests computed on
 * the way through); one of unknown length is cut into parts of a backend
 * multipart upload, one part buffered while the previous one is sent. The
 * object is complete, and so durable, when the PUT answers; `commit` only
 * checks the lease. Reads are GETs (ranges passed through as Range).
 * Multipart objects and appends are segments of blobs in the metadata, read
 * one after another, so completing an upload copies nothing here either.
 *
 * Whatever the other system does wrong (5xx, refused connections, stalls)
 * reaches the client as ServiceUnavailable (503), or as a cut connection once
 * a body has begun; the details go to the log.
 */
const SWEEP_SHARDS: readonly string[] = [...'0123456789abcdef'];

export class S3BlobStore implements BlobStore {
  private readonly backend: S3Backend;
  private readonly lease: Lease;
  private readonly partSize: number;
  private readonly maxWriteMs: number;

  constructor(private readonly o: S3BlobStoreOptions) {
    // A body that stalls or is cut mid-way reads as ServiceUnavailable too (a download already begun is cut).
    this.backend = new S3Backend({ ...o, bodyError: (e) => this.unavailable('read', e) as Error });
    this.lease = new Lease(
      {
        put: async (tag, body) => void (await this.backend.text({ method: 'PUT', key: this.leaseKey(tag), body, headers: { 'content-type': 'application/json' } })),
        remove: async (tag) => void (await this.backend.text({ method: 'DELETE', key: this.leaseKey(tag) }, [200, 204, 404])),
      },
      o.lease ?? LEASE_TIMING,
    );
    this.partSize = o.partSize ?? MIN_PART;
    this.maxWriteMs = o.maxWriteMs ?? 6 * 3600_000 + 600_000;
  }

  private blobKey(id: string): string {
    if (!ID_RE.test(id)) throw new StorageError('InternalError', `bad blob id ${id}`);
    return `${this.o.prefix}blobs/${id}`;
  }

  private leaseKey(tag: string): string {
    return `${this.o.prefix}leases/${tag}`;
  }

  /** The bucket answers and takes writes (the lease is written). Fails the start when it does not. */
  async init(): Promise<void> {
    try {
      await this.lease.open();
    } catch (e) {
      this.backend.destroy();
      throw new Error(`the blob store s3://${this.o.bucket}/${this.o.prefix} at ${this.o.endpoint} cannot be written: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Readiness: refreshing the lease proves the bucket takes writes. */
  async check(): Promise<void> {
    await this.guard('check', () => this.lease.refresh());
  }

  async close(): Promise<void> {
    await this.lease.close();
    this.backend.destroy();
  }

  // ---------------------------------------------------------------- errors

  /** Runs a backend exchange; its failures become ServiceUnavailable (and a log line). */
  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.unavailable(what, e);
    }
  }

  private unavailable(what: string, e: unknown): unknown {
    // StorageErrors (the client's own, or a body failure converted where it happened) pass as they are.
    if (!(e instanceof BackendError)) return e;
    this.o.log?.warn({ err: e, blobStore: `s3://${this.o.bucket}/${this.o.prefix}` }, `blob store ${what} failed`);
    return new StorageError('ServiceUnavailable', 'The blob store is unavailable; please try again.');
  }

  // ---------------------------------------------------------------- writes

  async write(source: AsyncIterable<Buffer>, opts: BlobWriteOptions = {}): Promise<PendingBlob> {
    const tag = this.lease.tag;
    const id = randomBytes(12).toString('hex') + tag;
    const key = this.blobKey(id);
    const digest = new DigestSet(opts.digests ?? []);
    const max = opts.maxSize ?? Number.MAX_SAFE_INTEGER;
    let size = 0;
    const take = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) throw new StorageError('EntityTooLarge');
      if (opts.expectedSize !== undefined && size > opts.expectedSize) throw new StorageError('IncompleteBody', 'The request body is longer than its declared length');
      digest.update(chunk);
    };
    // Set once a request carrying data has left: a failure after that may leave an object to remove.
    let sent = false;
    try {
      if (opts.expectedSize !== undefined && opts.expectedSize <= Math.min(MAX_PUT, max)) {
        sent = true;
        await this.putStreamed(key, source, opts.expectedSize, take);
      } else {
        await this.putInParts(key, source, take, () => (sent = true), max);
      }
    } catch (e) {
      if (sent) await this.remove(key);
      throw this.unavailable(`write of ${key}`, e);
    }
    const digests = digest.finish();
    return {
      id,
      size,
      digests,
      commit: async () => this.lease.assertCommittable(tag),
      discard: () => this.remove(key),
    };
  }

  /** One PUT whose body is the source as it arrives. */
  private async putStreamed(key: string, source: AsyncIterable<Buffer>, length: number, take: (c: Buffer) => void): Promise<void> {
    const write = async (req: ClientRequest) => {
      let n = 0;
      for await (const chunk of source) {
        take(chunk);
        n += chunk.length;
        if (req.destroyed) throw new BackendError('the blob store closed the upload');
        if (!req.write(chunk)) await waitDrain(req);
      }
      // Shorter than declared: the request is cut (not ended), so the other system drops it.
      if (n !== length) throw new StorageError('IncompleteBody');
    };
    const res = await this.backend.send({ method: 'PUT', key, stream: { length, write } });
    const text = (await collect(res.body, 1024 * 1024)).toString('utf8');
    if (res.status !== 200) throw errorOf({ method: 'PUT', key }, res.status, text);
  }

  /**
   * A body of unknown length: the first part decides. A body that ends within
   * it goes up in one PUT; a longer one becomes a multipart upload, one part
   * in flight while the next is read, so at most two parts are in memory.
   */
  private async putInParts(key: string, source: AsyncIterable<Buffer>, take: (c: Buffer) => void, onSend: () => void, max: number): Promise<void> {
    const it = source[Symbol.asyncIterator]();
    const partSize = Math.max(this.partSize, Math.ceil(Math.min(max, 5 * 1024 ** 4) / MAX_PARTS));
    let carry: Buffer | undefined;
    let ended = false;
    const fill = async (): Promise<Buffer[]> => {
      const chunks: Buffer[] = [];
      let n = 0;
      while (n < partSize) {
        let chunk = carry;
        carry = undefined;
        if (!chunk) {
          const r = await it.next();
          if (r.done) {
            ended = true;
            break;
          }
          chunk = r.value;
          take(chunk);
        }
        if (n + chunk.length > partSize) {
          carry = chunk.subarray(partSize - n);
          chunk = chunk.subarray(0, partSize - n);
        }
        chunks.push(chunk);
        n += chunk.length;
      }
      // A body that ends exactly at a part boundary is found out before that part goes up.
      if (!ended && !carry) {
        const r = await it.next();
        if (r.done) ended = true;
        else {
          take(r.value);
          carry = r.value;
        }
      }
      return chunks;
    };
    let uploadId: string | undefined;
    try {
      let part = await fill();
      if (ended) {
        onSend();
        await this.backend.text({ method: 'PUT', key, body: part });
        return;
      }
      const created = parseXmlBody((await this.backend.text({ method: 'POST', key, query: [['uploads', '']] })).text);
      uploadId = String((created.InitiateMultipartUploadResult as Record<string, unknown> | undefined)?.UploadId ?? '');
      if (!uploadId) throw new BackendError('the blob store started a multipart upload without an UploadId');
      const etags: string[] = [];
      let inFlight: Promise<void> | undefined;
      for (let n = 1; ; n++) {
        if (n > MAX_PARTS) throw new StorageError('EntityTooLarge');
        const body = part;
        const q: [string, string][] = [['partNumber', String(n)], ['uploadId', uploadId]];
        const up = this.backend.text({ method: 'PUT', key, query: q, body }).then((r) => void (etags[n - 1] = String(r.headers.etag ?? '')));
        up.catch(() => undefined);
        if (inFlight) await inFlight;
        inFlight = up;
        if (ended && !carry) break;
        part = await fill();
        if (part.length === 0) break;
      }
      await inFlight;
      onSend();
      const doc = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${escapeXml(e)}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
      const done = await this.backend.send({ method: 'POST', key, query: [['uploadId', uploadId]], body: Buffer.from(doc) });
      const text = (await collect(done.body, 1024 * 1024)).toString('utf8');
      // S3 may answer 200 and report the failure in the body.
      if (done.status !== 200 || /<Error>/.test(text)) throw errorOf({ method: 'POST', key }, done.status, text);
      uploadId = undefined;
    } finally {
      if (uploadId) await this.abortUpload(key, uploadId);
      if (!ended) await it.return?.();
    }
  }

  private async abortUpload(key: string, uploadId: string): Promise<void> {
    await this.backend.text({ method: 'DELETE', key, query: [['uploadId', uploadId]] }, [200, 204, 404]).catch(() => undefined);
  }

  // ---------------------------------------------------------------- reads

  async read(id: string, range?: ByteRange): Promise<Readable> {
    const key = this.blobKey(id);
    if (range && range.end < range.start) return Readable.from([]);
    return this.guard(`read of ${key}`, async () => {
      const headers: Record<string, string> = range ? { range: `bytes=${range.start}-${range.end}` } : {};
      const res = await this.backend.call({ method: 'GET', key, headers }, (status, h) => (status === 200 || status === 206 ? Number(h['content-length'] ?? NaN) || undefined : undefined));
      if (res.status === 200 && !range) return res.body;
      if (res.status === 206 && range && contentRangeStart(res.headers['content-range']) === range.start) return res.body;
      const text = (await collect(res.body, 1024 * 1024).catch(() => Buffer.alloc(0))).toString('utf8');
      if (res.status === 404) throw new StorageError('InternalError', `blob ${id} is missing`);
      throw errorOf({ method: 'GET', key }, res.status, text);
    });
  }

  async readBuffer(id: string, range?: ByteRange): Promise<Buffer> {
    if (range && range.end < range.start) return Buffer.alloc(0);
    const body = await this.read(id, range);
    return this.guard(`read of ${this.blobKey(id)}`, () => collect(body, range ? range.end - range.start + 1 : 64 * 1024 * 1024));
  }

  // ---------------------------------------------------------------- deletes

  /**
   * Deletes a blob. A failure is logged, not thrown: deletes run after the
   * commit that released the blob, whose client must not be told it failed.
   * What is left is the sweep's.
   */
  async delete(id: string): Promise<void> {
    await this.remove(this.blobKey(id));
  }

  private async remove(key: string): Promise<void> {
    try {
      await this.backend.text({ method: 'DELETE', key }, [200, 204, 404]);
    } catch (e) {
      this.o.log?.warn({ err: e, key }, 'blob store delete failed; the sweep will remove the blob');
    }
  }

  // ---------------------------------------------------------------- sweep

  /**
   * Removes, from the bucket, unreferenced blobs and unfinished multipart
   * uploads of processes whose lease has lapsed, and unreferenced blobs of
   * live processes older than any write can take (`maxWriteMs`; a failed
   * delete's leftovers); lapsed leases go too. Times are the other system's
   * (LastModified against its Date header), so clocks need not agree.
   */
  /** Blob ids are random hex: their first digit cuts the blobs into 16 parts, each one listing of the backend. */
  sweepShards(): readonly string[] {
    return SWEEP_SHARDS;
  }

  async sweep(isReferenced: (id: string) => Promise<boolean>, olderThan: number, shard?: string): Promise<{ blobs: number; temps: number }> {
    return this.guard('sweep', async () => {
      await this.lease.refresh();
      const live = new Set<string>([this.lease.tag]);
      const leases = await this.list(`${this.o.prefix}leases/`);
      const now = leases.now;
      const ttl = this.lease.timing.ttlMs + 2000; // LastModified and Date are whole seconds
      for (const l of leases.items) {
        const tag = l.key.slice(l.key.lastIndexOf('/') + 1);
        if (now - l.modified < ttl) live.add(tag);
        else if (shard === undefined || shard === SWEEP_SHARDS[0]) await this.backend.text({ method: 'DELETE', key: l.key }, [200, 204, 404]);
      }
      const before = olderThan + (now - Date.now());
      let blobs = 0;
      const prefix = `${this.o.prefix}blobs/`;
      for (let token: string | undefined; ; ) {
        const page = await this.listPage(prefix + (shard ?? ''), token);
        for (const b of page.items) {
          const id = b.key.slice(prefix.length);
          if (!ID_RE.test(id) || b.modified >= before) continue;
          if (live.has(tagOf(id)) && now - b.modified < this.maxWriteMs) continue;
          if (await isReferenced(id)) continue;
          await this.backend.text({ method: 'DELETE', key: b.key }, [200, 204, 404]);
          blobs++;
        }
        token = page.next;
        if (!token) break;
      }
      let temps = 0;
      for (const u of await this.uploads(prefix)) {
        const id = u.key.slice(prefix.length);
        if (shard !== undefined && !id.startsWith(shard)) continue;
        if (!ID_RE.test(id) || u.initiated >= before || (live.has(tagOf(id)) && now - u.initiated < this.maxWriteMs)) continue;
        await this.abortUpload(u.key, u.uploadId);
        temps++;
      }
      return { blobs, temps };
    });
  }

  private async list(prefix: string): Promise<{ now: number; items: { key: string; modified: number }[] }> {
    const items: { key: string; modified: number }[] = [];
    let now = Date.now();
    for (let token: string | undefined, first = true; first || token; first = false) {
      const page = await this.listPage(prefix, token);
      if (first) now = page.now;
      items.push(...page.items);
      token = page.next;
    }
    return { now, items };
  }

  /** One ListObjectsV2 page; `now` is the other system's clock (its Date header). */
  private async listPage(prefix: string, token?: string): Promise<{ now: number; items: { key: string; modified: number }[]; next?: string }> {
    const q: [string, string][] = [['list-type', '2'], ['prefix', prefix]];
    if (token) q.push(['continuation-token', token]);
    const r = await this.backend.text({ method: 'GET', query: q });
    const doc = (parseXmlBody(r.text).ListBucketResult ?? {}) as Record<string, unknown>;
    const items = many(doc.Contents as Record<string, string> | Record<string, string>[] | undefined).map((c) => ({ key: String(c.Key), modified: Date.parse(String(c.LastModified)) }));
    const next = doc.IsTruncated === 'true' ? String(doc.NextContinuationToken ?? '') || undefined : undefined;
    return { now: dateOf(r.headers.date), items, next };
  }

  private async uploads(prefix: string): Promise<{ key: string; uploadId: string; initiated: number }[]> {
    const out: { key: string; uploadId: string; initiated: number }[] = [];
    let markers: [string, string][] = [];
    for (;;) {
      const r = await this.backend.text({ method: 'GET', query: [['uploads', ''], ['prefix', prefix], ...markers] });
      const doc = (parseXmlBody(r.text).ListMultipartUploadsResult ?? {}) as Record<string, unknown>;
      for (const u of many(doc.Upload as Record<string, string> | Record<string, string>[] | undefined)) {
        out.push({ key: String(u.Key), uploadId: String(u.UploadId), initiated: Date.parse(String(u.Initiated)) });
      }
      if (doc.IsTruncated !== 'true') return out;
      markers = [['key-marker', String(doc.NextKeyMarker ?? '')], ['upload-id-marker', String(doc.NextUploadIdMarker ?? '')]];
    }
  }
}

function contentRangeStart(v: string | undefined): number | undefined {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(v ?? '');
  return m ? Number(m[1]) : undefined;
}

function dateOf(v: string | undefined): number {
  const t = v ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : Date.now();
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export type { BackendRequest };
