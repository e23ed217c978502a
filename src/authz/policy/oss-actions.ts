/**
 * OSS's RAM action names (`oss:GetObject`, `oss:ListObjects` ...) in the
 * s3: vocabulary of actions.ts. Where OSS's name is S3's, the prefix is all
 * that changes (wildcards too: `oss:Get*` is `s3:Get*`); the names that
 * differ are listed.
 */
const RENAMED: Record<string, string> = {
  listobjects: 's3:ListBucket',
  listobjectversions: 's3:ListBucketVersions',
  listmultipartuploads: 's3:ListBucketMultipartUploads',
  listparts: 's3:ListMultipartUploadParts',
  listbuckets: 's3:ListAllMyBuckets',
  putbucket: 's3:CreateBucket',
  getbucketstat: 's3:GetBucketStorageInfo',
  getobjectmeta: 's3:GetObject',
  getsymlink: 's3:GetObject',
  putsymlink: 's3:PutObject',
  appendobject: 's3:PutObject',
  restoreobject: 's3:RestoreObject',
};

export function ossAction(name: string): string {
  return RENAMED[name.toLowerCase()] ?? `s3:${name}`;
}
