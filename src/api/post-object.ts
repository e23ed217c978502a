/**
 * POST Object: a browser form upload, written once for S3, OSS and OBS.
 * The form's signature is checked in src/auth/post-verify.ts (before
 * routing, as for any request); here the policy is enforced against the
 * form fields, and the file part is streamed into the engine with the
 * policy's content-length-range as its size limits.
 */
import { principalOfKey } from '../auth/s3-verify.js';
import type { Principal } from '../authz/principal.js';
import { withWebsiteRedirect } from '../website/redirect-location.js';
import { decodePostPolicy } from '../auth/post-policy.js';
import { verifyPostSignature } from '../auth/post-verify.js';
import { StorageError, isStorageError } from '../engine/errors.js';
import type { HttpContext } from '../http/context.js';
import type { Reply } from '../http/reply.js';
import type { Services } from '../http/services.js';
import { encodeChecksum, type DigestValues } from '../digest/digest-set.js';
import { declaredChecksum } from './body.js';
import { metaFromRequest } from './meta-headers.js';
import type { OpContext } from './op-context.js';
import { postForm, type PostForm } from './post-form.js';
import { storageClassFrom } from './objects-write.js';
import { refuseServerSideEncryption } from './sse.js';
import { renderXml } from './xml.js';
import { h, type Vocabulary } from './vocabulary.js';

/**
 * Fields a policy need not mention. S3 and OBS refuse any other field no
 * condition covers; OSS checks only the conditions the policy states.
 */
const EXEMPT: Record<Vocabulary['dialect'], { strict: boolean; names: Set<string> }> = {
  s3: { strict: true, names: new Set(['x-amz-signature', 'awsaccesskeyid', 'signature', 'file', 'policy']) },
  obs: { strict: true, names: new Set(['accesskeyid', 'signature', 'file', 'policy', 'token', 'awsaccesskeyid']) },
  oss: { strict: false, names: new Set(['ossaccesskeyid', 'signature', 'file', 'policy']) },
};

/** Verifies the signature of the request's form; undefined when it carries none. */
export async function authenticatePostForm(ctx: HttpContext, services: Services): Promise<{ accountId: string; principal: Principal } | undefined> {
  const form = await postForm(ctx, services.settings.bodyIdleMs);
  const auth = await verifyPostSignature(form.fields, (ak) => services.lookupCredential(ak), services.settings.region);
  return auth && { accountId: auth.credential.owner, principal: principalOfKey(auth.credential) };
}

const denied = (why: string) => new StorageError('AccessDenied', `Invalid according to Policy: ${why}`);
/** S3's rendering of a condition in its error message: `["eq", "$key", "x"]`. */
const show = (parts: unknown[]) => '[' + parts.map((p) => JSON.stringify(p)).join(', ') + ']';

const ISO_EXPIRATION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

interface LengthRange {
  min: number;
  max: number;
}

/**
 * Checks expiration and every condition against the fields; returns the
 * content-length-range, if the policy sets one. `bucket` is matched against
 * the addressed bucket, every other name against the form field.
 */
