export {
  DigestSet,
  DIGEST_NAMES,
  isDigestName,
  createDigester,
  encodeChecksum,
  decodeChecksum,
  checksumMatches,
  combineCrc,
  crc32Combine,
  crc32cCombine,
  crc64Combine,
  type DigestName,
  type DigestValues,
  type Digester,
  type EncodeOptions,
} from './digest-set.js';
export {
  Crc64,
  crc64,
  crc64Backend,
  crc64ToBase64,
  crc64FromBase64,
  crc64NativeLoad,
  CRC64_CHECK,
  CRC64_POLY_REFLECTED,
  type Crc64Kind,
} from './crc64.js';
export { measureDigestThroughput, measureDigestSetThroughput } from './throughput.js';
