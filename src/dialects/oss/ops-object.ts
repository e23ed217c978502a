/** OSS object operations with no S3 counterpart: append, symlinks and object meta (ACLs: acl.ts). */
import { httpDate } from '../../api/dates.js';
import { incomingBody } from '../../api/body.js';
import { metaFromRequest } from '../../api/meta-headers.js';
import type { OpContext } from '../../api/op-context.js';
import { storageClassFrom } from '../../api/objects-write.js';
import { tagsFromQuery } from '../../api/tagging.js';
import { appendObject as engineAppend } from '../../engine/append.js';
import { StorageError } from '../../engine/errors.js';
import { followSymlink, getSymlink as engineGetSymlink, putSymlink as enginePutSymlink } from '../../engine/symlink.js';
import type { Reply } from '../../http/reply.js';


function versionHeader(versionId: string): Record<string, string> {
  return versionId !== 'null' ? { 'x-oss-version-id': versionId } : {};
}

/**
 * POST ?append&position=N. The first append (position 0) creates an
 * Appendable object with the request's metadata; each later one must start
 * at the current length (else 409 PositionNotEqualToLength with
 * x-oss-next-append-position). Answers the next position and the whole
 * object's CRC-64.
 */
export async function appendObject(op: OpContext): Promise<Reply> {
  const http = op.http;
  const raw = http.query.get('position') ?? '';
  if (!/^\d{1,16}$/.test(raw)) throw new StorageError('InvalidArgument', 'Position is not valid.', { ArgumentName: 'position', ArgumentValue: raw });
  const body = incomingBody(op);
  const r = await engineAppend(op.services.engine, op.caller, op.bucket!, op.key!, Number(raw), body.source, {
    meta: metaFromRequest(http, op.vocab),
    storageClass: storageClassFrom(op),
    tags: tagsFromQuery(http.header('x-oss-tagging')),
    extra: op.vocab.extraFromRequest?.(op),
    size: body.size,
    digests: body.digests,
    verify: body.verify,
  });
  const headers: Record<string, string> = {
    etag: `"${r.object.etag}"`,
    'x-oss-next-append-position': String(r.nextPosition),
    ...versionHeader(r.object.versionId),
  };
  if (r.object.checksums.crc64ecma !== undefined) headers['x-oss-hash-crc64ecma'] = r.object.checksums.crc64ecma;
  return { status: 200, headers };
}

function decodeTarget(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new StorageError('InvalidArgument', 'The x-oss-symlink-target header is not correctly URL-encoded.', { ArgumentName: 'x-oss-symlink-target', ArgumentValue: raw });
  }
}

/** PUT ?symlink with x-oss-symlink-target (URL-encoded key in the same bucket). */
export async function putSymlink(op: OpContext): Promise<Reply> {
  const http = op.http;
  const raw = http.header('x-oss-symlink-target');
  if (raw === undefined || raw === '') throw new StorageError('InvalidArgument', 'The x-oss-symlink-target header is required.', { ArgumentName: 'x-oss-symlink-target' });
  const o = await enginePutSymlink(op.services.engine, op.caller, op.bucket!, op.key!, decodeTarget(raw), {
    meta: metaFromRequest(http, op.vocab),
    storageClass: storageClassFrom(op),
    tags: tagsFromQuery(http.header('x-oss-tagging')),
    extra: op.vocab.extraFromRequest?.(op),
  });
  return { status: 200, headers: { etag: `"${o.etag}"`, ...versionHeader(o.versionId) } };
}

/** GET ?symlink: the target in x-oss-symlink-target (URL-encoded), with the link's own metadata. */
export async function getSymlink(op: OpContext): Promise<Reply> {
  const { link, target } = await engineGetSymlink(op.services.engine, op.bucket!, op.key!, op.http.query.get('versionId'));
  const headers: Record<string, string> = {
    'x-oss-symlink-target': encodeURIComponent(target),
    etag: `"${link.etag}"`,
    'last-modified': httpDate(link.lastModified),
    ...versionHeader(link.versionId),
  };
  for (const [k, v] of Object.entries(link.meta.user)) headers['x-oss-meta-' + k] = v;
  return { status: 200, headers };
}

/**
 * GET or HEAD ?objectMeta: ETag, size and Last-Modified without the data.
 * Like OSS, a GET answers Content-Length as the object's size with no body
 * (oss2 reads the size from it), so the connection is closed after it.
 */
export async function getObjectMeta(op: OpContext): Promise<Reply> {
  const { engine } = op.services;
  const o = await followSymlink(engine, await engine.getObject(op.bucket!, op.key!, op.http.query.get('versionId')));
  const headers: Record<string, string | number> = {
    etag: `"${o.etag}"`,
    'last-modified': httpDate(o.lastModified),
    'content-length': o.size,
    ...versionHeader(o.versionId),
  };
  if (o.checksums.crc64ecma !== undefined) headers['x-oss-hash-crc64ecma'] = o.checksums.crc64ecma;
  if (op.http.method !== 'HEAD' && o.size > 0) headers.connection = 'close';
  return { status: 200, headers };
}
