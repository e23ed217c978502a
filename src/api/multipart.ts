import { withWebsiteRedirect } from '../website/redirect-location.js';
import { isStorageError, StorageError } from '../engine/errors.js';
import { invalidCopyRange } from '../engine/multipart.js';
import type { Reply } from '../http/reply.js';
import type { ObjectRecord, UploadRecord } from '../meta/types.js';
import { CHECKSUM_ALGORITHMS, incomingBody, readVerifiedBody, type ChecksumAlgorithm } from './body.js';
import {
  checksumXml,
  completionChecksums,
  partBodyOptions,
  partChecksumPlan,
  UPLOAD_CHECKSUM_KEY,
  uploadChecksumFromRequest,
  uploadChecksumOf,
  validateCompletedPart,
  visiblePartChecksums,
  xmlName,
  type CompletedPartInput,
} from './checksums.js';
import { encoder } from './list-objects.js';
import { countParam, listParam, partNumberMarker } from './list-params.js';
import { metaFromRequest } from './meta-headers.js';
import { expireDaysFrom } from './object-expiry.js';
import { parseCopySource, storageClassFrom } from './objects-write.js';
import type { OpContext } from './op-context.js';
import { tagsFromQuery } from './tagging.js';
import { h, wireStorageClass } from './vocabulary.js';
import { asArray, parseXmlBody } from './xml.js';
import { xmlDate } from './dates.js';


function partNumberOf(op: OpContext): number {
  const raw = op.http.query.get('partNumber') ?? '';
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 10000)
    throw new StorageError('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', { ArgumentName: 'partNumber', ArgumentValue: raw });
  return Number(raw);
}

/** Checksum headers of a part's reply (UploadPart), from the checksums shown for it. */
function partChecksumHeaders(op: OpContext, checksums: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [alg, value] of Object.entries(checksums)) out[h(op.vocab, 'checksum-' + alg)] = value;
  return out;
}

export async function createMultipartUpload(op: OpContext): Promise<Reply> {
  const checksum = uploadChecksumFromRequest(op);
  const u = await op.services.engine.multipart.create(op.caller, op.bucket!, op.key!, {
    meta: metaFromRequest(op.http, op.vocab),
    storageClass: storageClassFrom(op),
    tags: tagsFromQuery(op.http.header(h(op.vocab, 'tagging'))),
    extra: { ...(withWebsiteRedirect(op, op.vocab.extraFromRequest?.(op)) ?? {}), ...(checksum ? { [UPLOAD_CHECKSUM_KEY]: checksum } : {}) },
    expireDays: expireDaysFrom(op),
  });
  const headers: Record<string, string> = {};
  if (checksum) {
    headers[h(op.vocab, 'checksum-algorithm')] = checksum.algorithm.toUpperCase();
    headers[h(op.vocab, 'checksum-type')] = checksum.type;
  }
  return { status: 200, headers, body: { root: 'InitiateMultipartUploadResult', value: { Bucket: op.bucket, Key: op.key, UploadId: u.uploadId } } };
}

export async function uploadPart(op: OpContext): Promise<Reply> {
  const { multipart } = op.services.engine;
  const uploadId = op.http.query.get('uploadId')!;
  const partNumber = partNumberOf(op);
  const body = incomingBody(op, { defaultChecksum: false });
  const upload = await multipart.getUpload(op.bucket!, op.key!, uploadId);
  const part = await multipart.uploadPart(op.caller, op.bucket!, op.key!, uploadId, partNumber, body.source, partBodyOptions(op.vocab, upload, body));
  const shown = uploadChecksumOf(upload) || body.algorithm ? visiblePartChecksums(op.vocab, upload, part, body.algorithm) : {};
  const checksums = op.vocab.writeChecksumHeaders ? op.vocab.writeChecksumHeaders(part.checksums) : partChecksumHeaders(op, shown);
  return { status: 200, headers: { etag: `"${part.etag}"`, ...checksums } };
}

function copyRange(v: string | undefined) {
  if (v === undefined) return undefined;
  const m = /^bytes=(\d+)-(\d+)$/.exec(v.trim());
  if (!m || Number(m[1]) > Number(m[2])) throw invalidCopyRange(v);
  return { start: Number(m[1]), end: Number(m[2]) };
}

