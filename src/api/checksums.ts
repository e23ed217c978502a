import { combineCrc, decodeChecksum, DigestSet, encodeChecksum, type DigestName, type DigestValues } from '../digest/digest-set.js';
import { StorageError } from '../engine/errors.js';
import type { PartRecord, UploadRecord } from '../meta/types.js';
import { CHECKSUM_ALGORITHMS, wellFormed, type ChecksumAlgorithm, type IncomingBody } from './body.js';
import type { OpContext } from './op-context.js';
import { h, type Vocabulary } from './vocabulary.js';

/**
 * S3 flexible checksums beyond a single body: the checksum an upload is
 * created with, part checksums, and the object checksum of a completed
 * upload, either COMPOSITE (the algorithm over the concatenated binary part
 * checksums, then `-N`) or FULL_OBJECT (the CRC of the whole object, combined
 * from the part CRCs and sizes without reading any data).
 */

export type ChecksumType = 'COMPOSITE' | 'FULL_OBJECT';

export interface UploadChecksum {
  algorithm: ChecksumAlgorithm;
  type: ChecksumType;
}

/** Where an upload's checksum setting lives in UploadRecord.extra. */
export const UPLOAD_CHECKSUM_KEY = 'flexibleChecksum';

const FULL_OBJECT_ALGORITHMS: readonly ChecksumAlgorithm[] = ['crc32', 'crc32c', 'crc64nvme'];
const COMPOSITE_ALGORITHMS: readonly ChecksumAlgorithm[] = ['crc32', 'crc32c', 'sha1', 'sha256'];
const CRCS = ['crc32', 'crc32c', 'crc64nvme'] as const;

const isAlgorithm = (a: string): a is ChecksumAlgorithm => (CHECKSUM_ALGORITHMS as readonly string[]).includes(a);
const invalidRequest = (message: string) => new StorageError('InvalidRequest', message);
/** S3's XML member name for an algorithm: ChecksumCRC32, ChecksumCRC64NVME... */
export const xmlName = (alg: ChecksumAlgorithm) => 'Checksum' + alg.toUpperCase();

/** The flexible checksum stored with an object or part, and its type (a `-N` suffix marks a composite). */
export function flexibleChecksumOf(checksums: Record<string, string>): { alg: ChecksumAlgorithm; value: string; type: ChecksumType } | undefined {
  for (const alg of CHECKSUM_ALGORITHMS) {
    const value = checksums[alg];
    if (value !== undefined) return { alg, value, type: /-\d+$/.test(value) ? 'COMPOSITE' : 'FULL_OBJECT' };
  }
  return undefined;
}

/** GET / HEAD return checksums only when asked (`<prefix>checksum-mode: ENABLED`). */
export function checksumModeEnabled(op: OpContext): boolean {
  return op.http.header(h(op.vocab, 'checksum-mode'))?.toUpperCase() === 'ENABLED';
}

/**
 * The headers a write reports for its stored checksums: the dialect's own
 * (OSS: x-oss-hash-crc64ecma) or S3's `<prefix>checksum-<alg>` and `-type`.
 */
export function checksumHeaders(v: Vocabulary, checksums: Record<string, string>): Record<string, string> {
  if (v.writeChecksumHeaders) return v.writeChecksumHeaders(checksums);
  const c = flexibleChecksumOf(checksums);
  return c ? { [h(v, 'checksum-' + c.alg)]: c.value, [h(v, 'checksum-type')]: c.type } : {};
}

/** Checksum<ALGORITHM> and ChecksumType elements for a stored checksum. */
export function checksumXml(checksums: Record<string, string>, opts: { withoutPartCount?: boolean; withType?: boolean } = {}): Record<string, string> {
  const c = flexibleChecksumOf(checksums);
  if (!c) return {};
  const out: Record<string, string> = { [xmlName(c.alg)]: opts.withoutPartCount ? c.value.replace(/-\d+$/, '') : c.value };
  if (opts.withType !== false) out.ChecksumType = c.type;
  return out;
}

