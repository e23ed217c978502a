import { isPublicAcl } from '../authz/acl-eval.js';
import { isPublicPolicy } from '../authz/policy/evaluate.js';
import { MAX_POLICY_BYTES, parsePolicy } from '../authz/policy/parse.js';
import { isStorageError, StorageError } from '../engine/errors.js';
import type { Reply } from '../http/reply.js';
import { readVerifiedBody } from './body.js';
import type { OpContext } from './op-context.js';

/**
 * Bucket policies for the XML dialects, written once: S3's PUT / GET /
 * DELETE ?policy and GetBucketPolicyStatus, OBS's ?policy (its JSON variant)
 * and OSS's ?policy (its `acs:` language). A policy is parsed (and refused
 * with MalformedPolicy) before anything is stored; its text is kept as sent
 * and compiled by the authorizer, in the language of the dialect it came in.
 */
async function policyText(op: OpContext): Promise<string> {
  let body: Buffer;
  try {
    body = await readVerifiedBody(op, MAX_POLICY_BYTES);
  } catch (e) {
    if (isStorageError(e) && e.code === 'MalformedXML') throw new StorageError('MalformedPolicy', `Policies must be no larger than ${MAX_POLICY_BYTES} bytes`);
    throw e;
  }
  return body.toString('utf8');
}

export async function putBucketPolicy(op: OpContext): Promise<Reply> {
  const { engine, authorizer } = op.services;
  const bucket = op.bucket!;
  await engine.getBucket(bucket);
  const text = await policyText(op);
  const dialect = op.vocab.dialect;
  const policy = parsePolicy(text, { dialect, bucket });
  const access = await authorizer.buckets.of(bucket);
  if (access.pab?.blockPublicPolicy && isPublicPolicy(policy)) throw new StorageError('AccessDenied', 'Access Denied: the bucket blocks public policies');
  const confirmRemoveSelf = op.http.header('x-amz-confirm-remove-self-bucket-access')?.toLowerCase() === 'true';
  await engine.setBucketSetting(bucket, 'policy', { text, dialect, ...(confirmRemoveSelf ? { confirmRemoveSelf } : {}) });
  return { status: dialect === 'oss' ? 200 : 204 };
}

export async function getBucketPolicy(op: OpContext): Promise<Reply> {
  const stored = await op.services.engine.bucketSetting(op.bucket!, 'policy');
  if (!stored) throw new StorageError('NoSuchBucketPolicy', undefined, { BucketName: op.bucket! });
  return { status: 200, headers: { 'content-type': 'application/json' }, body: stored.text };
}

export async function deleteBucketPolicy(op: OpContext): Promise<Reply> {
  await op.services.engine.setBucketSetting(op.bucket!, 'policy', null);
  return { status: 204 };
}

/**
 * GetBucketPolicyStatus: IsPublic when the policy is public as S3 defines it,
 * or (as RGW and ceph/s3-tests have it) the bucket's ACL grants a public group.
 */
export async function getBucketPolicyStatus(op: OpContext): Promise<Reply> {
  const access = await op.services.authorizer.buckets.of(op.bucket!);
  const isPublic = access.policyPublic || (isPublicAcl(access.acl) && !access.pab?.ignorePublicAcls);
  return { status: 200, body: { root: 'PolicyStatus', value: { IsPublic: isPublic } } };
}