function checkPolicy(v: Vocabulary, form: PostForm, bucket: string, now = Date.now()): LengthRange | undefined {
  const policyB64 = form.fields.get('policy');
  if (policyB64 === undefined) return undefined; // an anonymous form: nothing to check (and the bucket's ACL decides)
  const doc = decodePostPolicy(policyB64);
  if (!doc) throw new StorageError('InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
  // S3 takes only ISO 8601 in UTC (`2026-01-01T00:00:00Z`, fractions allowed); anything else is a bad policy (400).
  const expires = ISO_EXPIRATION.test(doc.expiration) ? Date.parse(doc.expiration) : NaN;
  if (Number.isNaN(expires)) throw new StorageError('InvalidPolicyDocument', 'Invalid Policy: Invalid \'expiration\' value: \'' + doc.expiration + '\'');
  if (expires < now) throw denied('Policy expired.');
  // The key matches as sent or as it will be stored, ${filename} replaced by the file's name
  // (S3 accepts `["starts-with", "$key", "foo"]` for the key `${filename}` and a file foo.txt).
  const values = (name: string): Array<string | undefined> =>
    name === 'bucket' ? [bucket] : name === 'key' ? [...new Set([form.fields.get('key'), keyOf(form)])] : [form.fields.get(name)];
  const covered = new Set<string>(['bucket']);
  let range: LengthRange | undefined;
  for (const c of doc.conditions) {
    if (Array.isArray(c)) {
      const op = String(c[0] ?? '').toLowerCase();
      if (op === 'content-length-range') {
        const min = Number(c[1]);
        const max = Number(c[2]);
        if (c.length !== 3 || !Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min)
          throw new StorageError('InvalidPolicyDocument', 'Invalid Policy: Invalid content-length-range condition: ' + JSON.stringify(c));
        range = { min, max };
        continue;
      }
      if ((op !== 'eq' && op !== 'starts-with') || c.length !== 3 || typeof c[1] !== 'string' || !c[1].startsWith('$'))
        throw new StorageError('InvalidPolicyDocument', 'Invalid Policy: Invalid Condition: ' + JSON.stringify(c));
      const name = c[1].slice(1).toLowerCase();
      const want = String(c[2]);
      covered.add(name);
      const ok = values(name).some((got) => (got !== undefined ? (op === 'eq' ? got === want : got.startsWith(want)) : op === 'starts-with' && want === ''));
      if (!ok) throw denied('Policy Condition failed: ' + show([op, c[1], c[2]]));
    } else if (c && typeof c === 'object') {
      const entries = Object.entries(c as Record<string, unknown>);
      if (entries.length !== 1) throw new StorageError('InvalidPolicyDocument', 'Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
      const [rawName, want] = entries[0]!;
      const name = rawName.toLowerCase();
      covered.add(name);
      if (!values(name).includes(String(want))) throw denied('Policy Condition failed: ' + show(['eq', '$' + rawName, want]));
    } else {
      throw new StorageError('InvalidPolicyDocument', 'Invalid Policy: Invalid Condition: ' + JSON.stringify(c));
    }
  }
  const exempt = EXEMPT[v.dialect];
  if (exempt.strict) {
    for (const name of form.fields.keys()) {
      // A checksum of the file protects it; S3 needs no condition for it (s3-tests test_post_object_upload_checksum).
      if (covered.has(name) || exempt.names.has(name) || name.startsWith('x-ignore-') || name.startsWith(h(v, 'checksum-'))) continue;
      throw denied('Extra input fields: ' + (form.names.get(name) ?? name));
    }
  }
  return range;
}

/** The key the form names, `${filename}` replaced by the file part's name (without any path). */
function keyOf(form: PostForm): string | undefined {
  const raw = form.fields.get('key');
  if (raw === undefined || !form.file) return raw;
  return raw.replaceAll('${filename}', form.file.filename.replace(/^.*[\\/]/, ''));
}

/** A view of the form as request headers, so the header readers (metadata, storage class, ACL) serve forms too. */
function formAsHeaders(op: OpContext, form: PostForm): OpContext {
  const headers: Record<string, string> = Object.fromEntries(form.fields);
  // S3's form names the canned ACL `acl` where its header is `x-amz-acl`.
  const aclHeader = h(op.vocab, 'acl');
  if (headers['acl'] !== undefined && headers[aclHeader] === undefined) headers[aclHeader] = headers['acl'];
  const http = Object.create(op.http) as HttpContext;
  Object.defineProperty(http, 'req', { value: { headers, method: 'POST' } });
  http.header = (name: string) => headers[name];
  return { ...op, http };
}

/** The file part as the engine reads it: a form cut off mid-file is malformed, not an internal error. */
async function* fileBody(stream: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  try {
    for await (const chunk of stream) yield chunk;
  } catch (e) {
    throw isStorageError(e) ? e : new StorageError('MalformedPOSTRequest', `The body of your POST request is not well-formed multipart/form-data. ${(e as Error).message}`);
  }
  if ((stream as { truncated?: boolean }).truncated) throw new StorageError('EntityTooLarge');
}

/** POST bucket (multipart/form-data) */
export async function postObject(op: OpContext): Promise<Reply> {
  const http = op.http;
  const bucket = op.bucket!;
  const form = await postForm(http, op.services.settings.bodyIdleMs);
  refuseServerSideEncryption(form.fields.keys());
  const range = checkPolicy(op.vocab, form, bucket);
  const rawKey = form.fields.get('key');
  if (rawKey === undefined)
    throw new StorageError('InvalidArgument', "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", { ArgumentName: 'key', ArgumentValue: '' });
  if (!form.file) throw new StorageError('InvalidArgument', 'POST requires exactly one file upload per request.', { ArgumentName: 'file', ArgumentValue: '0' });
  const key = keyOf(form)!;
  if (!key) throw new StorageError('InvalidArgument', 'User key must have a length greater than 0.', { ArgumentName: 'key', ArgumentValue: '' });
  const asHeaders = formAsHeaders(op, form);
  const meta = metaFromRequest(asHeaders.http, op.vocab, { text: true });
  const storageClass = storageClassFrom(asHeaders);
  // A `<prefix>checksum-<alg>` field is checked against the file (InvalidRequest when malformed, BadDigest when wrong) and stored.
  const flexible = declaredChecksum(asHeaders);
  const o = await op.services.engine.putObject(op.caller, bucket, key, fileBody(form.file.stream), {
    meta,
    storageClass,
    extra: withWebsiteRedirect(asHeaders, op.vocab.extraFromRequest?.(asHeaders)),
    maxSize: range?.max,
    ...(flexible ? { digests: ['md5', flexible.alg], checksums: (d: DigestValues) => ({ [flexible.alg]: encodeChecksum(flexible.alg, d) }) } : {}),
    verify: (digests, size) => {
      if (range && size < range.min) throw new StorageError('EntityTooSmall', undefined, { ProposedSize: String(size), MinSizeAllowed: String(range.min) });
      if (flexible && flexible.fromHeader !== encodeChecksum(flexible.alg, digests))
        throw new StorageError('BadDigest', `The ${flexible.alg.toUpperCase()} you specified did not match the calculated checksum.`);
    },
  });

  const etag = `"${o.etag}"`;
  const proto = http.header('x-forwarded-proto') ?? ((http.req.socket as { encrypted?: boolean } | undefined)?.encrypted ? 'https' : 'http');
  const location = `${proto}://${http.header('host') ?? 'localhost'}/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
  const headers: Record<string, string> = { etag, location };
  if (o.versionId !== 'null') headers[h(op.vocab, 'version-id')] = o.versionId;

  const redirect = form.fields.get('success_action_redirect') ?? form.fields.get('redirect');
  if (redirect) {
    try {
      const url = new URL(redirect);
      url.searchParams.set('bucket', bucket);
      url.searchParams.set('key', key);
      url.searchParams.set('etag', etag);
      return { status: 303, headers: { ...headers, location: url.toString() } };
    } catch {
      // Not an absolute URL: S3 then answers as if no redirect had been asked for.
    }
  }
  const status = Number(form.fields.get('success_action_status'));
  // S3's PostResponse carries no namespace (clients look up <Key> unqualified), unlike its other documents.
  if (status === 201) return { status: 201, headers: { ...headers, 'content-type': 'application/xml' }, body: renderXml({ root: 'PostResponse', value: { Location: location, Bucket: bucket, Key: key, ETag: etag } }) };
  if (status === 200) return { status: 200, headers };
  return { status: 204, headers };
}