export async function uploadPartCopy(op: OpContext): Promise<Reply> {
  const http = op.http;
  const v = op.vocab;
  const { multipart } = op.services.engine;
  const uploadId = http.query.get('uploadId')!;
  const partNumber = partNumberOf(op);
  const src = parseCopySource(http.header(h(v, 'copy-source'))!);
  const range = copyRange(http.header(h(v, 'copy-source-range')));
  const upload = await multipart.getUpload(op.bucket!, op.key!, uploadId);
  // The part's checksum is computed from the copied bytes for the upload's algorithm.
  const plan = partChecksumPlan(v, upload, undefined, true);
  const { part, source } = await multipart.uploadPartCopy(op.caller, op.bucket!, op.key!, uploadId, partNumber, src, {
    range,
    conditions: {
      ifMatch: http.header(h(v, 'copy-source-if-match')),
      ifNoneMatch: http.header(h(v, 'copy-source-if-none-match')),
      ifModifiedSince: http.header(h(v, 'copy-source-if-modified-since')),
      ifUnmodifiedSince: http.header(h(v, 'copy-source-if-unmodified-since')),
    },
    digests: plan.digests,
    checksums: plan.checksums,
    conditionsAsRead: v.copySourceNotModified,
  });
  // The part's ETag also as a header: OSS clients read it there.
  const headers: Record<string, string> = { etag: `"${part.etag}"` };
  if (v.writeChecksumHeaders) Object.assign(headers, v.writeChecksumHeaders(part.checksums));
  if (source.versionId !== 'null') headers[h(v, 'copy-source-version-id')] = source.versionId;
  const result: Record<string, unknown> = { LastModified: xmlDate(part.lastModified), ETag: `"${part.etag}"` };
  if (uploadChecksumOf(upload)) Object.assign(result, checksumXml(visiblePartChecksums(v, upload, part), { withType: false }));
  return { status: 200, headers, body: { root: 'CopyPartResult', value: result } };
}

/** The Part elements of a CompleteMultipartUpload document. */
function completedParts(doc: Record<string, unknown>): CompletedPartInput[] {
  return asArray(doc.Part as Record<string, unknown> | Record<string, unknown>[] | undefined).map((p) => {
    if (typeof p !== 'object' || p === null || typeof p.PartNumber !== 'string' || !/^\d+$/.test(p.PartNumber)) throw new StorageError('MalformedXML');
    const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
    for (const alg of CHECKSUM_ALGORITHMS) {
      const value = p[xmlName(alg)];
      if (typeof value === 'string') checksums[alg] = value;
    }
    return { partNumber: Number(p.PartNumber), etag: typeof p.ETag === 'string' ? p.ETag : undefined, checksums };
  });
}

export async function completeMultipartUpload(op: OpContext): Promise<Reply> {
  const { multipart } = op.services.engine;
  const uploadId = op.http.query.get('uploadId')!;
  // Checksum headers here describe the object, not this XML document.
  const doc = parseXmlBody(await readVerifiedBody(op, 4 * 1024 * 1024, { objectChecksums: true }), 'CompleteMultipartUpload');
  const parts = completedParts(doc);
  for (const p of parts) validateCompletedPart(p);
  let upload: UploadRecord | undefined;
  let retried: ObjectRecord | undefined;
  try {
    upload = await multipart.getUpload(op.bucket!, op.key!, uploadId);
  } catch (e) {
    // A retry of a completion that succeeded answers as the first did; otherwise NoSuchUpload.
    if (!(isStorageError(e) && e.code === 'NoSuchUpload') || !(retried = await multipart.completedFrom(op.bucket!, op.key!, uploadId, parts))) throw e;
  }
  const o =
    retried ??
    (await multipart.complete(op.caller, op.bucket!, op.key!, uploadId, parts, {
      ifMatch: op.http.header('if-match'),
      ifNoneMatch: op.http.header('if-none-match'),
      checksums: completionChecksums(op, upload!, parts),
      // The upload's checksum setting is not a property of the object.
      extra: { [UPLOAD_CHECKSUM_KEY]: undefined },
      minPartSize: op.vocab.minPartSize,
    }));
  // The object's ETag also as a header: OSS clients read it there.
  const headers: Record<string, string> = { etag: `"${o.etag}"` };
  if (op.vocab.writeChecksumHeaders) Object.assign(headers, op.vocab.writeChecksumHeaders(o.checksums));
  if (o.versionId !== 'null') headers[h(op.vocab, 'version-id')] = o.versionId;
  const host = op.http.header('host') ?? 'localhost';
  return {
    status: 200,
    headers,
    body: {
      root: 'CompleteMultipartUploadResult',
      value: {
        Location: `http://${host}/${op.bucket}/${encodeURIComponent(op.key!)}`,
        Bucket: op.bucket,
        Key: op.key,
        ETag: `"${o.etag}"`,
        ...checksumXml(o.checksums),
      },
    },
  };
}

