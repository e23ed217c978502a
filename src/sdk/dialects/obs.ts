/**
 * Huawei OBS in its two signature modes: 'obs' (x-obs- headers,
 * `Authorization: OBS ak:sig`, AccessKeyId URLs) and 'obs-v2', the OBS
 * SDKs' AWS-compatible mode (x-amz- headers, `AWS ak:sig`). Requests carry
 * an `obs-sdk-` User-Agent, as the OBS SDKs do, so a server that serves S3
 * and OBS on one port can tell the V2 mode from S3's V2. Errors of a HEAD
 * come in `<prefix>error-code` / `<prefix>error-message` headers.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { presignObsUrl, signObsRequest, type ObsFamily } from '../../auth/obs.js';
import { encodePostPolicy, signPostPolicyV2 } from '../../auth/post-policy.js';
import type { PostPolicy } from '../types.js';
import { baseConditions, policyExpiration } from './post-policy.js';
import { SDK_VERSION } from './s3.js';
import type { XmlDialectProfile } from './xml-family.js';
import type { PostPolicyInput } from './xml-wire.js';

const GiB = 1024 ** 3;

export function obsProfile(family: ObsFamily): XmlDialectProfile {
  const obs = family === 'obs';
  const prefix = obs ? 'x-obs-' : 'x-amz-';
  return {
    name: obs ? 'obs' : 'obs-v2',
    prefix,
    metaPrefix: prefix + 'meta-',
    requestIdHeader: prefix + 'request-id',
    altPrefix: obs ? undefined : 'x-obs-',
    userAgent: `obs-sdk-stratus/${SDK_VERSION}`,
    multipart: { minPartSize: 100 * 1024, maxPartSize: 5 * GiB, maxParts: 10000, partEtagIsMd5: true },
    listObjectsVersion: 1,
    encodingTypeUrl: true,
    createBucketElement: obs ? 'Location' : 'LocationConstraint',
    bucketAclHeader: prefix + 'acl',
    objectAclHeader: prefix + 'acl',
    aclGrantForm: obs ? 'obs' : 'xsi',
    append: true,
    symlink: false,
    taggingHeader: true,
    sign(i) {
      signObsRequest({ method: i.method, url: i.url, headers: i.headers, credentials: i.credentials, family, virtualHostBucket: i.virtualHostBucket });
    },
    presign(i) {
      return presignObsUrl({
        method: i.method,
        url: i.url,
        credentials: i.credentials,
        family,
        expiresSeconds: i.expiresSeconds,
        virtualHostBucket: i.virtualHostBucket,
        headers: i.headers,
      });
    },
    postPolicy: (i) => obsPostPolicy(i, obs),
    headerError(h: IncomingHttpHeaders) {
      const code = h[prefix + 'error-code'];
      if (typeof code !== 'string' || !code) return undefined;
      const message = h[prefix + 'error-message'];
      return { code, message: typeof message === 'string' ? message : undefined };
    },
  };
}

function obsPostPolicy(i: PostPolicyInput, obs: boolean): PostPolicy {
  const prefix = obs ? 'x-obs-' : 'x-amz-';
  const { conditions, fields } = baseConditions(i.bucket, i, prefix + 'acl');
  if (i.credentials.sessionToken) {
    conditions.push({ [prefix + 'security-token']: i.credentials.sessionToken });
    fields[prefix + 'security-token'] = i.credentials.sessionToken;
  }
  const policy = { expiration: policyExpiration(i.expiration), conditions };
  const b64 = encodePostPolicy(policy);
  fields[obs ? 'AccessKeyId' : 'AWSAccessKeyId'] = i.credentials.accessKeyId;
  fields['policy'] = b64;
  fields['signature'] = signPostPolicyV2(b64, i.credentials.secretAccessKey);
  return { url: i.url.toString(), fields, policy };
}
