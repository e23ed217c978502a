import { encodeChecksum, type DigestName, type DigestValues } from '../digest/digest-set.js';

/**
 * Every write computes the data's CRC-64/ECMA-182 in its single hashing
 * pass (the native digest costs next to nothing) and stores it with the
 * object or part, so any dialect can report it (OSS / COS
 * x-*-hash-crc64ecma) whichever dialect wrote the data, and a multipart
 * object's CRC is combined from its parts without a second read.
 */
export function withCrc64(digests?: Iterable<DigestName>): DigestName[] {
  const out = new Set<DigestName>(digests ?? []);
  out.add('crc64ecma');
  return [...out];
}

/** The stored checksums plus the CRC-64/ECMA-182 (unsigned decimal, as OSS and COS send it). */
export function withCrc64Checksum(checksums: Record<string, string>, values: DigestValues): Record<string, string> {
  return values.crc64ecma === undefined ? checksums : { ...checksums, crc64ecma: encodeChecksum('crc64ecma', values) };
}