export async function abortMultipartUpload(op: OpContext): Promise<Reply> {
  await op.services.engine.multipart.abort(op.bucket!, op.key!, op.http.query.get('uploadId')!);
  return { status: 204 };
}

export async function listParts(op: OpContext): Promise<Reply> {
  const q = op.http.query;
  const marker = partNumberMarker(q);
  const maxParts = countParam(q, 'max-parts');
  const r = await op.services.engine.multipart.listParts(op.bucket!, op.key!, q.get('uploadId')!, { marker, maxParts });
  const owner = { ID: r.upload.ownerId, DisplayName: (await op.services.directory.accountById(r.upload.ownerId))?.displayName ?? r.upload.ownerId };
  const setting = uploadChecksumOf(r.upload);
  const value: Record<string, unknown> = {
    Bucket: op.bucket,
    Key: op.key,
    UploadId: r.upload.uploadId,
    PartNumberMarker: marker,
    NextPartNumberMarker: r.nextMarker ?? 0,
    MaxParts: maxParts,
    IsTruncated: r.truncated,
    Part: r.parts.map((p) => ({
      PartNumber: p.partNumber,
      LastModified: xmlDate(p.lastModified),
      ETag: `"${p.etag}"`,
      Size: p.size,
      ...checksumXml(visiblePartChecksums(op.vocab, r.upload, p), { withType: false }),
    })),
    Initiator: owner,
    Owner: owner,
    StorageClass: wireStorageClass(op.vocab, r.upload.storageClass),
  };
  if (setting) {
    value.ChecksumAlgorithm = setting.algorithm.toUpperCase();
    value.ChecksumType = setting.type;
  }
  return { status: 200, body: { root: 'ListPartsResult', value } };
}

export async function listMultipartUploads(op: OpContext): Promise<Reply> {
  const q = op.http.query;
  const enc = encoder(op);
  const maxUploads = countParam(q, 'max-uploads');
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const page = await op.services.engine.multipart.listUploads(op.bucket!, {
    prefix,
    delimiter: delimiter || undefined,
    keyMarker: listParam(q, 'key-marker'),
    uploadIdMarker: listParam(q, 'upload-id-marker'),
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
  // Owner and Initiator carry the account's display name (the id where the directory knows none).
  const names = new Map<string, string>();
  for (const id of new Set(page.uploads.map((u) => u.ownerId))) names.set(id, (await op.services.directory.accountById(id))?.displayName ?? id);
  value.Upload = page.uploads.map((u) => {
    const setting = uploadChecksumOf(u);
    const owner = { ID: u.ownerId, DisplayName: names.get(u.ownerId) ?? u.ownerId };
    return {
      Key: enc(u.key),
      UploadId: u.uploadId,
      Initiator: owner,
      Owner: owner,
      StorageClass: wireStorageClass(op.vocab, u.storageClass),
      Initiated: xmlDate(u.initiated),
      ...(setting ? { ChecksumAlgorithm: setting.algorithm.toUpperCase(), ChecksumType: setting.type } : {}),
    };
  });
  value.CommonPrefixes = page.prefixes.map((p) => ({ Prefix: enc(p) }));
  return { status: 200, body: { root: 'ListMultipartUploadsResult', value } };
}
