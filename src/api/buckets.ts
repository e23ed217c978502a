import { cannedAcl, setBucketAcl } from '../engine/acl.js';
import { isStorageError, StorageError } from '../engine/errors.js';
import { aclFromHeaders } from './acl.js';
import { ownershipFrom } from './ownership.js';
import { readVerifiedBody } from './body.js';
import type { Reply } from '../http/reply.js';
import type { OpContext } from './op-context.js';
import { parseXmlBody } from './xml.js';
import { xmlDate } from './dates.js';


/**
 * ListBuckets; with S3's filters and pages (max-buckets 1-10000, continuation-token, prefix,
 * bucket-region) for S3 only (OBS lists every bucket). A page ends with a ContinuationToken
 * when more buckets follow: the last name, opaque to the client.
 */
export async function listBuckets(op: OpContext): Promise<Reply> {
  const param = (name: string) => (op.vocab.dialect === 's3' ? op.http.query.get(name) : undefined);
  let buckets = await op.services.engine.listBuckets(op.caller);
  const prefix = param('prefix');
  const region = param('bucket-region');
  const token = param('continuation-token');
  const max = param('max-buckets');
  if (max !== undefined && (!/^\d{1,5}$/.test(max) || Number(max) < 1 || Number(max) > 10000))
    throw new StorageError('InvalidArgument', 'max-buckets must be an integer between 1 and 10000', { ArgumentName: 'max-buckets', ArgumentValue: max });
  if (prefix) buckets = buckets.filter((b) => b.name.startsWith(prefix));
  if (region) buckets = buckets.filter((b) => b.region === region);
  if (token) {
    const after = Buffer.from(token, 'base64url').toString('utf8');
    if (Buffer.from(after, 'utf8').toString('base64url') !== token)
      throw new StorageError('InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
    buckets = buckets.filter((b) => b.name > after);
  }
  let next: string | undefined;
  if (max !== undefined && buckets.length > Number(max)) {
    buckets = buckets.slice(0, Number(max));
    next = Buffer.from(buckets[buckets.length - 1].name, 'utf8').toString('base64url');
  }
  const value: Record<string, unknown> = {
    Owner: { ID: op.caller.accountId, DisplayName: op.caller.accountId },
    Buckets: { Bucket: buckets.map((b) => ({ Name: b.name, CreationDate: xmlDate(b.createdAt), [op.vocab.bucketRegionElement ?? 'BucketRegion']: b.region })) },
  };
  if (next !== undefined) value.ContinuationToken = next;
  if (prefix !== undefined) value.Prefix = prefix;
  return { status: 200, body: { root: 'ListAllMyBucketsResult', value } };
}

export async function createBucket(op: OpContext): Promise<Reply> {
  // Verified like any body: a signed payload hash or Content-MD5 must match the configuration sent.
  const body = await readVerifiedBody(op, 64 * 1024);
  let region: string | undefined;
  if (body.length > 0) {
    const conf = parseXmlBody(body, 'CreateBucketConfiguration');
    const lc = conf.LocationConstraint;
    if (lc !== undefined) {
      if (typeof lc !== 'string') throw new StorageError('MalformedXML');
      region = lc;
    }
  }
  if (region !== undefined && region !== '' && !/^[a-z0-9-]{1,64}$/.test(region))
    throw new StorageError('InvalidLocationConstraint', 'The specified location-constraint is not valid', { LocationConstraint: region });
  const acl = aclFromHeaders(op, op.caller.accountId);
  // S3's object ownership chosen at creation (x-amz-object-ownership).
  const ownership = op.vocab.dialect === 's3' ? op.http.header('x-amz-object-ownership') : undefined;
  const settings = { ...(acl ? { acl } : {}), ...(ownership !== undefined ? { ownershipControls: ownershipFrom(ownership) } : {}) };
  try {
    await op.services.engine.createBucket(op.caller, op.bucket!, { region: region || op.signingRegion || op.services.settings.region, settings });
  } catch (e) {
    // AWS: re-creating a bucket you own in us-east-1 answers 200 OK and resets the bucket's ACL
    // ("for legacy compatibility"); every other region answers 409 BucketAlreadyOwnedByYou.
    // RGW (s3-tests test_bucket_recreate_*) answers 409 BucketAlreadyExists; we follow AWS.
    if (!(isStorageError(e) && e.code === 'BucketAlreadyOwnedByYou')) throw e;
    const existing = await op.services.engine.getBucket(op.bucket!);
    if (existing.region !== 'us-east-1' || (region !== undefined && region !== '' && region !== 'us-east-1')) throw e;
    await setBucketAcl(op.services.engine, op.bucket!, acl ?? cannedAcl('private', existing.ownerId));
  }
  return { status: 200, headers: { location: `/${op.bucket}` } };
}

export async function headBucket(op: OpContext): Promise<Reply> {
  const b = await op.services.engine.getBucket(op.bucket!);
  return { status: 200, headers: { [op.vocab.prefix + 'bucket-region']: b.region } };
}

export async function deleteBucket(op: OpContext): Promise<Reply> {
  await op.services.engine.deleteBucket(op.bucket!, { uploadsBlock: op.vocab.uploadsBlockBucketDelete === true });
  return { status: 204 };
}

export async function getBucketLocation(op: OpContext): Promise<Reply> {
  const b = await op.services.engine.getBucket(op.bucket!);
  // S3 reports us-east-1 as an empty constraint.
  return { status: 200, body: { root: 'LocationConstraint', value: { '#text': b.region === 'us-east-1' ? '' : b.region } } };
}
