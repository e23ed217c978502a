import { StorageError } from '../engine/errors.js';
import type { Reply } from '../http/reply.js';
import { incomingBody, readVerifiedBody } from './body.js';
import { encoder, parseMaxKeys } from './list-objects.js';
import { metaFromRequest } from './meta-headers.js';
import { parseCopySource, storageClassFrom, type WriteExtras } from './objects-write.js';
import type { OpContext } from './op-context.js';
import { tagsFromQuery } from './tagging.js';
import { h, wireStorageClass } from './vocabulary.js';
import { asArray, parseXmlBody } from './xml.js';

const iso = (ms: number) => new Date(ms).toISOString();

function partNumberOf(op: OpContext): number {
  const raw = op.http.query.get('partNumber') ?? '';
  if (!/^\d+$/.test(raw)) throw new StorageError('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', { ArgumentName: 'partNumber', ArgumentValue: raw });
  return Number(raw);
}

export async function createMultipartUpload(op: OpContext, more: WriteExtras = {}): Promise<Reply> {
  const u = await op.services.engine.multipart.create(op.caller, op.bucket!, op.key!, {
    meta: metaFromRequest(op.http, op.vocab),
    storageClass: storageClassFrom(op),
    tags: tagsFromQuery(op.http.header(h(op.vocab, 'tagging'))),
    extra: more.extra,
  });
  return { status: 200, body: { root: 'InitiateMultipartUploadResult', value: { Bucket: op.bucket, Key: op.key, UploadId: u.uploadId } } };
}

export async function uploadPart(op: OpContext): Promise<Reply> {
  const body = incomingBody(op);
  const part = await op.services.engine.multipart.uploadPart(op.caller, op.bucket!, op.key!, op.http.query.get('uploadId')!, partNumberOf(op), body.source, {
    size: body.size,
    digests: body.digests,
    verify: body.verify,
    checksums: body.checksums,
  });
  const headers: Record<string, string> = { etag: `"${part.etag}"` };
  for (const [alg, value] of Object.entries(part.checksums)) headers[h(op.vocab, 'checksum-' + alg)] = value;
  return { status: 200, headers };
}

