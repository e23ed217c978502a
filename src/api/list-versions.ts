import { StorageError } from '../engine/errors.js';
import type { ObjectRecord } from '../meta/types.js';
import type { Reply } from '../http/reply.js';
import { encoder } from './list-objects.js';
import { parseMaxKeys } from './list-params.js';
import type { OpContext } from './op-context.js';
import { flexibleChecksums, wireStorageClass, type Vocabulary } from './vocabulary.js';
import { SEQUENCE } from './xml.js';
import { xmlDate } from './dates.js';


function entry(o: ObjectRecord, enc: (s: string) => string, vocab: Vocabulary): Record<string, unknown> {
  const owner = { ID: o.ownerId, DisplayName: o.ownerId };
  if (o.isDeleteMarker) {
    return { DeleteMarker: { Key: enc(o.key), VersionId: o.versionId, IsLatest: o.isLatest, LastModified: xmlDate(o.lastModified), Owner: owner } };
  }
  const v: Record<string, unknown> = {
    Key: enc(o.key),
    VersionId: o.versionId,
    IsLatest: o.isLatest,
    LastModified: xmlDate(o.lastModified),
    ETag: `"${o.etag}"`,
    Size: o.size,
    StorageClass: wireStorageClass(vocab, o.storageClass),
    Owner: owner,
  };
  const algs = Object.keys(flexibleChecksums(o.checksums));
  if (algs.length) v.ChecksumAlgorithm = algs.map((a) => a.toUpperCase());
  return { Version: v };
}

/**
 * ListObjectVersions (GET ?versions): versions and delete markers interleaved
 * as S3 orders them (key, then newest first), common prefixes, and the
 * key-marker / version-id-marker pair for the next page.
 */
export async function listObjectVersions(op: OpContext): Promise<Reply> {
  const q = op.http.query;
  const enc = encoder(op);
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const keyMarker = q.get('key-marker') ?? '';
  const versionIdMarker = q.get('version-id-marker') ?? '';
  const maxKeys = parseMaxKeys(q.get('max-keys'));
  if (versionIdMarker !== '' && keyMarker === '')
    throw new StorageError('InvalidArgument', 'A version-id marker cannot be specified without a key marker.', {
      ArgumentName: 'version-id-marker',
      ArgumentValue: versionIdMarker,
    });
  const page = await op.services.engine.listVersions(op.bucket!, {
    prefix,
    delimiter: delimiter || undefined,
    keyMarker: keyMarker || undefined,
    versionIdMarker: versionIdMarker || undefined,
    maxKeys,
  });
  const value: Record<string, unknown> = {
    Name: op.bucket,
    Prefix: enc(prefix),
    KeyMarker: enc(keyMarker),
    VersionIdMarker: versionIdMarker,
  };
  if (page.truncated && page.nextKeyMarker !== undefined) {
    value.NextKeyMarker = enc(page.nextKeyMarker);
    if (page.nextVersionIdMarker !== undefined) value.NextVersionIdMarker = page.nextVersionIdMarker;
  }
  value.MaxKeys = maxKeys;
  if (delimiter) value.Delimiter = enc(delimiter);
  if (q.has('encoding-type')) value.EncodingType = 'url';
  value.IsTruncated = page.truncated;
  value[SEQUENCE] = page.versions.map((o) => entry(o, enc, op.vocab));
  value.CommonPrefixes = page.prefixes.map((p) => ({ Prefix: enc(p) }));
  return { status: 200, body: { root: 'ListVersionsResult', value } };
}
