import type { ByteRange } from '../../blob/store.js';
import { parseRange } from '../../api/range.js';

/**
 * OSS's Range rules. By default a range OSS cannot serve exactly (bad
 * syntax, an end past the object, a start past the object, a suffix longer
 * than the object) is ignored and the whole object is sent with 200; of
 * several ranges only the first counts. With `x-oss-range-behavior:
 * standard` an end past the object is clamped and a start past it is 416
 * InvalidRange, as in HTTP (and S3).
 */
export function ossRange(header: string | undefined, size: number, standard: boolean): ByteRange | undefined {
  if (!header) return undefined;
  const first = header.trim().split(',')[0]!.trim();
  if (standard) return parseRange(first, size);
  const m = /^bytes=(\d*)-(\d*)$/.exec(first);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    return suffix > 0 && suffix <= size ? { start: size - suffix, end: size - 1 } : undefined;
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Number(m[2]);
  return start <= end && end < size ? { start, end } : undefined;
}
