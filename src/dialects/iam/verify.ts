/**
 * SigV4 for the IAM and STS query APIs: the Authorization header, the
 * payload hash computed over the form body (these SDKs send no
 * x-amz-content-sha256), the key looked up as for every dialect, and the
 * session token in x-amz-security-token. Failures are IAM's / STS's errors.
 */
import { createHash } from 'node:crypto';
import type { Credential, CredentialLookup } from '../../auth/s3-verify.js';
import { canonicalRequestV4, canonicalUriFromRawPath, parseAmzDate, safeEqual, V4_ALGORITHM, signatureV4, signingKeyV4, stringToSignV4 } from '../../auth/sigv4.js';
import { parseRawQuery } from '../../auth/uri.js';
import type { HttpContext } from '../../http/context.js';
import { IamError } from '../../identity/errors.js';

export interface IamAuth {
  credential: Credential;
  service: 'iam' | 'sts';
}

const MAX_SKEW_MS = 15 * 60 * 1000;
const invalidToken = () => new IamError('InvalidClientTokenId', 'The security token included in the request is invalid.');

/**
 * `AWS4-HMAC-SHA256 Credential=AK/date/region/service/aws4_request, SignedHeaders=…, Signature=…`.
 * Unlike S3's parser this one takes an empty region: IAM is global, and botocore clients made with
 * `region_name=''` (as ceph/s3-tests makes them) sign with one.
 */
function parseAuthorization(value: string) {
  const incomplete = (m: string) => new IamError('IncompleteSignature', m);
  const v = value.trim();
  if (!v.startsWith(V4_ALGORITHM + ' ')) throw incomplete(`Authorization header requires the ${V4_ALGORITHM} algorithm.`);
  const fields = new Map<string, string>();
  for (const item of v.slice(V4_ALGORITHM.length + 1).split(',')) {
    const eq = item.indexOf('=');
    if (eq > 0) fields.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential')?.split('/');
  const signedHeaders = fields.get('SignedHeaders')?.split(';');
  const signature = fields.get('Signature');
  if (!credential || credential.length < 5 || !signedHeaders || !signature || !/^[0-9a-f]{64}$/.test(signature)) {
    throw incomplete("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.");
  }
  const [date, region, service, terminator] = credential.slice(-4) as [string, string, string, string];
  if (terminator !== 'aws4_request' || !/^\d{8}$/.test(date)) throw incomplete('Credential should be scoped with a valid terminator and date.');
  return { credential: { accessKeyId: credential.slice(0, -4).join('/'), date, region, service, scope: credential.slice(-4).join('/') }, signedHeaders, signature };
}

export async function verifyIamRequest(ctx: HttpContext, body: Buffer, lookup: CredentialLookup): Promise<IamAuth> {
  const authorization = ctx.header('authorization');
  if (!authorization) throw new IamError('MissingAuthenticationToken', 'Request is missing Authentication Token');
  const auth = parseAuthorization(authorization);
  const service = auth.credential.service;
  if (service !== 'iam' && service !== 'sts') throw new IamError('IncompleteSignature', `Credential should be scoped to a valid service: iam or sts, not '${service}'.`);
  const amzDate = ctx.header('x-amz-date') ?? '';
  const when = parseAmzDate(amzDate);
  if (!when) throw new IamError('IncompleteSignature', 'Authorization header requires existence of either a \'X-Amz-Date\' or a \'Date\' header.');
  if (Math.abs(Date.now() - when.getTime()) > MAX_SKEW_MS) throw new IamError('SignatureDoesNotMatch', `Signature expired: ${amzDate} is now earlier or later than the allowed skew of 15 minutes.`);
  if (auth.credential.date !== amzDate.slice(0, 8)) throw new IamError('SignatureDoesNotMatch', 'Credential should be scoped to a valid date.');

  const cred = await lookup(auth.credential.accessKeyId);
  if (!cred) throw invalidToken();
  const provided = ctx.header('x-amz-security-token');
  if (cred.sessionToken !== undefined || provided !== undefined) {
    if (cred.sessionToken === undefined || provided === undefined || !safeEqual(cred.sessionToken, provided)) throw invalidToken();
    if (cred.refused === 'expired') throw new IamError('ExpiredToken', 'The security token included in the request is expired');
    if (cred.refused) throw invalidToken();
  }
  const payloadHash = createHash('sha256').update(body).digest('hex');
  const canonical = canonicalRequestV4({
    method: ctx.method,
    canonicalUri: canonicalUriFromRawPath(ctx.rawPath),
    query: parseRawQuery(ctx.rawQuery),
    headers: ctx.req.headers,
    signedHeaders: auth.signedHeaders,
    payloadHash,
  });
  const toSign = stringToSignV4(amzDate, auth.credential.scope, createHash('sha256').update(canonical).digest('hex'));
  const expected = signatureV4(signingKeyV4(cred.secretAccessKey, auth.credential.date, auth.credential.region, service), toSign);
  if (!safeEqual(expected, auth.signature)) {
    throw new IamError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
  }
  return { credential: cred, service };
}
