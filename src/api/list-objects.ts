import { awsUriEncode } from '../auth/uri.js';
import { StorageError } from '../engine/errors.js';
import type { ObjectRecord } from '../meta/types.js';
import type { Reply } from '../http/reply.js';
import type { OpContext } from './op-context.js';
import { listParam, parseMaxKeys } from './list-params.js';
import { flexibleChecksums, wireStorageClass } from './vocabulary.js';
import { xmlDate } from './dates.js';


export function encoder(op: OpContext): (s: string) => string {
  const et = op.http.query.get('encoding-type');
  if (et === undefined) return (s) => s;
  if (et.toLowerCase() !== 'url') throw new StorageError('InvalidArgument', 'Invalid Encoding Method specified in Request', { ArgumentName: 'encoding-type', ArgumentValue: et });
  return (s) => awsUriEncode(s, false);
}

export function encodeToken(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function decodeToken(t: string): string {
  const key = Buffer.from(t, 'base64url').toString('utf8');
  if (encodeToken(key) !== t) throw new StorageError('InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
  return key;
}

function entry(op: OpContext, o: ObjectRecord, enc: (s: string) => string, owner: boolean): Record<string, unknown> {
  const e: Record<string, unknown> = { Key: enc(o.key), LastModified: xmlDate(o.lastModified), ETag: `"${o.etag}"` };
  const algs = Object.keys(flexibleChecksums(o.checksums));
  if (algs.length) e.ChecksumAlgorithm = algs.map((a) => a.toUpperCase());
  if (op.vocab.listingTypeAndNextMarker) e.Type = o.objectType;
  e.Size = o.size;
  e.StorageClass = wireStorageClass(op.vocab, o.storageClass);
  if (owner) e.Owner = { ID: o.ownerId, DisplayName: o.ownerId };
  return e;
}

/** ListObjects (V1) and ListObjectsV2 (list-type=2). */
export async function listObjects(op: OpContext): Promise<Reply> {
  const q = op.http.query;
  const v2 = q.get('list-type') === '2';
  const enc = encoder(op);
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const maxKeys = parseMaxKeys(q.get('max-keys'));
  // The echoes below give the parameters as sent (an empty token comes back empty); the page starts
  // after the token, else start-after (V2), or after the marker (V1).
  const token = q.get('continuation-token');
  const startAfter = q.get('start-after');
  const marker = q.get('marker');
  // allow-unordered=true is RGW's extension (AWS has no such parameter): it lets the server skip
  // sorting, which our ordered listing satisfies; RGW refuses it with a delimiter, and so do we.
  if (q.get('allow-unordered')?.toLowerCase() === 'true' && delimiter)
    throw new StorageError('InvalidArgument', 'allow-unordered cannot be used with a delimiter', { ArgumentName: 'allow-unordered', ArgumentValue: 'true' });
  const nonEmptyToken = listParam(q, 'continuation-token');
  const after = v2 ? (nonEmptyToken !== undefined ? decodeToken(nonEmptyToken) : listParam(q, 'start-after')) : listParam(q, 'marker');
  const page = await op.services.engine.listObjects(op.bucket!, { prefix, delimiter: delimiter || undefined, after, maxKeys });
  const fetchOwner = !v2 || q.get('fetch-owner') === 'true';
  // S3 URL-encodes Prefix in V2 and ListObjectVersions but not in V1 (botocore decodes V1's
  // Delimiter, Marker, NextMarker and keys only; s3-tests test_bucket_list_prefix_unreadable).
  const value: Record<string, unknown> = { Name: op.bucket, Prefix: v2 || op.vocab.dialect !== 's3' ? enc(prefix) : prefix };
  if (v2) {
    if (token !== undefined) value.ContinuationToken = token;
    if (startAfter !== undefined) value.StartAfter = enc(startAfter);
    value.KeyCount = page.objects.length + page.prefixes.length;
  } else {
    value.Marker = enc(marker ?? '');
  }
  value.MaxKeys = maxKeys;
  if (delimiter) value.Delimiter = enc(delimiter);
  if (q.has('encoding-type')) value.EncodingType = 'url';
  value.IsTruncated = page.truncated;
  if (page.truncated && page.last !== undefined) {
    if (v2) value.NextContinuationToken = encodeToken(page.last);
    else if (delimiter || op.vocab.listingTypeAndNextMarker) value.NextMarker = enc(page.last);
  }
  value.Contents = page.objects.map((o) => entry(op, o, enc, fetchOwner));
  value.CommonPrefixes = page.prefixes.map((p) => ({ Prefix: enc(p) }));
  return { status: 200, body: { root: 'ListBucketResult', value } };
}
