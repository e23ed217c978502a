import { Readable } from 'node:stream';
import { AwsChunkedDecoder } from '../auth/aws-chunked.js';
import type { DigestName, DigestValues } from '../digest/digest-set.js';
import { encodeChecksum } from '../digest/digest-set.js';
import { StorageError } from '../engine/errors.js';
import { requestBody } from '../http/body.js';
import type { OpContext } from './op-context.js';
import { h } from './vocabulary.js';

/** Flexible-checksum algorithms as they appear in `x-amz-checksum-<name>`. */
export const CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export interface IncomingBody {
  source: AsyncIterable<Buffer>;
  /** The object's length as declared (Content-Length, or the decoded length of an aws-chunked body). */
  size?: number;
  digests: DigestName[];
  /** Checks every digest the request declared; throws to reject the write. */
  verify(d: DigestValues, size: number): void;
  /** The checksums to store and return (wire form, by algorithm). */
  checksums(d: DigestValues): Record<string, string>;
}

function decodeContentMd5(v: string): Buffer {
  const b = Buffer.from(v, 'base64');
  if (b.length !== 16 || b.toString('base64') !== v.trim()) throw new StorageError('InvalidDigest');
  return b;
}

/**
 * The request body of a write, with everything the client asked us to verify:
 * Content-MD5, the signed payload hash, aws-chunked framing and chunk
 * signatures, and flexible checksums in headers or trailers. Digests are all
 * computed in the blob store's single pass; nothing is read twice.
 */
export function incomingBody(op: OpContext, opts: { requireLength?: boolean } = {}): IncomingBody {
  const http = op.http;
  const v = op.vocab;
  const digests = new Set<DigestName>(['md5']);
  const checks: ((d: DigestValues, size: number) => void)[] = [];

  const md5Header = http.header('content-md5');
  if (md5Header !== undefined) {
    const expected = decodeContentMd5(md5Header);
    checks.push((d) => {
      if (!d.md5.equals(expected)) throw new StorageError('BadDigest', undefined, { ExpectedDigest: md5Header, CalculatedDigest: d.md5.toString('base64') });
    });
  }

  let source: AsyncIterable<Buffer> = requestBody(http.req, op.services.settings.bodyIdleMs);
  let size: number | undefined;
  const contentLength = http.header('content-length');
  if (contentLength !== undefined) {
    if (!/^\d+$/.test(contentLength)) throw new StorageError('InvalidArgument', 'Content-Length is not a number');
    size = Number(contentLength);
  }

  const p = op.payload;
  let decoder: AwsChunkedDecoder | undefined;
  if (p.kind === 'sha256') {
    digests.add('sha256');
    checks.push((d) => {
      if (d.sha256!.toString('hex') !== p.expected)
        throw new StorageError('XAmzContentSHA256Mismatch', undefined, { ClientComputedContentSHA256: p.expected, S3ComputedContentSHA256: d.sha256!.toString('hex') });
    });
  } else if (p.kind === 'chunked') {
    const decoded = http.header(h(v, 'decoded-content-length'));
    if (decoded === undefined || !/^\d+$/.test(decoded)) throw new StorageError('MissingContentLength', 'You must provide the x-amz-decoded-content-length header.');
    size = Number(decoded);
    const chunked = new AwsChunkedDecoder({
      signed: p.signed,
      trailer: p.trailer,
      seedSignature: p.seedSignature,
      signingKey: p.signingKey,
      amzDate: p.amzDate,
      scope: p.scope,
      decodedLength: size,
    });
    decoder = chunked;
    // The body flows into the decoder as soon as it is piped, before anyone reads the decoder: a
    // failure (a bad chunk signature, a dropped connection) must not become an unhandled 'error',
    // and pipe() does not pass the connection's failure on. The reader gets it from the decoder,
    // which stays errored.
    const upstream = Readable.from(source);
    upstream.on('error', (e) => chunked.destroy(e));
    chunked.on('error', () => undefined);
    source = upstream.pipe(chunked);
  }
  if (size === undefined && opts.requireLength !== false && http.header('transfer-encoding') === undefined) {
    throw new StorageError('MissingContentLength');
  }

  // Flexible checksums: from a header now, or from the trailer once the body has ended.
  const stored: ChecksumAlgorithm[] = [];
  const declaredTrailer = (http.header(h(v, 'trailer')) ?? '').toLowerCase().trim();
  for (const alg of CHECKSUM_ALGORITHMS) {
    const name = h(v, 'checksum-' + alg);
    const fromHeader = http.header(name);
    const inTrailer = declaredTrailer === name;
    if (fromHeader === undefined && !inTrailer) continue;
    digests.add(alg);
    stored.push(alg);
    checks.push((d) => {
      const expected = fromHeader ?? decoder?.trailers[name];
      if (expected === undefined) throw new StorageError('InvalidRequest', `The ${name} trailer was declared but not sent.`);
      const actual = encodeChecksum(alg, d);
      if (expected !== actual) throw new StorageError('BadDigest', `The ${alg.toUpperCase()} you specified did not match the calculated checksum.`);
    });
  }
  const sdkAlg = http.header(h(v, 'sdk-checksum-algorithm'))?.toLowerCase();
  if (sdkAlg !== undefined && !(CHECKSUM_ALGORITHMS as readonly string[]).includes(sdkAlg))
    throw new StorageError('InvalidRequest', 'Value for x-amz-sdk-checksum-algorithm header is invalid.');
  if (stored.length > 1) throw new StorageError('InvalidRequest', 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');

  return {
    source,
    size,
    digests: [...digests],
    verify(d, n) {
      for (const c of checks) c(d, n);
    },
    checksums(d) {
      const out: Record<string, string> = {};
      for (const alg of stored) out[alg] = encodeChecksum(alg, d);
      return out;
    },
  };
}

/**
 * A small request body (XML documents) read whole, with the same checks as an
 * object body: Content-MD5, payload hash, chunk signatures and checksums.
 */
export async function readVerifiedBody(op: OpContext, limit: number, opts: { requireIntegrity?: boolean } = {}): Promise<Buffer> {
  const { DigestSet } = await import('../digest/digest-set.js');
  const body = incomingBody(op, { requireLength: false });
  if (opts.requireIntegrity && op.http.header('content-md5') === undefined && body.digests.length === 1)
    throw new StorageError('InvalidRequest', 'Missing required header for this request: Content-MD5');
  const digest = new DigestSet(body.digests);
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of body.source) {
    n += c.length;
    if (n > limit) throw new StorageError('MalformedXML', 'The XML you provided was too large');
    digest.update(c);
    chunks.push(c);
  }
  body.verify(digest.finish(), n);
  return Buffer.concat(chunks);
}
