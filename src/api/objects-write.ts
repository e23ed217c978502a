import { StorageError } from '../engine/errors.js';
import type { Reply } from '../http/reply.js';
import { incomingBody } from './body.js';
import { checksumHeaders } from './checksums.js';
import { metaFromRequest } from './meta-headers.js';
import type { OpContext } from './op-context.js';
import { tagsFromQuery } from './tagging.js';
import { flexibleChecksums, h, neutralStorageClass } from './vocabulary.js';
import { xmlDate } from './dates.js';
import { expirationHeader } from './lifecycle.js';
import { expireDaysFrom } from './object-expiry.js';
import { withWebsiteRedirect } from '../website/redirect-location.js';


export function storageClassFrom(op: OpContext): string | undefined {
  const sc = op.http.header(h(op.vocab, 'storage-class'));
  if (sc === undefined) return undefined;
  const neutral = neutralStorageClass(op.vocab, sc);
  if (neutral === undefined) throw new StorageError('InvalidStorageClass', 'The storage class you specified is not valid', { StorageClassRequested: sc });
  return neutral;
}

export async function putObject(op: OpContext): Promise<Reply> {
  const http = op.http;
  const meta = metaFromRequest(http, op.vocab);
  const storageClass = storageClassFrom(op);
  const tags = tagsFromQuery(http.header(h(op.vocab, 'tagging')));
  const body = incomingBody(op);
  const o = await op.services.engine.putObject(op.caller, op.bucket!, op.key!, body.source, {
    meta,
    storageClass,
    tags,
    extra: withWebsiteRedirect(op, op.vocab.extraFromRequest?.(op)),
    expireDays: expireDaysFrom(op),
    size: body.size,
    digests: body.digests,
    verify: body.verify,
    checksums: body.checksums,
    ifMatch: http.header('if-match'),
    ifNoneMatch: http.header('if-none-match'),
  });
  const headers: Record<string, string> = { etag: `"${o.etag}"` };
  if (o.versionId !== 'null') headers[h(op.vocab, 'version-id')] = o.versionId;
  Object.assign(headers, checksumHeaders(op.vocab, o.checksums), await expirationHeader(op, o));
  return { status: 200, headers };
}

/** Parses `x-amz-copy-source`: `[/]bucket/key[?versionId=id]`, URL-encoded. */
export function parseCopySource(raw: string): { bucket: string; key: string; versionId?: string } {
  let path = raw;
  let versionId: string | undefined;
  const q = raw.indexOf('?');
  if (q >= 0) {
    path = raw.slice(0, q);
    const params = new URLSearchParams(raw.slice(q + 1));
    versionId = params.get('versionId') ?? undefined;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw new StorageError('InvalidArgument', 'Invalid copy source encoding', { ArgumentName: 'x-amz-copy-source', ArgumentValue: raw });
  }
  if (decoded.startsWith('/')) decoded = decoded.slice(1);
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1)
    throw new StorageError('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', { ArgumentName: 'x-amz-copy-source', ArgumentValue: raw });
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), versionId };
}

/** The copy source a header names, or undefined when it is malformed (the copying operation refuses it). */
export function tryParseCopySource(raw: string): { bucket: string; key: string; versionId?: string } | undefined {
  try {
    return parseCopySource(raw);
  } catch {
    return undefined;
  }
}

function directive(op: OpContext, name: string): 'COPY' | 'REPLACE' {
  const v = op.http.header(h(op.vocab, name));
  if (v === undefined || v === 'COPY') return 'COPY';
  if (v === 'REPLACE') return 'REPLACE';
  throw new StorageError('InvalidArgument', `Unknown ${name.replace('-directive', '')} directive.`, { ArgumentName: h(op.vocab, name), ArgumentValue: v });
}

export async function copyObject(op: OpContext): Promise<Reply> {
  const http = op.http;
  const v = op.vocab;
  const src = parseCopySource(http.header(h(v, 'copy-source'))!);
  const metadataDirective = directive(op, 'metadata-directive');
  const taggingDirective = directive(op, 'tagging-directive');
  const expireDays = expireDaysFrom(op);
  const { source, target, sourceBucket } = await op.services.engine.copyObject(
    op.caller,
    src,
    { bucket: op.bucket!, key: op.key! },
    {
      sourceVersionId: src.versionId,
      sourceConditionsAsRead: v.copySourceNotModified,
      sourceConditions: {
        ifMatch: http.header(h(v, 'copy-source-if-match')),
        ifNoneMatch: http.header(h(v, 'copy-source-if-none-match')),
        ifModifiedSince: http.header(h(v, 'copy-source-if-modified-since')),
        ifUnmodifiedSince: http.header(h(v, 'copy-source-if-unmodified-since')),
      },
      metadataDirective,
      meta: metadataDirective === 'REPLACE' ? metaFromRequest(http, v) : undefined,
      storageClass: storageClassFrom(op),
      taggingDirective,
      tags: taggingDirective === 'REPLACE' ? (tagsFromQuery(http.header(h(v, 'tagging'))) ?? null) : undefined,
      extra: v.extraFromRequest?.(op),
      expireDays,
      ifMatch: http.header('if-match'),
      ifNoneMatch: http.header('if-none-match'),
    },
  );
  const headers: Record<string, string> = {};
  if (source.versionId !== 'null' || sourceBucket.versioning !== 'Unversioned') headers[h(v, 'copy-source-version-id')] = source.versionId;
  if (target.versionId !== 'null') headers[h(v, 'version-id')] = target.versionId;
  if (v.writeChecksumHeaders) Object.assign(headers, v.writeChecksumHeaders(target.checksums));
  const result: Record<string, unknown> = { LastModified: xmlDate(target.lastModified), ETag: `"${target.etag}"` };
  for (const [alg, value] of Object.entries(flexibleChecksums(target.checksums))) result['Checksum' + alg.toUpperCase()] = value;
  return { status: 200, headers, body: { root: 'CopyObjectResult', value: result } };
}
