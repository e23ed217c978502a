import { incomingBody } from '../../api/body.js';
import { metaFromRequest } from '../../api/meta-headers.js';
import { expireDaysFrom } from '../../api/object-expiry.js';
import { storageClassFrom } from '../../api/objects-write.js';
import type { OpContext } from '../../api/op-context.js';
import { tagsFromQuery } from '../../api/tagging.js';
import { h } from '../../api/vocabulary.js';
import { appendObject as engineAppend } from '../../engine/append.js';
import { StorageError, isStorageError } from '../../engine/errors.js';
import type { Reply } from '../../http/reply.js';
import { OBS_MAX_APPENDS } from './vocabulary.js';

/** Archive classes cannot be appended to (OBS answers ObjectNotAppendable). */
const NOT_APPENDABLE_CLASSES = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/**
 * AppendObject (POST ?append&position=N): the engine's append shared with
 * OSS, with OBS's limits (10000 appends, 5 GB) and answers. The ETag is the
 * MD5 of this append's data; `x-obs-next-append-position` is the new length
 * (the SDKs read that name in both modes).
 */
export async function appendObject(op: OpContext): Promise<Reply> {
  const { engine } = op.services;
  const http = op.http;
  const raw = http.query.get('position') || '0';
  if (!/^\d{1,16}$/.test(raw)) throw new StorageError('InvalidArgument', 'The value of position is invalid', { ArgumentName: 'position', ArgumentValue: raw });
  const b = await engine.getBucket(op.bucket!);
  const storageClass = storageClassFrom(op);
  if (NOT_APPENDABLE_CLASSES.has(storageClass ?? (await engine.bucketSetting(b, 'storageClass'))))
    throw new StorageError('ObjectNotAppendable', 'Objects of an archive storage class cannot be appended to');
  const body = incomingBody(op);
  let md5 = '';
  try {
    const r = await engineAppend(engine, op.caller, op.bucket!, op.key!, Number(raw), body.source, {
      meta: metaFromRequest(http, op.vocab),
      storageClass,
      tags: tagsFromQuery(http.header(h(op.vocab, 'tagging'))),
      size: body.size,
      digests: body.digests,
      extra: op.vocab.extraFromRequest?.(op),
      expireDays: expireDaysFrom(op),
      maxAppends: OBS_MAX_APPENDS,
      verify: (d, n) => {
        body.verify(d, n);
        md5 = d.md5.toString('hex');
      },
    });
    const next = String(r.nextPosition);
    return { status: 200, headers: { etag: `"${md5}"`, 'x-obs-next-append-position': next, [h(op.vocab, 'next-append-position')]: next } };
  } catch (e) {
    if (isStorageError(e) && e.code === 'EntityTooLarge') throw new StorageError('AppendTooLarge', undefined, e.detail, e.headers);
    throw e;
  }
}
