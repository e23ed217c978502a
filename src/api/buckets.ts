import { ACL_SETTING } from '../engine/acl.js';
import { StorageError } from '../engine/errors.js';
import { aclFromHeaders } from './acl.js';
import { readVerifiedBody } from './body.js';
import type { Reply } from '../http/reply.js';
import type { OpContext } from './op-context.js';
import { parseXmlBody } from './xml.js';

const iso = (ms: number) => new Date(ms).toISOString();

export async function listBuckets(op: OpContext): Promise<Reply> {
  const buckets = await op.services.engine.listBuckets(op.caller);
  return {
    status: 200,
    body: {
      root: 'ListAllMyBucketsResult',
      value: {
        Owner: { ID: op.caller.accountId, DisplayName: op.caller.accountId },
        Buckets: { Bucket: buckets.map((b) => ({ Name: b.name, CreationDate: iso(b.createdAt), [op.vocab.bucketRegionElement ?? 'BucketRegion']: b.region })) },
      },
    },
  };
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
  await op.services.engine.createBucket(op.caller, op.bucket!, { region: region || op.signingRegion || op.services.settings.region, ...(acl ? { settings: { [ACL_SETTING]: acl } } : {}) });
  return { status: 200, headers: { location: `/${op.bucket}` } };
}

export async function headBucket(op: OpContext): Promise<Reply> {
  const b = await op.services.engine.getBucket(op.bucket!);
  return { status: 200, headers: { [op.vocab.prefix + 'bucket-region']: b.region } };
}

export async function deleteBucket(op: OpContext): Promise<Reply> {
  await op.services.engine.deleteBucket(op.bucket!);
  return { status: 204 };
}

export async function getBucketLocation(op: OpContext): Promise<Reply> {
  const b = await op.services.engine.getBucket(op.bucket!);
  // S3 reports us-east-1 as an empty constraint.
  return { status: 200, body: { root: 'LocationConstraint', value: { '#text': b.region === 'us-east-1' ? '' : b.region } } };
}
