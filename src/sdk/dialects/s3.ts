/** Amazon S3: x-amz- headers, Signature V4 (default) or V2, ListObjectsV2, POST policies signed with V4. */
import { encodePostPolicy, postPolicyV4Fields, signPostPolicyV4 } from '../../auth/post-policy.js';
import { presignUrlV2, signRequestV2 } from '../../auth/sigv2.js';
import { presignUrlV4, signRequestV4 } from '../../auth/sigv4.js';
import type { PostPolicy } from '../types.js';
import { baseConditions, policyExpiration } from './post-policy.js';
import type { XmlDialectProfile } from './xml-family.js';
import type { PostPolicyInput } from './xml-wire.js';

export const SDK_VERSION = '0.1.0';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

export interface S3ProfileOptions {
  signature?: 'v4' | 'v2';
}

export function s3Profile(o: S3ProfileOptions = {}): XmlDialectProfile {
  const v2 = o.signature === 'v2';
  return {
    name: 's3',
    prefix: 'x-amz-',
    metaPrefix: 'x-amz-meta-',
    requestIdHeader: 'x-amz-request-id',
    userAgent: `stratus-sdk/${SDK_VERSION} (s3)`,
    multipart: { minPartSize: 5 * MiB, maxPartSize: 5 * GiB, maxParts: 10000, partEtagIsMd5: true },
    listObjectsVersion: 2,
    encodingTypeUrl: true,
    createBucketElement: 'LocationConstraint',
    defaultRegion: 'us-east-1',
    bucketAclHeader: 'x-amz-acl',
    objectAclHeader: 'x-amz-acl',
    aclGrantForm: 'xsi',
    append: false,
    symlink: false,
    taggingHeader: true,
    sign(i) {
      if (v2) signRequestV2({ method: i.method, url: i.url, headers: i.headers, credentials: i.credentials, virtualHostBucket: i.virtualHostBucket });
      else signRequestV4({ method: i.method, url: i.url, headers: i.headers, payloadHash: i.payloadHash, credentials: i.credentials, region: i.region });
    },
    presign(i) {
      if (v2) {
        return presignUrlV2({
          method: i.method,
          url: i.url,
          credentials: i.credentials,
          expiresSeconds: i.expiresSeconds,
          virtualHostBucket: i.virtualHostBucket,
          headers: i.headers,
        });
      }
      return presignUrlV4({ method: i.method, url: i.url, credentials: i.credentials, region: i.region, expiresSeconds: i.expiresSeconds });
    },
    postPolicy: s3PostPolicy,
  };
}

function s3PostPolicy(i: PostPolicyInput): PostPolicy {
  const { conditions, fields } = baseConditions(i.bucket, i, 'acl');
  const v4 = postPolicyV4Fields(i.credentials.accessKeyId, i.region, new Date());
  for (const [k, v] of Object.entries(v4)) {
    conditions.push({ [k]: v });
    fields[k] = v;
  }
  if (i.credentials.sessionToken) {
    conditions.push({ 'x-amz-security-token': i.credentials.sessionToken });
    fields['x-amz-security-token'] = i.credentials.sessionToken;
  }
  const policy = { expiration: policyExpiration(i.expiration), conditions };
  const b64 = encodePostPolicy(policy);
  fields['policy'] = b64;
  fields['x-amz-signature'] = signPostPolicyV4(b64, i.credentials.secretAccessKey, v4['x-amz-date'], i.region);
  return { url: i.url.toString(), fields, policy };
}
