import { StorageError, isStorageError } from '../engine/errors.js';
import type { Reply } from '../http/reply.js';
import { readVerifiedBody } from './body.js';
import { encoder } from './list-objects.js';
import type { OpContext } from './op-context.js';
import { h } from './vocabulary.js';
import { asArray, parseXmlBody } from './xml.js';

/** x-amz-if-match-size: a non-negative integer. */
function sizeCondition(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,15}$/.test(v.trim())) throw new StorageError('InvalidArgument', `Invalid ${name}`, { ArgumentName: name, ArgumentValue: v });
  return Number(v.trim());
}

/** x-amz-if-match-last-modified-time (an HTTP date) or <LastModifiedTime> (ISO 8601). */
function timeCondition(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v.trim());
  if (Number.isNaN(t)) throw new StorageError('InvalidArgument', `Invalid ${name}`, { ArgumentName: name, ArgumentValue: v });
  return t;
}

export async function deleteObject(op: OpContext): Promise<Reply> {
  const r = await op.services.engine.deleteObject(op.caller, op.bucket!, op.key!, {
    versionId: op.http.query.get('versionId'),
    ifMatch: op.http.header('if-match'),
    ifMatchSize: sizeCondition(op.http.header(h(op.vocab, 'if-match-size')), h(op.vocab, 'if-match-size')),
    ifMatchLastModified: timeCondition(op.http.header(h(op.vocab, 'if-match-last-modified-time')), h(op.vocab, 'if-match-last-modified-time')),
  });
  const headers: Record<string, string> = {};
  if (r.versionId !== undefined) headers[h(op.vocab, 'version-id')] = r.versionId;
  if (r.deleteMarker) headers[h(op.vocab, 'delete-marker')] = 'true';
  return { status: 204, headers };
}

export const MAX_DELETE_KEYS = 1000;

/** DeleteObjects (POST ?delete): up to 1000 keys, each deleted on its own, quiet or verbose. */
export async function deleteObjects(op: OpContext): Promise<Reply> {
  const { engine } = op.services;
  await engine.getBucket(op.bucket!);
  // encoding-type=url (OSS) URL-encodes the keys in the answer.
  const enc = encoder(op);
  const doc = parseXmlBody(await readVerifiedBody(op, 2 * 1024 * 1024, { requireIntegrity: true }), 'Delete');
  const quiet = String(doc.Quiet ?? 'false').toLowerCase() === 'true';
  const objects = asArray(doc.Object as Record<string, unknown> | Record<string, unknown>[] | undefined);
  if (objects.length === 0 || objects.length > MAX_DELETE_KEYS) throw new StorageError('MalformedXML');
  const deleted: Record<string, unknown>[] = [];
  const errors: Record<string, unknown>[] = [];
  for (const o of objects) {
    if (typeof o !== 'object' || o === null || typeof o.Key !== 'string') throw new StorageError('MalformedXML');
  }
  for (const o of objects) {
    const key = o.Key as string;
    // An empty <VersionId/> (minio-js sends one for plain keys) means no version.
    const versionId = typeof o.VersionId === 'string' && o.VersionId !== '' ? o.VersionId : undefined;
    // <ETag> makes the delete of that key conditional, as If-Match does for DeleteObject.
    const ifMatch = typeof o.ETag === 'string' ? o.ETag : undefined;
    try {
      // <Size> and <LastModifiedTime> do the same as x-amz-if-match-size and -last-modified-time.
      const ifMatchSize = sizeCondition(typeof o.Size === 'string' ? o.Size : undefined, 'Size');
      const ifMatchLastModified = timeCondition(typeof o.LastModifiedTime === 'string' ? o.LastModifiedTime : undefined, 'LastModifiedTime');
      // Each key is authorized on its own (a policy's Deny on a prefix holds inside a batch too).
      await op.authorizeKey?.('s3:DeleteObject', key, versionId);
      const r = await engine.deleteObject(op.caller, op.bucket!, key, { versionId, ifMatch, ifMatchSize, ifMatchLastModified });
      if (quiet) continue;
      const entry: Record<string, unknown> = { Key: enc(key) };
      if (versionId !== undefined) entry.VersionId = versionId;
      if (r.deleteMarker) {
        entry.DeleteMarker = true;
        entry.DeleteMarkerVersionId = r.versionId;
      }
      deleted.push(entry);
    } catch (e) {
      if (!isStorageError(e)) throw e;
      const wire = op.vocab.error(e.code, e.message, e.status);
      errors.push({ Key: enc(key), ...(versionId !== undefined ? { VersionId: versionId } : {}), Code: wire.code, Message: wire.message });
    }
  }
  const value: Record<string, unknown> = { Deleted: deleted, Error: errors };
  if (op.http.query.has('encoding-type')) value.EncodingType = 'url';
  return { status: 200, body: { root: 'DeleteResult', value } };
}
