/**
 * A mixed workload spread over several gateways, every request's outcome
 * recorded in a Model: S3 PUT (each read back through another gateway),
 * versioned PUT / delete marker / version delete, S3 multipart with its
 * parts and completion on different gateways, COS slice uploads with slices
 * on different gateways, OSS appends, and objects a lifecycle rule expires.
 * Each loop owns its keys and works on one at a time, so a key's history is
 * sequential; the gateway changes with every request. SDK retries are off:
 * a request is sent once, so its outcome is known or explicitly unknown.
 */
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import OSS from 'ali-oss';
import { randomBytes, randomInt } from 'node:crypto';
import { cosEncodePath, signMore } from '../../../src/auth/cos-v4.js';
import { sliceShas } from '../../../src/digest/sha1-state.js';
import { buildForm, type FormField } from '../../../src/sdk/cos/form.js';
import { rawRequest } from '../../helpers/raw.js';
import { ACCESS_KEY, SECRET_KEY } from '../../helpers/server.js';
import { contentOf, sha256, type KeyModel, type Model, type VersionEntry } from './model.js';

export const APPID = '1250000000';
const COS_SLICE = 524288;
const MIB5 = 5 * 1024 * 1024;

export interface Buckets {
  /** Unversioned: PUTs, multipart, COS files, OSS appends. */
  plain: string;
  versioned: string;
  /** Every object here expires after one (debug) lifecycle day. */
  expiring: string;
}

/** Clients of one gateway slot (its port does not change across restarts). */
export interface GatewayClients {
  url: string;
  s3: S3Client;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  oss: any;
}

export function clientsFor(url: string, bucket: string): GatewayClients {
  return {
    url,
    s3: new S3Client({ endpoint: url, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, requestHandler: { requestTimeout: 30_000 } }),
    oss: new OSS({ accessKeyId: ACCESS_KEY, accessKeySecret: SECRET_KEY, endpoint: url, region: 'oss-cn-hangzhou', bucket, timeout: 30_000 }),
  };
}

export class Workload {
  private stopping = false;
  private readonly base5 = randomBytes(MIB5);
  /** Objects written to the expiring bucket (acknowledged). */
  expiringWritten = 0;

  constructor(
    private readonly gw: GatewayClients[],
    private readonly b: Buckets,
    private readonly model: Model,
  ) {}

  /** Per loop slot, how many of its keys were given up (frozen). */
  private readonly generations = new Map<string, number>();

  /**
   * The key a loop's slot works on: the same one until a write's outcome on it
   * is unknown (the key is frozen), then a fresh one.
   */
  private slotKey<K extends KeyModel>(slot: string, get: (key: string) => K): K {
    const gen = this.generations.get(slot) ?? 0;
    const k = get(`${slot}.${gen}`);
    if (!k.frozen) return k;
    this.generations.set(slot, gen + 1);
    return get(`${slot}.${gen + 1}`);
  }

  private at(n: number): GatewayClients {
    return this.gw[((n % this.gw.length) + this.gw.length) % this.gw.length]!;
  }

  /** Runs every loop until stop(); resolves once each has finished its current request. */
  run(): Promise<void> {
    const loops = [
      ...['p0', 'p1', 'p2', 'p3'].map((tag) => () => this.puts(tag)),
      ...['v0', 'v1', 'v2'].map((tag) => () => this.versions(tag)),
      ...['mp0', 'mp1'].map((tag) => () => this.multiparts(tag)),
      ...['cos0', 'cos1'].map((tag) => () => this.cosSlices(tag)),
      ...['ap0', 'ap1'].map((tag) => () => this.appends(tag)),
      () => this.expiring('lc'),
    ];
    return Promise.all(loops.map((l) => l())).then(() => undefined);
  }

  stop(): void {
    this.stopping = true;
  }

  /** PUTs over 16 keys (overwrites), each acknowledged one read back at once through the next gateway. */
  private async puts(tag: string): Promise<void> {
    for (let n = 0; !this.stopping; n++) {
      const k = this.slotKey(`${tag}/${n % 16}`, (key) => this.model.plain(this.b.plain, key));
      const body = randomBytes(1 + randomInt(64 * 1024));
      try {
        const r = await this.at(n).s3.send(new PutObjectCommand({ Bucket: this.b.plain, Key: k.key, Body: body }));
        this.model.acked(k, contentOf(body, r.ETag));
      } catch (e) {
        this.model.failed(k, 'PUT', e, contentOf(body));
        continue;
      }
      try {
        const got = await this.at(n + 1).s3.send(new GetObjectCommand({ Bucket: this.b.plain, Key: k.key }));
        const bytes = await got.Body!.transformToByteArray();
        if (sha256(bytes) !== contentOf(body).sha256) this.model.problems.push(`GET ${k.key} through another gateway right after its PUT: other bytes`);
      } catch (e) {
        this.model.note(`GET ${k.key} after PUT`, e);
      }
    }
  }

