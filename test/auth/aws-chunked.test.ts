import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import {
  AwsChunkedDecoder,
  AwsChunkedEncoder,
  awsChunkedEncodedLength,
  encodeAwsChunked,
  signChunk,
  signTrailer,
  canonicalTrailers,
  type AwsChunkedDecoderOptions,
} from '../../src/auth/aws-chunked.js';
import { EMPTY_SHA256, sha256Hex, signingKeyV4 } from '../../src/auth/sigv4.js';
import { StorageError } from '../../src/engine/errors.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const KEY = signingKeyV4(SECRET, '20130524', 'us-east-1', 's3');
const AMZ_DATE = '20130524T000000Z';
const SCOPE = '20130524/us-east-1/s3/aws4_request';
const SEED = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
const TRAILER_SEED = '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e';
const DATA = Buffer.alloc(66560, 'a');

const signedOpts = (seed = SEED, extra: Partial<AwsChunkedDecoderOptions> = {}): AwsChunkedDecoderOptions => ({
  signed: true,
  trailer: false,
  seedSignature: seed,
  signingKey: KEY,
  amzDate: AMZ_DATE,
  scope: SCOPE,
  ...extra,
});

/** The body of AWS's "Transferring Payload in Multiple Chunks" example. */
function exampleBody(): Buffer {
  return Buffer.concat([
    Buffer.from('10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n'),
    Buffer.alloc(65536, 'a'),
    Buffer.from('\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n'),
    Buffer.alloc(1024, 'a'),
    Buffer.from('\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n'),
  ]);
}

/** The body of AWS's trailing-header example (x-amz-checksum-crc32c). */
function exampleTrailerBody(trailerSig = 'd81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435'): Buffer {
  return Buffer.concat([
    Buffer.from('10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n'),
    Buffer.alloc(65536, 'a'),
    Buffer.from('\r\n400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n'),
    Buffer.alloc(1024, 'a'),
    Buffer.from('\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n'),
    Buffer.from(`x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:${trailerSig}\r\n\r\n`),
  ]);
}

/** Feeds `body` in pieces of `step` bytes; resolves with the output or rejects with the stream error. */
async function decode(body: Buffer, opts: AwsChunkedDecoderOptions, step = body.length): Promise<{ data: Buffer; decoder: AwsChunkedDecoder }> {
  const decoder = new AwsChunkedDecoder(opts);
  const out: Buffer[] = [];
  decoder.on('data', (b: Buffer) => out.push(b));
  function* pieces() {
    for (let i = 0; i < body.length; i += step) yield body.subarray(i, i + step);
  }
  await pipeline(Readable.from(pieces(), { objectMode: false }), decoder);
  return { data: Buffer.concat(out), decoder };
}

function isCode(code: string) {
  return (e: unknown) => e instanceof StorageError && e.code === code;
}