function copyRange(v: string | undefined) {
  if (v === undefined) return undefined;
  const m = /^bytes=(\d+)-(\d+)$/.exec(v.trim());
  if (!m) throw new StorageError('InvalidArgument', 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy', { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: v });
  return { start: Number(m[1]), end: Number(m[2]) };
}

export async function uploadPartCopy(op: OpContext): Promise<Reply> {
  const http = op.http;
  const v = op.vocab;
  const src = parseCopySource(http.header(h(v, 'copy-source'))!);
  const { part, source } = await op.services.engine.multipart.uploadPartCopy(op.caller, op.bucket!, op.key!, http.query.get('uploadId')!, partNumberOf(op), src, {
    range: copyRange(http.header(h(v, 'copy-source-range'))),
    conditions: {
      ifMatch: http.header(h(v, 'copy-source-if-match')),
      ifNoneMatch: http.header(h(v, 'copy-source-if-none-match')),
      ifModifiedSince: http.header(h(v, 'copy-source-if-modified-since')),
      ifUnmodifiedSince: http.header(h(v, 'copy-source-if-unmodified-since')),
    },
  });
  const headers: Record<string, string> = {};
  if (source.versionId !== 'null') headers[h(v, 'copy-source-version-id')] = source.versionId;
  return { status: 200, headers, body: { root: 'CopyPartResult', value: { LastModified: iso(part.lastModified), ETag: `"${part.etag}"` } } };
}

export async function completeMultipartUpload(op: OpContext): Promise<Reply> {
  const doc = parseXmlBody(await readVerifiedBody(op, 4 * 1024 * 1024), 'CompleteMultipartUpload');
  const parts = asArray(doc.Part as Record<string, unknown> | Record<string, unknown>[] | undefined).map((p) => {
    if (typeof p !== 'object' || p === null || typeof p.PartNumber !== 'string' || !/^\d+$/.test(p.PartNumber)) throw new StorageError('MalformedXML');
    return { partNumber: Number(p.PartNumber), etag: typeof p.ETag === 'string' ? p.ETag : undefined };
  });
  const o = await op.services.engine.multipart.complete(op.caller, op.bucket!, op.key!, op.http.query.get('uploadId')!, parts, {
    minPartSize: op.vocab.minPartSize,
    ifMatch: op.http.header('if-match'),
    ifNoneMatch: op.http.header('if-none-match'),
  });
  const headers: Record<string, string> = {};
  if (o.versionId !== 'null') headers[h(op.vocab, 'version-id')] = o.versionId;
  const host = op.http.header('host') ?? 'localhost';
  return {
    status: 200,
    headers,
    body: {
      root: 'CompleteMultipartUploadResult',
      value: { Location: `http://${host}/${op.bucket}/${encodeURIComponent(op.key!)}`, Bucket: op.bucket, Key: op.key, ETag: `"${o.etag}"` },
    },
  };
}

export async function abortMultipartUpload(op: OpContext): Promise<Reply> {
  await op.services.engine.multipart.abort(op.bucket!, op.key!, op.http.query.get('uploadId')!);
  return { status: 204 };
}

export async function listParts(op: OpContext): Promise<Reply> {
  const q = op.http.query;
  const marker = q.get('part-number-marker');
  if (marker !== undefined && !/^\d+$/.test(marker)) throw new StorageError('InvalidArgument', 'Provided part-number-marker not an integer or within integer range', { ArgumentName: 'part-number-marker', ArgumentValue: marker });
  const maxParts = parseMaxKeys(q.get('max-parts'), 'max-parts');
  const r = await op.services.engine.multipart.listParts(op.bucket!, op.key!, q.get('uploadId')!, { marker: Number(marker ?? 0), maxParts });
  const owner = { ID: r.upload.ownerId, DisplayName: r.upload.ownerId };
  return {
    status: 200,
    body: {
      root: 'ListPartsResult',
      value: {
        Bucket: op.bucket,
        Key: op.key,
        UploadId: r.upload.uploadId,
        Initiator: owner,
        Owner: owner,
        StorageClass: wireStorageClass(op.vocab, r.upload.storageClass),
        PartNumberMarker: Number(marker ?? 0),
        NextPartNumberMarker: r.nextMarker ?? 0,
        MaxParts: maxParts,
        IsTruncated: r.truncated,
        Part: r.parts.map((p) => ({ PartNumber: p.partNumber, LastModified: iso(p.lastModified), ETag: `"${p.etag}"`, Size: p.size })),
      },
    },
  };
}

export async function listMultipartUploads(op: OpContext): Promise<Reply> {
  const q = op.http.query;
  const enc = encoder(op);
  const maxUploads = parseMaxKeys(q.get('max-uploads'), 'max-uploads');
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const page = await op.services.engine.multipart.listUploads(op.bucket!, {
    prefix,
    delimiter: delimiter || undefined,
    keyMarker: q.get('key-marker'),
    uploadIdMarker: q.get('upload-id-marker'),
    maxUploads,
  });
  const value: Record<string, unknown> = {
    Bucket: op.bucket,
    KeyMarker: enc(q.get('key-marker') ?? ''),
    UploadIdMarker: q.get('upload-id-marker') ?? '',
    NextKeyMarker: page.truncated ? enc(page.nextKeyMarker ?? '') : '',
    NextUploadIdMarker: page.truncated ? (page.nextUploadIdMarker ?? '') : '',
    Prefix: enc(prefix),
  };
  if (delimiter) value.Delimiter = enc(delimiter);
  value.MaxUploads = maxUploads;
  value.IsTruncated = page.truncated;
  if (q.has('encoding-type')) value.EncodingType = 'url';
  value.Upload = page.uploads.map((u) => ({
    Key: enc(u.key),
    UploadId: u.uploadId,
    Initiator: { ID: u.ownerId, DisplayName: u.ownerId },
    Owner: { ID: u.ownerId, DisplayName: u.ownerId },
    StorageClass: wireStorageClass(op.vocab, u.storageClass),
    Initiated: iso(u.initiated),
  }));
  value.CommonPrefixes = page.prefixes.map((p) => ({ Prefix: enc(p) }));
  return { status: 200, body: { root: 'ListMultipartUploadsResult', value } };
}