  /** On six keys of the versioned bucket: PUT, PUT, delete marker, PUT, delete of the oldest version, and again. */
  private async versions(tag: string): Promise<void> {
    const steps = ['put', 'put', 'marker', 'put', 'dropOldest'] as const;
    for (let n = 0; !this.stopping; n++) {
      const k = this.slotKey(`${tag}/${n % 6}`, (key) => this.model.versioned(this.b.versioned, key));
      const before = k.possible[0]!;
      const s3 = this.at(n).s3;
      const step = steps[Math.floor(n / 6) % steps.length]!;
      const oldest = [...before].reverse().find((v) => !v.marker && v.id);
      if (step === 'put' || (step === 'dropOldest' && !oldest)) {
        const body = randomBytes(1 + randomInt(8 * 1024));
        try {
          const r = await s3.send(new PutObjectCommand({ Bucket: this.b.versioned, Key: k.key, Body: body }));
          this.model.acked(k, [{ id: r.VersionId!, marker: false, content: contentOf(body, r.ETag) }, ...before]);
        } catch (e) {
          this.model.failed(k, 'versioned PUT', e, [{ marker: false, content: contentOf(body) }, ...before]);
        }
      } else if (step === 'marker') {
        try {
          const r = await s3.send(new DeleteObjectCommand({ Bucket: this.b.versioned, Key: k.key }));
          if (!r.DeleteMarker || !r.VersionId) this.model.problems.push(`DELETE ${k.key} in a versioned bucket made no delete marker`);
          this.model.acked(k, [{ id: r.VersionId!, marker: true }, ...before]);
        } catch (e) {
          this.model.failed(k, 'DELETE (marker)', e, [{ marker: true }, ...before]);
        }
      } else {
        const id = oldest!.id!;
        const after: VersionEntry[] = before.filter((v) => v.id !== id);
        try {
          await s3.send(new DeleteObjectCommand({ Bucket: this.b.versioned, Key: k.key, VersionId: id }));
          this.model.acked(k, after);
        } catch (e) {
          this.model.failed(k, 'DELETE version', e, after);
        }
      }
    }
  }

  /**
   * Sends `attempt(gateway)` to up to three gateways in turn until one answers;
   * undefined when none did. A request whose outcome is unknown is sent again
   * only when `again` (a part or a slice may be sent twice; a COS session may not
   * be opened twice for one file).
   */
  private async onSomeGateway<T>(what: string, first: number, attempt: (g: GatewayClients) => Promise<T>, again = true): Promise<T | undefined> {
    for (let i = 0; i < this.gw.length; i++) {
      try {
        return await attempt(this.at(first + i));
      } catch (e) {
        const fate = this.model.note(what, e);
        if (fate === 'answered' || (fate === 'unknown' && !again)) return undefined;
      }
    }
    return undefined;
  }

