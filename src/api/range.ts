import { StorageError } from '../engine/errors.js';
import type { ByteRange } from '../blob/store.js';

/**
 * A single `bytes=` range against an object of `size` bytes. Syntactically
 * invalid or multi-range headers are ignored (the whole object is served), as
 * S3 does; a well-formed range that starts past the end is InvalidRange.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const unsatisfiable = () =>
    new StorageError('InvalidRange', undefined, { RangeRequested: header, ActualObjectSize: String(size) }, { 'content-range': `bytes */${size}` });
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) throw unsatisfiable();
  return { start, end };
}

/** S3's rules, except that an unsatisfiable range serves the whole object (200) instead of 416 (OBS). */
export function parseRangeOrWhole(header: string | undefined, size: number): ByteRange | undefined {
  try {
    return parseRange(header, size);
  } catch {
    return undefined;
  }
}
