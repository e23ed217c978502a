/** OSS bucket operations whose wire form has no S3 counterpart (or differs from S3's). */
import type { OpContext } from '../../api/op-context.js';
import { neutralStorageClass, wireStorageClass } from '../../api/vocabulary.js';
import { parseXmlBody } from '../../api/xml.js';
import { getBucketAcl } from '../../engine/acl.js';
import { StorageError } from '../../engine/errors.js';
import { compareKeys } from '../../engine/keys.js';
import type { BucketSettings, DataRedundancy } from '../../engine/settings.js';
import { readSmallBody } from '../../http/body.js';
import type { Reply } from '../../http/reply.js';
import type { BucketRecord } from '../../meta/types.js';
import { bucketAclFromHeader, ossAclName } from './acl.js';
import { xmlDate } from '../../api/dates.js';


/**
 * What PutBucket's CreateBucketConfiguration asked for: the storage class is
 * the engine's bucket default storage class (objects written without one take
 * it, as in OSS); the redundancy type a bucket setting of its own.
 */
interface BucketConfig {
  /** Neutral storage class name. */
  storageClass: string;
  dataRedundancyType: DataRedundancy;
}

/** A bucket's location as OSS names it: `oss-<region>`. */
export function ossLocation(region: string): string {
  return region.startsWith('oss-') ? region : `oss-${region}`;
}

/** The endpoint the client reached (the Host without a leading bucket name). */
function endpointOf(op: OpContext): string {
  const host = op.http.header('host') ?? 'localhost';
  return op.bucket && host.startsWith(op.bucket + '.') ? host.slice(op.bucket.length + 1) : host;
}

async function configOf(op: OpContext, b: BucketRecord): Promise<BucketConfig> {
  const { engine } = op.services;
  return { storageClass: await engine.bucketSetting(b, 'storageClass'), dataRedundancyType: await engine.bucketSetting(b, 'dataRedundancy') };
}

function maxKeysOf(v: string | undefined, def: number): number {
  if (v === undefined || v === '') return def;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 1000) throw new StorageError('InvalidArgument', 'Argument max-keys must be an integer between 1 and 1000.', { ArgumentName: 'max-keys', ArgumentValue: v });
  return Number(v);
}

/** GET / : the caller's buckets, by name, with prefix, marker and max-keys paging. */
export async function listBuckets(op: OpContext): Promise<Reply> {
  const q = op.http.query;
  const prefix = q.get('prefix') ?? '';
  const marker = q.get('marker') ?? '';
  const maxKeys = maxKeysOf(q.get('max-keys'), 100);
  const all = (await op.services.engine.listBuckets(op.caller))
    .filter((b) => b.name.startsWith(prefix) && (marker === '' || compareKeys(b.name, marker) > 0))
    .sort((a, b) => compareKeys(a.name, b.name));
  const page = all.slice(0, maxKeys);
  const truncated = all.length > maxKeys;
  const endpoint = endpointOf(op);
  const buckets = [];
  for (const b of page) {
    const c = await configOf(op, b);
    buckets.push({
      CreationDate: xmlDate(b.createdAt),
      ExtranetEndpoint: endpoint,
      IntranetEndpoint: endpoint,
      Location: ossLocation(b.region),
      Name: b.name,
      Region: b.region.replace(/^oss-/, ''),
      StorageClass: wireStorageClass(op.vocab, c.storageClass),
    });
  }
  const value: Record<string, unknown> = {};
  if (q.has('prefix')) value.Prefix = prefix;
  if (q.has('marker')) value.Marker = marker;
  if (q.has('max-keys')) value.MaxKeys = maxKeys;
  value.IsTruncated = truncated;
  if (truncated) value.NextMarker = page[page.length - 1]!.name;
  value.Owner = { ID: op.caller.accountId, DisplayName: op.caller.accountId };
  value.Buckets = { Bucket: buckets };
  return { status: 200, body: { root: 'ListAllMyBucketsResult', value } };
}