// ---------------------------------------------------------------- uploads

/** The checksum setting CreateMultipartUpload asks for (`<prefix>checksum-algorithm`, `<prefix>checksum-type`). */
export function uploadChecksumFromRequest(op: OpContext): UploadChecksum | undefined {
  const v = op.vocab;
  const algHeader = h(v, 'checksum-algorithm');
  const typeHeader = h(v, 'checksum-type');
  const rawAlg = op.http.header(algHeader);
  const rawType = op.http.header(typeHeader);
  if (rawAlg === undefined) {
    if (rawType !== undefined) throw invalidRequest(`The ${typeHeader} header can only be used with the ${algHeader} header.`);
    return undefined;
  }
  if (rawAlg.includes(',')) throw invalidRequest(`Invalid types are specified in ${algHeader} header.`);
  const algorithm = rawAlg.trim().toLowerCase();
  if (!isAlgorithm(algorithm))
    throw invalidRequest('Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]');
  let type: ChecksumType;
  if (rawType === undefined) type = algorithm === 'crc64nvme' ? 'FULL_OBJECT' : 'COMPOSITE';
  else if (rawType === 'COMPOSITE' || rawType === 'FULL_OBJECT') type = rawType;
  else throw invalidRequest(`Value for ${typeHeader} header is invalid.`);
  const allowed = type === 'FULL_OBJECT' ? FULL_OBJECT_ALGORITHMS : COMPOSITE_ALGORITHMS;
  if (!allowed.includes(algorithm)) throw invalidRequest(`The ${type} checksum type cannot be used with the ${algorithm} checksum algorithm.`);
  return { algorithm, type };
}

export function uploadChecksumOf(u: UploadRecord): UploadChecksum | undefined {
  const c = u.extra[UPLOAD_CHECKSUM_KEY] as UploadChecksum | undefined;
  return c && isAlgorithm(c.algorithm) ? c : undefined;
}

/** The algorithm and type a completed upload's object checksum will have ('null' algorithm: none). */
function effectiveUploadChecksum(v: Vocabulary, u: UploadRecord): { algorithm?: ChecksumAlgorithm; type: ChecksumType | 'null' } {
  const c = uploadChecksumOf(u);
  if (c) return c;
  const d = v.defaultChecksum;
  return d && isAlgorithm(d) ? { algorithm: d, type: 'FULL_OBJECT' } : { type: 'null' };
}

/** The checksums of a part shown to clients (ListParts, UploadPart): the upload's algorithm, else the default. */
export function visiblePartChecksums(v: Vocabulary, u: UploadRecord, part: { checksums: Record<string, string> }, declared?: ChecksumAlgorithm): Record<string, string> {
  const alg = uploadChecksumOf(u)?.algorithm ?? declared ?? effectiveUploadChecksum(v, u).algorithm;
  return alg && part.checksums[alg] !== undefined ? { [alg]: part.checksums[alg] } : {};
}

// ---------------------------------------------------------------- parts

/**
 * What an UploadPart (or UploadPartCopy) computes and keeps, given the
 * upload's checksum setting: the upload's algorithm (which a declared
 * checksum must name; a composite upload requires one), the declared one,
 * and the dialect's default for uploads without a setting, from which a
 * full-object checksum is combined at completion.
 */
export function partChecksumPlan(v: Vocabulary, u: UploadRecord, declared: ChecksumAlgorithm | undefined, copy = false): { digests: DigestName[]; checksums(d: DigestValues): Record<string, string> } {
  const setting = uploadChecksumOf(u);
  const keep = new Set<ChecksumAlgorithm>();
  if (setting) {
    if (declared !== undefined && declared !== setting.algorithm)
      throw invalidRequest(`Checksum Type mismatch occurred, expected checksum Type: ${setting.algorithm}, actual checksum Type: ${declared}`);
    if (declared === undefined && setting.type === 'COMPOSITE' && !copy)
      throw invalidRequest(`Checksum Type mismatch occurred, expected checksum Type: ${setting.algorithm}, actual checksum Type: null`);
    keep.add(setting.algorithm);
  } else {
    if (declared) keep.add(declared);
    const d = v.defaultChecksum;
    if (d && isAlgorithm(d)) keep.add(d);
  }
  return {
    digests: [...keep],
    checksums(d) {
      const out: Record<string, string> = {};
      for (const alg of keep) out[alg] = encodeChecksum(alg, d);
      return out;
    },
  };
}

