/**
 * Browser form uploads (POST Object): the policy document is sent base64
 * encoded and signed as is. S3 signs it with the Signature V4 key
 * (hex HMAC-SHA256); OSS V1 and OBS (both modes) with the V2-style
 * base64 HMAC-SHA1 of the secret.
 */
import { signV2 } from './sigv2.js';
import { credentialScopeV4, signatureV4, signingKeyV4, toAmzDate, V4_ALGORITHM } from './sigv4.js';

export interface PostPolicyDocument {
  /** ISO 8601 instant, e.g. 2030-01-01T00:00:00.000Z. */
  expiration: string;
  conditions: unknown[];
}

/** base64 of the policy's JSON, the value of the `policy` form field. */
export function encodePostPolicy(doc: PostPolicyDocument): string {
  return Buffer.from(JSON.stringify(doc), 'utf8').toString('base64');
}

/** The decoded policy, or undefined when it is not base64 JSON with an expiration and a conditions list. */
export function decodePostPolicy(b64: string): PostPolicyDocument | undefined {
  try {
    const doc = JSON.parse(Buffer.from(b64, 'base64').toString('utf8')) as PostPolicyDocument;
    if (typeof doc?.expiration !== 'string' || !Array.isArray(doc.conditions)) return undefined;
    return doc;
  } catch {
    return undefined;
  }
}

export interface PostPolicyV4Fields {
  'x-amz-algorithm': string;
  'x-amz-credential': string;
  'x-amz-date': string;
}

/** The x-amz-algorithm / x-amz-credential / x-amz-date fields a V4 policy must also name as conditions. */
export function postPolicyV4Fields(accessKeyId: string, region: string, date: Date, service = 's3'): PostPolicyV4Fields {
  const amzDate = toAmzDate(date);
  return {
    'x-amz-algorithm': V4_ALGORITHM,
    'x-amz-credential': `${accessKeyId}/${credentialScopeV4(amzDate.slice(0, 8), region, service)}`,
    'x-amz-date': amzDate,
  };
}

/** `x-amz-signature`: hex HMAC-SHA256 of the base64 policy with the V4 signing key of its date. */
export function signPostPolicyV4(policyB64: string, secret: string, amzDate: string, region: string, service = 's3'): string {
  return signatureV4(signingKeyV4(secret, amzDate.slice(0, 8), region, service), policyB64);
}

/** OSS `Signature` / OBS `signature`: base64 HMAC-SHA1 of the base64 policy. */
export function signPostPolicyV2(policyB64: string, secret: string): string {
  return signV2(secret, policyB64);
}