  /** Multipart uploads: created on one gateway, a 5 MiB part on the next, the last part on the third, completed on the first. */
  private async multiparts(tag: string): Promise<void> {
    for (let n = 0; !this.stopping; n++) {
      const k = this.model.plain(this.b.plain, `${tag}/${n}`);
      const part1 = Buffer.concat([randomBytes(32), this.base5.subarray(32)]);
      const part2 = randomBytes(1 + randomInt(100 * 1024));
      const Bucket = this.b.plain;
      const Key = k.key;
      const created = await this.onSomeGateway('CreateMultipartUpload', n, (g) => g.s3.send(new CreateMultipartUploadCommand({ Bucket, Key })));
      if (!created) continue;
      const UploadId = created.UploadId!;
      const p1 = await this.onSomeGateway('UploadPart 1', n + 1, (g) => g.s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: part1 })));
      const p2 = p1 && (await this.onSomeGateway('UploadPart 2', n + 2, (g) => g.s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: part2 }))));
      if (!p1 || !p2) continue;
      const whole = Buffer.concat([part1, part2]);
      try {
        const r = await this.at(n).s3.send(
          new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] } }),
        );
        this.model.acked(k, contentOf(whole, r.ETag));
      } catch (e) {
        this.model.failed(k, 'CompleteMultipartUpload', e, contentOf(whole));
      }
    }
  }

  /** A COS v4 API form POST to gateway g; resolves with `data` when the answer's code is 0. */
  private async cosForm(g: GatewayClients, cosPath: string, fields: FormField[]): Promise<Record<string, unknown>> {
    const form = buildForm(fields);
    const r = await rawRequest(`${g.url}/files/v2/${APPID}/${this.b.plain}${cosEncodePath(cosPath)}`, {
      method: 'POST',
      headers: {
        authorization: signMore({ appid: APPID, secretId: ACCESS_KEY, secretKey: SECRET_KEY }, this.b.plain, cosPath, 600),
        'content-type': form.contentType,
        'content-length': String(form.body.length),
      },
      body: form.body,
    });
    let json: { code?: number; message?: string; data?: Record<string, unknown> } = {};
    try {
      json = JSON.parse(r.body.toString());
    } catch {
      // not JSON: reported below
    }
    if (r.status !== 200 || json.code !== 0) throw Object.assign(new Error(`COS ${r.status} code ${json.code}: ${json.message ?? r.body.toString().slice(0, 200)}`), { status: r.status });
    return json.data ?? {};
  }

  /** COS slice uploads of three 512 KB slices: init on one gateway, each slice on another, finish on another again. */
  private async cosSlices(tag: string): Promise<void> {
    for (let n = 0; !this.stopping; n++) {
      const key = `${tag}-${n}.bin`;
      const cosPath = `/${key}`;
      const k = this.model.plain(this.b.plain, key);
      const data = randomBytes(2 * COS_SLICE + 1 + randomInt(4000));
      const parts = sliceShas(data, COS_SLICE);
      const init = await this.onSomeGateway('COS upload_slice_init', n, (g) =>
        this.cosForm(g, cosPath, [
          { name: 'op', value: 'upload_slice_init' },
          { name: 'filesize', value: String(data.length) },
          { name: 'slice_size', value: String(COS_SLICE) },
          { name: 'sha', value: parts[parts.length - 1]!.datasha },
          { name: 'uploadparts', value: JSON.stringify(parts) },
        ]),
        false,
      );
      if (!init) continue;
      const session = String(init.session);
      let sent = true;
      for (const [i, p] of parts.entries()) {
        const ok = await this.onSomeGateway(`COS upload_slice_data ${i}`, n + 1 + i, (g) =>
          this.cosForm(g, cosPath, [
            { name: 'op', value: 'upload_slice_data' },
            { name: 'session', value: session },
            { name: 'offset', value: String(p.offset) },
            { name: 'filecontent', value: data.subarray(p.offset, p.offset + p.datalen), filename: 'blob' },
          ]),
        );
        if (!ok) {
          sent = false;
          break;
        }
      }
      if (!sent) continue;
      try {
        await this.cosForm(this.at(n + 1), cosPath, [
          { name: 'op', value: 'upload_slice_finish' },
          { name: 'session', value: session },
          { name: 'filesize', value: String(data.length) },
        ]);
        this.model.acked(k, contentOf(data));
      } catch (e) {
        this.model.failed(k, 'COS upload_slice_finish', e, contentOf(data));
      }
    }
  }

  /** OSS appends on four keys, each append through the next gateway. */
  private async appends(tag: string): Promise<void> {
    const written = new Map<string, Buffer>();
    for (let n = 0; !this.stopping; n++) {
      const k = this.slotKey(`${tag}/${n % 4}`, (key) => this.model.plain(this.b.plain, key));
      const before = written.get(k.key) ?? Buffer.alloc(0);
      const chunk = randomBytes(1 + randomInt(16 * 1024));
      const after = Buffer.concat([before, chunk]);
      try {
        const r = await this.at(n).oss.append(k.key, chunk, { position: String(before.length) });
        if (Number(r.nextAppendPosition) !== after.length) this.model.problems.push(`append to ${k.key}: next position ${r.nextAppendPosition}, expected ${after.length}`);
        written.set(k.key, after);
        this.model.acked(k, contentOf(after));
      } catch (e) {
        this.model.failed(k, 'OSS append', e, contentOf(after));
      }
    }
  }

  /** Small objects into the expiring bucket: the lifecycle worker's work (not modelled: they go). */
  private async expiring(tag: string): Promise<void> {
    for (let n = 0; !this.stopping; n++) {
      try {
        await this.at(n).s3.send(new PutObjectCommand({ Bucket: this.b.expiring, Key: `${tag}/${n}`, Body: `x${n}` }));
        this.expiringWritten++;
      } catch (e) {
        this.model.note('PUT (expiring)', e);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