/** UploadPart: the body's own checks plus the upload's checksum plan. */
export function partBodyOptions(v: Vocabulary, u: UploadRecord, body: IncomingBody) {
  const plan = partChecksumPlan(v, u, body.algorithm);
  return { size: body.size, digests: [...new Set([...body.digests, ...plan.digests])], verify: body.verify, checksums: plan.checksums };
}

// ---------------------------------------------------------------- completion

/** A part as named in a CompleteMultipartUpload document. */
export interface CompletedPartInput {
  partNumber: number;
  etag?: string;
  /** Part checksums by algorithm, as sent. */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

/** Validates the checksum members of one completed part, as S3 does before anything else. */
export function validateCompletedPart(p: CompletedPartInput): void {
  const given = Object.entries(p.checksums) as [ChecksumAlgorithm, string][];
  if (given.length > 1 || given.some(([alg, value]) => !wellFormed(alg, value))) {
    const listed = given
      .map(([alg, value]) => [alg.toUpperCase(), value])
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([alg, value]) => `${alg}:${value};`)
      .join('');
    throw new StorageError('InvalidArgument', 'Invalid Base64 or multiple checksums present in request', { ArgumentName: 'Checksum', ArgumentValue: listed });
  }
}

/** The binary form of a wire checksum, for composites. */
function raw(alg: ChecksumAlgorithm, wire: string): Buffer {
  const v = decodeChecksum(alg, wire);
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === 'bigint') {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(v);
    return b;
  }
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
}

/** COMPOSITE: the algorithm over the concatenated binary part checksums, then `-N`. */
export function compositeChecksum(alg: ChecksumAlgorithm, partValues: string[]): string {
  const set = new DigestSet([alg]);
  for (const value of partValues) set.update(raw(alg, value));
  return `${encodeChecksum(alg, set.finish())}-${partValues.length}`;
}

/** FULL_OBJECT: the CRC of the whole object from the part CRCs and sizes (no data is read). */
export function fullObjectChecksum(alg: (typeof CRCS)[number], parts: { value: string; size: number }[]): string {
  const d: DigestValues = { md5: Buffer.alloc(0) };
  if (alg === 'crc64nvme') {
    let crc = 0n;
    for (const p of parts) crc = combineCrc(alg, crc, decodeChecksum(alg, p.value), p.size);
    d.crc64nvme = crc;
  } else {
    let crc = 0;
    for (const p of parts) crc = combineCrc(alg, crc, decodeChecksum(alg, p.value), p.size);
    d[alg] = crc;
  }
  return encodeChecksum(alg, d);
}

/**
 * The checksum rules of CompleteMultipartUpload. Checks the request headers
 * now (`<prefix>checksum-type` must be the upload's; an object checksum header
 * must be well-formed and of the upload's algorithm), and returns the hook
 * the engine calls with the chosen parts: it checks the part checksums of
 * the request against the stored ones and computes (and checks) the object
 * checksum.
 */
