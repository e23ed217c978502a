import { httpDate } from './dates.js';
import { checkConditions } from '../engine/conditions.js';
import { isStorageError, StorageError } from '../engine/errors.js';
import { followSymlink } from '../engine/symlink.js';
import type { Reply } from '../http/reply.js';
import { objectHeaders, responseOverrides } from './meta-headers.js';
import type { OpContext } from './op-context.js';
import { parseRange } from './range.js';
import { checksumModeEnabled, flexibleChecksumOf } from './checksums.js';
import { expirationHeader } from './lifecycle.js';
import { assertRestored, restoreHeaders } from './restore.js';

/** Bodies up to this size are read whole and sent in one write: faster for small objects. */
const SMALL_BODY = 64 * 1024;

/** GetObject and HeadObject: version selection, preconditions, a single range, response overrides. */
export async function getObject(op: OpContext, head: boolean): Promise<Reply> {
  const { engine } = op.services;
  const http = op.http;
  const q = http.query;
  const versionId = q.get('versionId');
  const read = await engine.readVersion(op.bucket!, op.key!, versionId, head ? 'HEAD' : 'GET');
  const bucket = read.bucket;
  // A symlink (OSS) serves its target's data.
  const o = await followSymlink(engine, read.object);
  // An archived object's data waits for a restore; HEAD reports the class and the restore.
  if (!head) assertRestored(o);
  try {
    checkConditions(
      {
        ifMatch: http.header('if-match'),
        ifNoneMatch: http.header('if-none-match'),
        ifModifiedSince: http.header('if-modified-since'),
        ifUnmodifiedSince: http.header('if-unmodified-since'),
      },
      o,
    );
  } catch (e) {
    // A 304 still names the version the client holds (RFC 9110 15.4.5), as S3 does.
    if (isStorageError(e) && e.code === 'NotModified') Object.assign(e.headers, { etag: `"${o.etag}"`, 'last-modified': httpDate(o.lastModified) });
    throw e;
  }
  const headers: Record<string, string | number> = objectHeaders(o, op.vocab, bucket.versioning !== 'Unversioned');
  Object.assign(headers, responseOverrides((p) => q.get(p)), await expirationHeader(op, read.object, bucket), restoreHeaders(op, o));
  if (q.has('partNumber')) {
    const pn = q.get('partNumber')!;
    if (!/^\d+$/.test(pn) || Number(pn) < 1 || Number(pn) > 10000) throw new StorageError('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', { ArgumentName: 'partNumber', ArgumentValue: pn });
  }
  if (q.has('partNumber') && http.header('range') !== undefined)
    throw new StorageError('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter');
  let range = op.vocab.parseRange ? op.vocab.parseRange(http.header('range'), o.size, http) : parseRange(http.header('range'), o.size);
  // What the checksum headers describe: the object, or the part asked for.
  let checksums: Record<string, string> | undefined = o.checksums;
  if (q.has('partNumber')) {
    const n = Number(q.get('partNumber'));
    const multipart = o.objectType === 'Multipart' && o.segmentCount > 0;
    const parts = multipart ? await engine.segmentsOf(o) : [{ size: o.size, checksums: o.checksums }];
    // AWS answers a part number beyond the object's parts with 416 InvalidPartNumber; RGW (and
    // s3-tests' *_get_part cases) with 400 InvalidPart. We follow AWS.
    if (n > parts.length) throw new StorageError('InvalidPartNumber');
    let start = 0;
    for (let i = 0; i < n - 1; i++) start += parts[i].size;
    range = parts[n - 1].size > 0 ? { start, end: start + parts[n - 1].size - 1 } : undefined;
    if (multipart) {
      headers[op.vocab.prefix + 'mp-parts-count'] = parts.length;
      const whole = flexibleChecksumOf(o.checksums);
      checksums = whole ? { [whole.alg]: parts[n - 1].checksums[whole.alg] } : undefined;
    }
  } else if (range && (range.start > 0 || range.end < o.size - 1)) checksums = undefined; // a partial range has no checksum
  if (checksums && checksumModeEnabled(op)) {
    const whole = flexibleChecksumOf(o.checksums);
    const value = whole && checksums[whole.alg];
    if (whole && value !== undefined) Object.assign(headers, { [op.vocab.prefix + 'checksum-' + whole.alg]: value, [op.vocab.prefix + 'checksum-type']: whole.type });
  }
  let status = 200;
  if (range) {
    status = 206;
    headers['content-range'] = `bytes ${range.start}-${range.end}/${o.size}`;
    headers['content-length'] = range.end - range.start + 1;
  } else {
    headers['content-length'] = o.size;
  }
  if (head || o.size === 0) return { status, headers };
  const length = range ? range.end - range.start + 1 : o.size;
  const body = length <= SMALL_BODY ? await engine.readSmall(o, range) : await engine.openData(o, range);
  return { status, headers, body };
}