/** PUT bucket: optional CreateBucketConfiguration (StorageClass, DataRedundancyType) and x-oss-acl, both stored. */
export async function putBucket(op: OpContext): Promise<Reply> {
  const acl = bucketAclFromHeader(op, op.caller.accountId);
  const body = await readSmallBody(op.http.req, op.services.settings.bodyIdleMs, 64 * 1024);
  const config: BucketConfig = { storageClass: 'STANDARD', dataRedundancyType: 'LRS' };
  if (body.length > 0) {
    const doc = parseXmlBody(body, 'CreateBucketConfiguration');
    if (doc.StorageClass !== undefined) {
      const sc = String(doc.StorageClass);
      const neutral = neutralStorageClass(op.vocab, sc);
      if (neutral === undefined) throw new StorageError('InvalidStorageClass', undefined, { StorageClassRequested: sc });
      config.storageClass = neutral;
    }
    if (doc.DataRedundancyType !== undefined) {
      const r = String(doc.DataRedundancyType);
      if (r !== 'LRS' && r !== 'ZRS') throw new StorageError('InvalidArgument', 'The DataRedundancyType you specified is not valid.', { ArgumentName: 'DataRedundancyType', ArgumentValue: r });
      config.dataRedundancyType = r;
    }
  }
  // `dialect`: unsigned requests naming no dialect get OSS's answers for this bucket (http/front-door.ts).
  const settings: BucketSettings = { dataRedundancy: config.dataRedundancyType, storageClass: config.storageClass, dialect: 'oss' };
  if (acl) settings.acl = acl;
  await op.services.engine.createBucket(op.caller, op.bucket!, { region: op.signingRegion ?? op.services.settings.region, settings });
  return { status: 200, headers: { location: `/${op.bucket}` } };
}

/** GET ?bucketInfo */
export async function getBucketInfo(op: OpContext): Promise<Reply> {
  const { engine } = op.services;
  const b = await engine.getBucket(op.bucket!);
  const c = await configOf(op, b);
  const endpoint = endpointOf(op);
  const bucket: Record<string, unknown> = {
    AccessMonitor: 'Disabled',
    CreationDate: xmlDate(b.createdAt),
    ExtranetEndpoint: endpoint,
    IntranetEndpoint: endpoint,
    Location: ossLocation(b.region),
    StorageClass: wireStorageClass(op.vocab, c.storageClass),
    TransferAcceleration: 'Disabled',
    CrossRegionReplication: 'Disabled',
    DataRedundancyType: c.dataRedundancyType,
    Name: b.name,
    Owner: { DisplayName: b.ownerId, ID: b.ownerId },
    AccessControlList: { Grant: ossAclName(await getBucketAcl(engine, b.name)) },
  };
  if (b.versioning !== 'Unversioned') bucket.Versioning = b.versioning;
  bucket.ServerSideEncryptionRule = { SSEAlgorithm: 'None' };
  return { status: 200, body: { root: 'BucketInfo', value: { Bucket: bucket } } };
}

/** GET ?location: OSS names the region `oss-<region>`. */
export async function getBucketLocation(op: OpContext): Promise<Reply> {
  const b = await op.services.engine.getBucket(op.bucket!);
  return { status: 200, body: { root: 'LocationConstraint', value: { '#text': ossLocation(b.region) } } };
}

/** GET ?stat: storage used, object count and in-progress multipart uploads. */
export async function getBucketStat(op: OpContext): Promise<Reply> {
  const { engine } = op.services;
  const b = await engine.getBucket(op.bucket!);
  const uploads = await engine.multipart.countUploads(b);
  return {
    status: 200,
    body: {
      root: 'BucketStat',
      value: {
        Storage: b.bytesUsed,
        ObjectCount: b.objectCount,
        MultipartUploadCount: uploads,
        LiveChannelCount: 0,
        LastModifiedTime: 0,
      },
    },
  };
}
