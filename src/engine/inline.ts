import { DigestSet, type DigestName, type DigestValues } from '../digest/digest-set.js';
import { StorageError } from './errors.js';

/**
 * Objects of at most this many bytes keep their data in the metadata store
 * (as MinIO keeps small objects inside xl.meta): the commit that makes the
 * version visible also makes its bytes durable, so a small PUT costs one
 * (group-committed) fsync instead of a file, its fsync, a rename and a
 * directory fsync, and a small GET opens no file. The bound keeps the body
 * a request may hold in memory small.
 */
export const INLINE_MAX = 64 * 1024;

export interface InlineBody {
  data: Buffer;
  size: number;
  digests: DigestValues;
}

/** Whether a body of this declared length is kept inline (a length not declared is streamed to a blob). */
export function fitsInline(expectedSize: number | undefined, maxSize: number): expectedSize is number {
  return expectedSize !== undefined && expectedSize <= INLINE_MAX && expectedSize <= maxSize;
}

/**
 * Reads a small body of a declared length whole, with its digests, failing
 * as a blob write does: IncompleteBody when it is longer or shorter than declared.
 */
export async function readInline(source: AsyncIterable<Buffer>, expectedSize: number, digests: Iterable<DigestName>): Promise<InlineBody> {
  const digest = new DigestSet(digests);
  const data = Buffer.allocUnsafe(expectedSize);
  let size = 0;
  for await (const chunk of source) {
    if (size + chunk.length > expectedSize) throw new StorageError('IncompleteBody', 'The request body is longer than its declared length');
    chunk.copy(data, size);
    size += chunk.length;
    digest.update(chunk);
  }
  if (size !== expectedSize) throw new StorageError('IncompleteBody');
  return { data, size, digests: digest.finish() };
}