test('chunk signatures of the AWS example', () => {
  const s1 = signChunk(KEY, AMZ_DATE, SCOPE, SEED, sha256Hex(Buffer.alloc(65536, 'a')));
  assert.equal(s1, 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648');
  const s2 = signChunk(KEY, AMZ_DATE, SCOPE, s1, sha256Hex(Buffer.alloc(1024, 'a')));
  assert.equal(s2, '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497');
  assert.equal(signChunk(KEY, AMZ_DATE, SCOPE, s2, EMPTY_SHA256), 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9');
});

test('trailer signature of the AWS trailing-header example', () => {
  assert.equal(
    signTrailer(KEY, AMZ_DATE, SCOPE, '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992', canonicalTrailers([['x-amz-checksum-crc32c', 'sOO8/Q==']])),
    'd81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435',
  );
});

test('encoder reproduces the AWS example body and its length', () => {
  const opts = { mode: 'signed' as const, chunkSize: 65536, signingKey: KEY, amzDate: AMZ_DATE, scope: SCOPE, seedSignature: SEED };
  const body = encodeAwsChunked(DATA, opts);
  assert.equal(body.length, 66824);
  assert.ok(body.equals(exampleBody()));
  assert.equal(awsChunkedEncodedLength(DATA.length, { mode: 'signed', chunkSize: 65536 }), 66824);
});

test('encoder reproduces the AWS trailing-header body', () => {
  const body = encodeAwsChunked(DATA, {
    mode: 'signed-trailer',
    chunkSize: 65536,
    signingKey: KEY,
    amzDate: AMZ_DATE,
    scope: SCOPE,
    seedSignature: TRAILER_SEED,
    trailers: () => ({ 'x-amz-checksum-crc32c': 'sOO8/Q==' }),
  });
  assert.ok(body.equals(exampleTrailerBody()));
  assert.equal(awsChunkedEncodedLength(DATA.length, { mode: 'signed-trailer', chunkSize: 65536, trailers: { 'x-amz-checksum-crc32c': 'sOO8/Q==' } }), body.length);
});

test('streaming encoder gives the same bytes as the one-shot encoder, whatever the write sizes', async () => {
  const data = randomBytes(200_001);
  const opts = { mode: 'signed-trailer' as const, chunkSize: 8192, signingKey: KEY, amzDate: AMZ_DATE, scope: SCOPE, seedSignature: SEED, trailers: { 'x-amz-checksum-crc32': 'AAAAAA==' } };
  const expected = encodeAwsChunked(data, opts);
  for (const step of [1000, 8192, 70_000]) {
    const enc = new AwsChunkedEncoder(opts);
    const out: Buffer[] = [];
    enc.on('data', (b: Buffer) => out.push(b));
    const pieces: Buffer[] = [];
    for (let i = 0; i < data.length; i += step) pieces.push(data.subarray(i, i + step));
    await pipeline(Readable.from(pieces), enc);
    assert.ok(Buffer.concat(out).equals(expected), `step ${step}`);
  }
});

test('decoder: the AWS example passes the data through exactly', async () => {
  const { data, decoder } = await decode(exampleBody(), signedOpts(SEED, { decodedLength: 66560 }));
  assert.ok(data.equals(DATA));
  assert.equal(decoder.decodedBytes, 66560);
  assert.deepEqual(decoder.trailers, {});
});

test('decoder: 1-byte writes and odd splits give the same result', async () => {
  for (const step of [1, 7, 89, 4096]) {
    const { data } = await decode(exampleBody(), signedOpts(SEED, { decodedLength: 66560 }), step);
    assert.ok(data.equals(DATA), `step ${step}`);
  }
  const t = await decode(exampleTrailerBody(), signedOpts(TRAILER_SEED, { trailer: true, decodedLength: 66560 }), 1);
  assert.ok(t.data.equals(DATA));
  assert.deepEqual(t.decoder.trailers, { 'x-amz-checksum-crc32c': 'sOO8/Q==' });
});

test('decoder: the AWS trailing-header example exposes the trailer', async () => {
  const { data, decoder } = await decode(exampleTrailerBody(), signedOpts(TRAILER_SEED, { trailer: true, decodedLength: 66560 }));
  assert.ok(data.equals(DATA));
  assert.deepEqual(decoder.trailers, { 'x-amz-checksum-crc32c': 'sOO8/Q==' });
});

test('decoder: a corrupted chunk signature fails with SignatureDoesNotMatch and emits nothing of that chunk', async () => {
  const body = exampleBody();
  const at = body.indexOf('0055627c');
  body[at] = '1'.charCodeAt(0);
  const decoder = new AwsChunkedDecoder(signedOpts());
  const out: Buffer[] = [];
  decoder.on('data', (b: Buffer) => out.push(b));
  await assert.rejects(pipeline(Readable.from([body]), decoder), isCode('SignatureDoesNotMatch'));
  // Only the first (verified) chunk went downstream.
  assert.equal(Buffer.concat(out).length, 65536);
});

test('decoder: corrupted data fails the chunk signature', async () => {
  const body = exampleBody();
  body[200] = 'b'.charCodeAt(0);
  await assert.rejects(decode(body, signedOpts(), 1000), isCode('SignatureDoesNotMatch'));
});

test('decoder: the wrong seed signature fails the first chunk', async () => {
  await assert.rejects(decode(exampleBody(), signedOpts(TRAILER_SEED)), isCode('SignatureDoesNotMatch'));
});

test('decoder: a corrupted trailer signature or trailer value fails', async () => {
  await assert.rejects(
    decode(exampleTrailerBody('e81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435'), signedOpts(TRAILER_SEED, { trailer: true })),
    isCode('SignatureDoesNotMatch'),
  );
  const tampered = Buffer.from(exampleTrailerBody().toString('latin1').replace('sOO8/Q==', 'sOO8/Q=A'), 'latin1');
  await assert.rejects(decode(tampered, signedOpts(TRAILER_SEED, { trailer: true })), isCode('SignatureDoesNotMatch'));
  const noSig = Buffer.from(exampleTrailerBody().toString('latin1').replace(/x-amz-trailer-signature:[0-9a-f]+\r\n/, ''), 'latin1');
  await assert.rejects(decode(noSig, signedOpts(TRAILER_SEED, { trailer: true })), isCode('IncompleteBody'));
});

test('decoder: unsigned trailer variant, as the AWS SDKs send it', async () => {
  const data = randomBytes(70_000);
  const body = encodeAwsChunked(data, { mode: 'unsigned-trailer', chunkSize: 16384, trailers: { 'x-amz-checksum-crc32': 'AbCdEf==' } });
  assert.match(body.subarray(0, 8).toString('latin1'), /^4000\r\n/);
  for (const step of [1, 1000, body.length]) {
    const { data: out, decoder } = await decode(body, { signed: false, trailer: true, decodedLength: 70_000 }, step);
    assert.ok(out.equals(data));
    assert.deepEqual(decoder.trailers, { 'x-amz-checksum-crc32': 'AbCdEf==' });
  }
  // Variable chunk sizes, no trailer, and EOF right after "0\r\n" (JS SDK without a checksum).
  const sdk = Buffer.from('5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n');
  const r = await decode(sdk, { signed: false, trailer: true }, 3);
  assert.equal(r.data.toString(), 'hello world');
  // Chunk extensions are tolerated in unsigned mode.
  const ext = await decode(Buffer.from('3;foo=bar\r\nabc\r\n0\r\n\r\n'), { signed: false, trailer: true });
  assert.equal(ext.data.toString(), 'abc');
});

test('decoder: decoded length must match x-amz-decoded-content-length', async () => {
  await assert.rejects(decode(exampleBody(), signedOpts(SEED, { decodedLength: 66559 })), isCode('IncompleteBody'));
  await assert.rejects(decode(exampleBody(), signedOpts(SEED, { decodedLength: 66561 })), isCode('IncompleteBody'));
});

test('decoder: malformed framing is IncompleteBody', async () => {
  const unsigned = { signed: false, trailer: true } as const;
  const cases: Array<[string, Buffer, AwsChunkedDecoderOptions]> = [
    ['truncated data', exampleBody().subarray(0, 40_000), signedOpts()],
    ['truncated before final chunk', exampleBody().subarray(0, 66_700), signedOpts()],
    ['size not hex', Buffer.from('zz\r\nabc\r\n0\r\n\r\n'), unsigned],
    ['size too short for data', Buffer.from('2\r\nabc\r\n0\r\n\r\n'), unsigned],
    ['bare LF', Buffer.from('3\nabc\r\n0\r\n\r\n'), unsigned],
    ['missing CRLF after data', Buffer.from('3\r\nabcX\n0\r\n\r\n'), unsigned],
    ['missing chunk-signature in signed mode', Buffer.from('3\r\nabc\r\n0\r\n\r\n'), signedOpts()],
    ['short chunk-signature', Buffer.from('3;chunk-signature=abc\r\nabc\r\n'), signedOpts()],
    ['garbage after the end', Buffer.concat([exampleBody(), Buffer.from('xyz')]), signedOpts()],
    ['overlong header line', Buffer.from('1' + ';'.repeat(5000) + '\r\n'), unsigned],
    ['trailer line without colon', Buffer.from('0\r\nnocolon\r\n\r\n'), unsigned],
  ];
  for (const [name, body, opts] of cases) {
    await assert.rejects(decode(body, opts), isCode('IncompleteBody'), name);
    await assert.rejects(decode(body, opts, 1), isCode('IncompleteBody'), name + ' (1-byte writes)');
  }
});

test('decoder: oversized chunks are refused before any data is read', async () => {
  await assert.rejects(decode(Buffer.from('1000001\r\n'), { signed: false, trailer: true, maxChunkSize: 1 << 24 }), isCode('InvalidRequest'));
});

test('decoder: signed round trip through the encoder with random data and many chunk sizes', async () => {
  const data = randomBytes(300_000);
  for (const chunkSize of [1, 8192, 65536, 1 << 20]) {
    const sub = chunkSize === 1 ? data.subarray(0, 3000) : data;
    const body = encodeAwsChunked(sub, { mode: 'signed-trailer', chunkSize, signingKey: KEY, amzDate: AMZ_DATE, scope: SCOPE, seedSignature: SEED, trailers: { 'x-amz-checksum-sha256': 'abc=' } });
    assert.equal(body.length, awsChunkedEncodedLength(sub.length, { mode: 'signed-trailer', chunkSize, trailers: { 'x-amz-checksum-sha256': 'abc=' } }));
    const { data: out, decoder } = await decode(body, signedOpts(SEED, { trailer: true, decodedLength: sub.length }), 4099);
    assert.ok(out.equals(sub), `chunkSize ${chunkSize}`);
    assert.deepEqual(decoder.trailers, { 'x-amz-checksum-sha256': 'abc=' });
  }
});
