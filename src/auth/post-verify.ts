/**
 * Server-side check of a browser form upload's signature (POST Object).
 * The form's signature field names tell the scheme: S3 SigV4
 * (x-amz-algorithm / x-amz-credential / x-amz-date / x-amz-signature), S3
 * SigV2 (AWSAccessKeyId / signature), OSS V1 (OSSAccessKeyId / Signature) and
 * OBS (AccessKeyId / signature). Field names are case-insensitive on the wire;
 * callers pass them lower-cased. The signed string is always the base64
 * policy as sent (see post-policy.ts for the signing side).
 */
import { StorageError } from '../engine/errors.js';
import { signPostPolicyV2, signPostPolicyV4 } from './post-policy.js';
import { checkSessionToken, type Credential, type CredentialLookup } from './s3-verify.js';
import { parseCredentialV4, safeEqual, V4_ALGORITHM } from './sigv4.js';

export type PostFormDialect = 's3' | 'oss' | 'obs';

/**
 * The dialect a form speaks, from its signature fields; undefined when it
 * carries none (an anonymous form, answered as S3 would).
 * OBS's AWS-compatible mode signs forms exactly as S3 V2 does (AWSAccessKeyId
 * and an HMAC-SHA1 `signature`), so such forms are S3's.
 */
export function postFormDialect(names: Iterable<string>): PostFormDialect | undefined {
  const set = new Set(names);
  if (set.has('x-amz-signature') || set.has('x-amz-credential') || set.has('x-amz-algorithm') || set.has('awsaccesskeyid')) return 's3';
  if (set.has('ossaccesskeyid')) return 'oss';
  if (set.has('accesskeyid')) return 'obs';
  return undefined;
}

export interface PostAuthResult {
  credential: Credential;
  scheme: 's3-v4' | 's3-v2' | 'oss-v1' | 'obs';
}

const need = (fields: Map<string, string>, name: string, code: 'InvalidArgument' | 'AccessDenied' = 'InvalidArgument'): string => {
  const v = fields.get(name);
  if (v === undefined || v === '') throw new StorageError(code, `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, { ArgumentName: name, ArgumentValue: '' });
  return v;
};

async function find(lookup: CredentialLookup, accessKeyId: string, field: string, fields?: Map<string, string>): Promise<Credential> {
  const cred = await lookup(accessKeyId);
  if (!cred) throw new StorageError('InvalidAccessKeyId', undefined, { [field]: accessKeyId });
  // Temporary credentials carry their token as a form field (x-amz- / x-oss- / x-obs-security-token).
  if (fields) checkSessionToken(cred, fields.get('x-amz-security-token') ?? fields.get('x-oss-security-token') ?? fields.get('x-obs-security-token'));
  return cred;
}

const mismatch = (ak: string, field: string) => new StorageError('SignatureDoesNotMatch', undefined, { [field]: ak });

/**
 * Verifies the form's signature over its policy; undefined when the form
 * carries no signature fields at all. `region`, when given, is the only
 * region a V4 credential scope may name.
 */
export async function verifyPostSignature(fields: Map<string, string>, lookup: CredentialLookup, region?: string): Promise<PostAuthResult | undefined> {
  const dialect = postFormDialect(fields.keys());
  if (!dialect) return undefined;
  if (dialect === 's3' && !fields.has('awsaccesskeyid')) {
    const algorithm = need(fields, 'x-amz-algorithm');
    if (algorithm !== V4_ALGORITHM) throw new StorageError('InvalidArgument', 'Invalid algorithm: only AWS4-HMAC-SHA256 is supported', { ArgumentName: 'x-amz-algorithm', ArgumentValue: algorithm });
    const credRaw = need(fields, 'x-amz-credential');
    const amzDate = need(fields, 'x-amz-date');
    const signature = need(fields, 'x-amz-signature');
    const policy = need(fields, 'policy');
    const c = parseCredentialV4(credRaw);
    if (!c || c.terminator !== 'aws4_request' || c.date !== amzDate.slice(0, 8))
      throw new StorageError('InvalidArgument', 'Invalid credential in x-amz-credential', { ArgumentName: 'x-amz-credential', ArgumentValue: credRaw });
    if (region && c.region !== region)
      throw new StorageError('AuthorizationQueryParametersError', `Error parsing the X-Amz-Credential parameter; the region '${c.region}' is wrong; expecting '${region}'`, { Region: region });
    const cred = await find(lookup, c.accessKeyId, 'AWSAccessKeyId', fields);
    if (!safeEqual(signPostPolicyV4(policy, cred.secretAccessKey, amzDate, c.region, c.service), signature.toLowerCase())) throw mismatch(c.accessKeyId, 'AWSAccessKeyId');
    return { credential: cred, scheme: 's3-v4' };
  }
  const [akField, sigField, wireAk] =
    dialect === 's3' ? ['awsaccesskeyid', 'signature', 'AWSAccessKeyId'] : dialect === 'oss' ? ['ossaccesskeyid', 'signature', 'OSSAccessKeyId'] : ['accesskeyid', 'signature', 'AccessKeyId'];
  const ak = need(fields, akField);
  const policy = need(fields, 'policy');
  const signature = need(fields, sigField);
  const cred = await find(lookup, ak, wireAk, fields);
  if (!safeEqual(signPostPolicyV2(policy, cred.secretAccessKey), signature)) throw mismatch(ak, wireAk);
  return { credential: cred, scheme: dialect === 's3' ? 's3-v2' : dialect === 'oss' ? 'oss-v1' : 'obs' };
}
