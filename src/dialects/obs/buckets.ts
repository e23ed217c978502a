import { readVerifiedBody } from '../../api/body.js';
import type { OpContext } from '../../api/op-context.js';
import { h, neutralStorageClass, wireStorageClass } from '../../api/vocabulary.js';
import { parseXmlBody } from '../../api/xml.js';
import { StorageError, isStorageError } from '../../engine/errors.js';
import * as quota from '../../engine/quota.js';
import type { BucketSettings } from '../../engine/settings.js';
import { getBucketStorageClass, setBucketStorageClass } from '../../engine/storage-policy.js';
import { readSmallBody } from '../../http/body.js';
import type { Reply } from '../../http/reply.js';
import { aclFromHeaders } from '../../api/acl.js';
import { anyObsStorageClass } from './vocabulary.js';
import { parseXmlRoot, textOf } from './xml-body.js';

const obsMode = (op: OpContext) => op.vocab.prefix === 'x-obs-';

/** The API version the SDKs negotiate with (HEAD ?apiversion): 3.0 and above means "speak OBS". */
export const OBS_API_VERSION = '3.0';

/**
 * The SDKs' unsigned probe before they pick a signature. Answered alike for
 * the service and for any bucket name, existing or not, without looking the
 * bucket up: an unsigned request must not learn which buckets exist. (The
 * SDKs need a 2xx carrying x-obs-api to choose OBS signing; a missing bucket
 * then gets NoSuchBucket on the signed request that follows.)
 */
export async function apiVersion(_op: OpContext): Promise<Reply> {
  return { status: 200, headers: { 'x-obs-api': OBS_API_VERSION } };
}

/** The storage class a request names, in either family's words; InvalidStorageClass otherwise. */
function storageClassArg(op: OpContext, value: string): string {
  const neutral = neutralStorageClass(op.vocab, value.trim()) ?? anyObsStorageClass(value);
  if (neutral === undefined) throw new StorageError('InvalidStorageClass', 'The storage class you specified is not valid', { StorageClassRequested: value });
  return neutral;
}

/**
 * CreateBucket: the location in the body (`<Location>` in OBS mode,
 * `<LocationConstraint>` in the AWS-compatible one), the default storage
 * class (`x-obs-storage-class`, or `x-default-storage-class` in AWS mode) and
 * the canned ACL, stored with the bucket in one transaction. As the guide
 * says, creating a bucket its owner already has is not an error (the first
 * request's attributes stay).
 */
export async function createBucket(op: OpContext): Promise<Reply> {
  const body = await readSmallBody(op.http.req, op.services.settings.bodyIdleMs, 64 * 1024);
  let region: string | undefined;
  if (body.length > 0) {
    const conf = parseXmlBody(body, 'CreateBucketConfiguration');
    region = textOf(conf.Location ?? conf.LocationConstraint);
  }
  if (region !== undefined && region !== '' && !/^[a-z0-9-]{1,64}$/.test(region))
    throw new StorageError('InvalidLocationConstraint', 'The specified location-constraint is not valid', { LocationConstraint: region });
  // `dialect`: unsigned requests naming no dialect get OBS's answers for this bucket (http/front-door.ts).
  const settings: BucketSettings = { dialect: 'obs' };
  const acl = aclFromHeaders(op, op.caller.accountId);
  if (acl) settings.acl = acl;
  const sc = op.http.header(h(op.vocab, 'storage-class')) ?? op.http.header('x-default-storage-class');
  if (sc !== undefined) settings.storageClass = storageClassArg(op, sc);
  try {
    await op.services.engine.createBucket(op.caller, op.bucket!, { region: region || op.signingRegion || op.services.settings.region, settings });
  } catch (e) {
    if (!(isStorageError(e) && e.code === 'BucketAlreadyOwnedByYou')) throw e;
  }
  return { status: 200, headers: { location: `/${op.bucket}` } };
}

