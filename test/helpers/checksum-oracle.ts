/**
 * Checksums computed independently of src/digest, for tests: plain byte-wise
 * table CRCs (CRC-32 from node:zlib), node:crypto hashes, and S3's multipart
 * rules written out directly from the AWS documentation.
 */
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';

export type Algorithm = 'crc32' | 'crc32c' | 'crc64nvme' | 'sha1' | 'sha256';

const crc32cTable = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  crc32cTable[i] = c >>> 0;
}

function crc32c(data: Uint8Array): Buffer {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crc32cTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((c ^ 0xffffffff) >>> 0);
  return out;
}

// CRC-64/NVME: reflected polynomial 0x9a6c9329ac4bc9b5, register kept as two 32-bit halves.
const nvmeLo = new Uint32Array(256);
const nvmeHi = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let lo = i;
  let hi = 0;
  for (let k = 0; k < 8; k++) {
    const bit = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    if (bit) {
      lo = (lo ^ 0xac4bc9b5) >>> 0;
      hi = (hi ^ 0x9a6c9329) >>> 0;
    }
  }
  nvmeLo[i] = lo;
  nvmeHi[i] = hi;
}

function crc64nvme(data: Uint8Array): Buffer {
  let lo = 0xffffffff;
  let hi = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    const idx = (lo ^ data[i]) & 0xff;
    lo = (nvmeLo[idx] ^ ((lo >>> 8) | (hi << 24))) >>> 0;
    hi = (nvmeHi[idx] ^ (hi >>> 8)) >>> 0;
  }
  const out = Buffer.alloc(8);
  out.writeUInt32BE(~hi >>> 0, 0);
  out.writeUInt32BE(~lo >>> 0, 4);
  return out;
}

/** The raw digest bytes of `data`. */
export function digest(alg: Algorithm, data: Uint8Array): Buffer {
  switch (alg) {
    case 'crc32': {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(zlib.crc32(data) >>> 0);
      return out;
    }
    case 'crc32c':
      return crc32c(data);
    case 'crc64nvme':
      return crc64nvme(data);
    default:
      return createHash(alg).update(data).digest();
  }
}

/** The x-amz-checksum-* value (base64 of the digest). */
export const checksum = (alg: Algorithm, data: Uint8Array) => digest(alg, data).toString('base64');

/** A composite multipart checksum: the algorithm over the concatenated part digests, then `-N`. */
export function compositeChecksum(alg: Algorithm, parts: Uint8Array[]): string {
  return `${checksum(alg, Buffer.concat(parts.map((p) => digest(alg, p))))}-${parts.length}`;
}

/** A full-object multipart checksum: simply the checksum of all the bytes. */
export const fullObjectChecksum = (alg: Algorithm, parts: Uint8Array[]) => checksum(alg, Buffer.concat(parts));

/** AWS SDK ChecksumAlgorithm names. */
export const SDK_NAME = { crc32: 'CRC32', crc32c: 'CRC32C', crc64nvme: 'CRC64NVME', sha1: 'SHA1', sha256: 'SHA256' } as const;
/** The output member holding each algorithm's value (ChecksumCRC32...). */
export const member = (alg: Algorithm) => `Checksum${SDK_NAME[alg]}` as 'ChecksumCRC32' | 'ChecksumCRC32C' | 'ChecksumCRC64NVME' | 'ChecksumSHA1' | 'ChecksumSHA256';
export const ALGORITHMS: Algorithm[] = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'];