export function completionChecksums(op: OpContext, u: UploadRecord, requested: CompletedPartInput[]): (parts: PartRecord[]) => Record<string, string> {
  const v = op.vocab;
  const http = op.http;
  const setting = uploadChecksumOf(u);
  const effective = effectiveUploadChecksum(v, u);

  const typeHeader = http.header(h(v, 'checksum-type'));
  if (typeHeader !== undefined) {
    if (typeHeader !== 'COMPOSITE' && typeHeader !== 'FULL_OBJECT') throw invalidRequest(`Value for ${h(v, 'checksum-type')} header is invalid.`);
    if (typeHeader !== effective.type)
      throw invalidRequest(`The upload was created using the ${effective.type} checksum mode. The complete request must use the same checksum mode.`);
  }
  const sizeHeader = http.header(h(v, 'mp-object-size'));
  if (sizeHeader !== undefined && !/^\d+$/.test(sizeHeader)) throw invalidRequest(`Value for ${h(v, 'mp-object-size')} header is invalid: '${sizeHeader}'`);

  let expected: { alg: ChecksumAlgorithm; value: string; parts?: number } | undefined;
  for (const alg of CHECKSUM_ALGORITHMS) {
    const name = h(v, 'checksum-' + alg);
    const value = http.header(name);
    if (value === undefined) continue;
    if (expected) throw invalidRequest(`Expecting a single ${h(v, 'checksum-')} header. Multiple checksum Types are not allowed.`);
    const m = /^([^-]*)(?:-(\d+))?$/.exec(value.trim());
    // Malformed (not a digest of the algorithm's size): InvalidRequest as on AWS, not RGW's BadDigest.
    if (!m || !wellFormed(alg, m[1])) throw invalidRequest(`Value for ${name} header is invalid.`);
    expected = { alg, value: m[1], parts: m[2] !== undefined ? Number(m[2]) : undefined };
  }
  if (expected && expected.alg !== effective.algorithm)
    throw invalidRequest(`Checksum Type mismatch occurred, expected checksum Type: ${effective.algorithm ?? 'null'}, actual checksum Type: ${expected.alg}`);

  return (parts) => {
    if (sizeHeader !== undefined) {
      const total = parts.reduce((n, p) => n + p.size, 0);
      if (Number(sizeHeader) !== total) throw invalidRequest(`The provided '${h(v, 'mp-object-size')}' header value ${sizeHeader} does not match what was computed: ${total}`);
    }
    // The request's part checksums against the stored ones.
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      const given = Object.entries(requested[i].checksums) as [ChecksumAlgorithm, string][];
      const invalidPart = () =>
        new StorageError('InvalidPart', undefined, { UploadId: u.uploadId, PartNumber: String(part.partNumber), ETag: (requested[i].etag ?? '').trim().replace(/^"(.*)"$/, '$1') });
      if (!setting) {
        // Without a setting only a checksum the part was actually uploaded with can be named.
        if (given.length && part.checksums[given[0][0]] !== given[0][1]) throw invalidPart();
        continue;
      }
      if (given.length === 0) {
        if (setting.type === 'COMPOSITE')
          throw invalidRequest(
            `The upload was created using a ${setting.algorithm} checksum. The complete request must include the checksum for each part. It was missing for part ${part.partNumber} in the request.`,
          );
        continue;
      }
      const [alg, value] = given[0];
      if (alg !== setting.algorithm) throw new StorageError('BadDigest', `The ${alg} you specified for part ${part.partNumber} did not match what we received.`);
      if (part.checksums[alg] !== value) throw invalidPart();
    }
    const alg = effective.algorithm;
    if (!alg) return {};
    const values = parts.map((p) => p.checksums[alg]);
    // Parts written through another front end may lack it: then the object has none.
    if (values.some((x) => x === undefined)) return {};
    let value: string;
    if (effective.type === 'COMPOSITE') value = compositeChecksum(alg, values as string[]);
    else value = fullObjectChecksum(alg as (typeof CRCS)[number], parts.map((p, i) => ({ value: values[i]!, size: p.size })));
    if (expected) {
      const [base, count] = value.split('-');
      if (expected.value !== base || (expected.parts !== undefined && String(expected.parts) !== count))
        throw new StorageError('BadDigest', `The ${alg} you specified did not match the calculated checksum.`);
    }
    return { [alg]: value };
  };
}