/** GetBucketMetadata (HEAD bucket): default storage class, location and the OBS version, in the mode's header names. */
export async function getBucketMetadata(op: OpContext): Promise<Reply> {
  const { engine } = op.services;
  const b = await engine.getBucket(op.bucket!);
  const sc = wireStorageClass(op.vocab, await engine.bucketSetting(b, 'storageClass'));
  const headers: Record<string, string> = { 'x-obs-version': OBS_API_VERSION };
  if (obsMode(op)) {
    headers['x-obs-storage-class'] = sc;
    headers['x-obs-bucket-location'] = b.region;
  } else {
    headers['x-default-storage-class'] = sc;
    headers['x-amz-bucket-region'] = b.region;
  }
  return { status: 200, headers };
}

export async function getBucketLocation(op: OpContext): Promise<Reply> {
  const b = await op.services.engine.getBucket(op.bucket!);
  return { status: 200, body: { root: obsMode(op) ? 'Location' : 'LocationConstraint', value: { '#text': b.region } } };
}

/** GetBucketStorageInfo: the usage counters every write transaction keeps, never a recount. */
export async function getBucketStorageInfo(op: OpContext): Promise<Reply> {
  const b = await op.services.engine.getBucket(op.bucket!);
  return { status: 200, body: { root: 'GetBucketStorageInfoResult', value: { Size: b.bytesUsed, ObjectNumber: b.objectCount } } };
}

export async function getBucketQuota(op: OpContext): Promise<Reply> {
  const bytes = await quota.getBucketQuota(op.services.engine, op.bucket!);
  return { status: 200, body: { root: 'Quota', value: { StorageQuota: bytes.toString() } } };
}

export async function putBucketQuota(op: OpContext): Promise<Reply> {
  await op.services.engine.getBucket(op.bucket!);
  const doc = parseXmlBody(await readVerifiedBody(op, 64 * 1024), 'Quota');
  const raw = textOf(doc.StorageQuota);
  if (raw === undefined || !/^\d{1,20}$/.test(raw.trim()) || BigInt(raw.trim()) > quota.MAX_QUOTA)
    throw new StorageError('InvalidArgument', 'The quota must be a non-negative integer no larger than 2^63-1', { ArgumentName: 'StorageQuota', ArgumentValue: raw ?? '' });
  await quota.setBucketQuota(op.services.engine, op.bucket!, BigInt(raw.trim()));
  return { status: 200 };
}

/**
 * GetBucketStoragePolicy. `?storagePolicy` answers `<StoragePolicy><DefaultStorageClass>`
 * (the guide's form, and the SDKs' AWS-compatible mode); `?storageClass`
 * answers `<StorageClass>` (the current SDKs' OBS mode).
 */
export async function getBucketStoragePolicy(op: OpContext): Promise<Reply> {
  const sc = wireStorageClass(op.vocab, await getBucketStorageClass(op.services.engine, op.bucket!));
  if (op.http.query.has('storagePolicy')) return { status: 200, body: { root: 'StoragePolicy', value: { DefaultStorageClass: sc } } };
  return { status: 200, body: { root: 'StorageClass', value: { '#text': sc } } };
}

/** SetBucketStoragePolicy: either document form, under either sub-resource. */
export async function putBucketStoragePolicy(op: OpContext): Promise<Reply> {
  await op.services.engine.getBucket(op.bucket!);
  const { root, value } = parseXmlRoot(await readVerifiedBody(op, 64 * 1024));
  let name: string | undefined;
  if (root === 'StoragePolicy' && typeof value === 'object' && value !== null) name = textOf((value as Record<string, unknown>).DefaultStorageClass);
  else if (root === 'StorageClass') name = textOf(value);
  if (name === undefined) throw new StorageError('MalformedXML');
  await setBucketStorageClass(op.services.engine, op.bucket!, storageClassArg(op, name));
  return { status: 200 };
}
