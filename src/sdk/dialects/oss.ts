/**
 * Aliyun OSS: x-oss- headers, Signature V1 (default) or V4, ListObjects V1,
 * append and symlinks, CRC-64 (x-oss-hash-crc64ecma) on writes, errors of a
 * HEAD in x-oss-err, POST policies signed with HMAC-SHA1.
 */
import { encodePostPolicy, signPostPolicyV2 } from '../../auth/post-policy.js';
import { presignUrlOssV1, signRequestOssV1 } from '../../auth/oss-v1.js';
import { presignUrlOssV4, signRequestOssV4 } from '../../auth/oss-v4.js';
import type { PostPolicy } from '../types.js';
import { parseXml, text } from '../xml.js';
import { baseConditions, policyExpiration } from './post-policy.js';
import { SDK_VERSION } from './s3.js';
import type { XmlDialectProfile } from './xml-family.js';
import type { PostPolicyInput } from './xml-wire.js';

const GiB = 1024 ** 3;

export interface OssProfileOptions {
  signature?: 'v1' | 'v4';
}

/** OSS V4 signs the region id without the "oss-" prefix. */
function v4Region(region: string): string {
  return region.replace(/^oss-/, '');
}

export function ossProfile(o: OssProfileOptions = {}): XmlDialectProfile {
  const v4 = o.signature === 'v4';
  return {
    name: 'oss',
    prefix: 'x-oss-',
    metaPrefix: 'x-oss-meta-',
    requestIdHeader: 'x-oss-request-id',
    userAgent: `stratus-sdk/${SDK_VERSION} (oss)`,
    multipart: { minPartSize: 100 * 1024, maxPartSize: 5 * GiB, maxParts: 10000, partEtagIsMd5: true },
    listObjectsVersion: 1,
    encodingTypeUrl: true,
    createBucketElement: 'StorageClass',
    bucketAclHeader: 'x-oss-acl',
    objectAclHeader: 'x-oss-object-acl',
    aclGrantForm: 'xsi',
    append: true,
    symlink: true,
    listBucketsPageSize: 1000,
    taggingHeader: true,
    sign(i) {
      const rawQuery = i.url.search;
      if (v4) {
        signRequestOssV4({ method: i.method, bucket: i.bucket, key: i.key, rawQuery, headers: i.headers, credentials: i.credentials, region: v4Region(i.region), payloadHash: i.payloadHash });
      } else {
        signRequestOssV1({ method: i.method, bucket: i.bucket, key: i.key, rawQuery, headers: i.headers, credentials: i.credentials });
      }
    },
    presign(i) {
      if (v4) {
        return presignUrlOssV4({
          method: i.method,
          url: i.url,
          bucket: i.bucket ?? '',
          key: i.key,
          credentials: i.credentials,
          region: v4Region(i.region),
          expiresSeconds: i.expiresSeconds,
          headers: i.headers,
        });
      }
      return presignUrlOssV1({ method: i.method, url: i.url, bucket: i.bucket ?? '', key: i.key ?? '', credentials: i.credentials, expiresSeconds: i.expiresSeconds, headers: i.headers });
    },
    postPolicy: ossPostPolicy,
    headerError(h) {
      // A HEAD answer carries the whole error document, base64, in x-oss-err.
      const raw = h['x-oss-err'];
      if (typeof raw !== 'string') return undefined;
      const doc = parseXml(Buffer.from(raw, 'base64'), 'Error');
      const code = text(doc, 'Code');
      if (!code) return undefined;
      const details: Record<string, string> = {};
      const ec = text(doc, 'EC') ?? (h['x-oss-ec'] as string | undefined);
      if (ec) details['EC'] = ec;
      return { code, message: text(doc, 'Message'), details };
    },
  };
}

function ossPostPolicy(i: PostPolicyInput): PostPolicy {
  const { conditions, fields } = baseConditions(i.bucket, i, 'x-oss-object-acl');
  if (i.credentials.sessionToken) {
    conditions.push({ 'x-oss-security-token': i.credentials.sessionToken });
    fields['x-oss-security-token'] = i.credentials.sessionToken;
  }
  const policy = { expiration: policyExpiration(i.expiration), conditions };
  const b64 = encodePostPolicy(policy);
  fields['OSSAccessKeyId'] = i.credentials.accessKeyId;
  fields['policy'] = b64;
  fields['Signature'] = signPostPolicyV2(b64, i.credentials.secretAccessKey);
  return { url: i.url.toString(), fields, policy };
}
