/**
 * The one vocabulary of actions every route of every dialect names (after
 * S3's IAM actions; Garage's router names each endpoint the same way). OSS's,
 * OBS's and COS v4's operations map onto it: an OSS append is s3:PutObject,
 * an OBS quota read s3:GetBucketQuota. Operations S3 does not have get a name
 * in the same namespace (marked below), so that one policy language covers
 * all four dialects.
 */
export const ACTIONS = [
  // account level: no bucket to own yet
  's3:ListAllMyBuckets',
  's3:CreateBucket',
  // bucket level
  's3:ListBucket',
  's3:ListBucketVersions',
  's3:ListBucketMultipartUploads',
  's3:DeleteBucket',
  's3:GetBucketLocation',
  's3:GetBucketVersioning',
  's3:PutBucketVersioning',
  's3:GetBucketTagging',
  's3:PutBucketTagging',
  's3:GetBucketAcl',
  's3:PutBucketAcl',
  's3:GetBucketCORS',
  's3:PutBucketCORS',
  's3:GetBucketWebsite',
  's3:PutBucketWebsite',
  's3:DeleteBucketWebsite',
  // access control settings (DeleteBucketPolicy has its own IAM name; the other deletes are their Put)
  's3:GetBucketPolicy',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:GetBucketPolicyStatus',
  's3:GetBucketPublicAccessBlock',
  's3:PutBucketPublicAccessBlock',
  's3:GetBucketOwnershipControls',
  's3:PutBucketOwnershipControls',
  // Stratus names for OSS / OBS bucket operations S3 lacks
  's3:GetBucketInfo',
  's3:GetBucketStorageInfo',
  's3:GetBucketQuota',
  's3:PutBucketQuota',
  's3:GetBucketStoragePolicy',
  's3:PutBucketStoragePolicy',
  // OSS hotlink protection (oss:PutBucketReferer / oss:GetBucketReferer)
  's3:GetBucketReferer',
  's3:PutBucketReferer',
  /** OBS: the SDKs' unsigned signature-negotiation probe (HEAD [/bucket]?apiversion). */
  's3:GetApiVersion',
  // object level
  's3:GetObject',
  's3:GetObjectAttributes',
  's3:PutObject',
  's3:DeleteObject',
  's3:GetObjectTagging',
  's3:PutObjectTagging',
  's3:DeleteObjectTagging',
  's3:GetObjectAcl',
  's3:PutObjectAcl',
  's3:AbortMultipartUpload',
  's3:ListMultipartUploadParts',
  // object level, on a version named by versionId (S3's IAM names them apart)
  's3:GetObjectVersion',
  's3:DeleteObjectVersion',
  's3:GetObjectVersionTagging',
  's3:PutObjectVersionTagging',
  's3:DeleteObjectVersionTagging',
  's3:GetObjectVersionAcl',
  's3:PutObjectVersionAcl',
  's3:GetObjectVersionAttributes',
  // background work (issue 14): lifecycle (S3's IAM names; deleting a configuration is s3:PutLifecycleConfiguration)
  's3:PutLifecycleConfiguration',
  's3:GetLifecycleConfiguration',
  's3:RestoreObject',
  's3:PutBucketLogging',
  's3:GetBucketLogging',
] as const;

export type Action = (typeof ACTIONS)[number];

/** Actions on the account rather than on a bucket: the caller needs no bucket of its own for them. */
export const ACCOUNT_ACTIONS: ReadonlySet<Action> = new Set<Action>(['s3:ListAllMyBuckets', 's3:CreateBucket']);

/** What an anonymous caller may do whatever the ACLs and policies say (today: nothing else). */
export const ANONYMOUS_ACTIONS: ReadonlySet<Action> = new Set<Action>(['s3:GetApiVersion']);

const ON_VERSION: Partial<Record<Action, Action>> = {
  's3:GetObject': 's3:GetObjectVersion',
  's3:DeleteObject': 's3:DeleteObjectVersion',
  's3:GetObjectTagging': 's3:GetObjectVersionTagging',
  's3:PutObjectTagging': 's3:PutObjectVersionTagging',
  's3:DeleteObjectTagging': 's3:DeleteObjectVersionTagging',
  's3:GetObjectAcl': 's3:GetObjectVersionAcl',
  's3:PutObjectAcl': 's3:PutObjectVersionAcl',
  's3:GetObjectAttributes': 's3:GetObjectVersionAttributes',
};

/**
 * The action a route's action becomes when the request names an object
 * version (`versionId`), as S3 authorizes it: GetObject on a version is
 * s3:GetObjectVersion, and so on. Decided here, once, not per route.
 */
export function onVersion(action: Action, versionId: string | undefined): Action {
  return versionId === undefined ? action : (ON_VERSION[action] ?? action);
}

export function isAction(a: unknown): a is Action {
  return typeof a === 'string' && (ACTIONS as readonly string[]).includes(a);
}
