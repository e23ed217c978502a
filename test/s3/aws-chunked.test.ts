import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { awsChunkedEncodedLength, contentSha256ForMode, encodeAwsChunked, type AwsChunkedMode } from '../../src/auth/aws-chunked.js';
import { signRequestV4 } from '../../src/auth/sigv4.js';
import { checksum } from '../helpers/checksum-oracle.js';
import { rawRequest, xmlField, type RawResponse } from '../helpers/raw.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, startTestServer, storedFiles, type TestServer } from '../helpers/server.js';

const CHUNK = 8192;

interface ChunkedOptions {
  /** Trailer checksum value to send (default: the right one). */
  trailerValue?: string;
  /** Changes the encoded body after signing. */
  tamper?: (body: Buffer) => Buffer;
  decodedLength?: number;
}

/** Flips one hex digit of the n-th (0-based) occurrence of `marker`'s value in the body. */
function flipAfter(body: Buffer, marker: string, n: number): Buffer {
  let at = -1;
  for (let i = 0; i <= n; i++) at = body.indexOf(marker, at + 1);
  assert.ok(at >= 0, `${marker} #${n} not found`);
  const out = Buffer.from(body);
  const pos = at + marker.length;
  out[pos] = out[pos] === 0x30 ? 0x31 : 0x30;
  return out;
}

describe('aws-chunked uploads (raw SigV4 streaming requests)', () => {
  let t: TestServer;
  const bucket = bucketName('chunked');
  before(async () => {
    t = await startTestServer();
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => t.stop());

  /** A PUT whose body is aws-chunked in `mode`, signed with the helpers in src/auth. */
  function put(key: string, data: Buffer, mode: AwsChunkedMode, o: ChunkedOptions = {}): Promise<RawResponse> {
    const url = new URL(`/${bucket}/${key}`, t.url);
    const trailerName = 'x-amz-checksum-crc32c';
    const trailers = mode === 'signed' ? undefined : { [trailerName]: o.trailerValue ?? checksum('crc32c', data) };
    const headers: Record<string, string> = {
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(o.decodedLength ?? data.length),
      'content-length': String(awsChunkedEncodedLength(data.length, { mode, chunkSize: CHUNK, trailers })),
    };
    if (trailers) headers['x-amz-trailer'] = trailerName;
    const signed = signRequestV4({
      method: 'PUT',
      url,
      headers,
      payloadHash: contentSha256ForMode(mode),
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
      region: 'us-east-1',
    });
    let body = encodeAwsChunked(data, { mode, chunkSize: CHUNK, signingKey: signed.signingKey, amzDate: signed.amzDate, scope: signed.scope, seedSignature: signed.signature, trailers });
    if (o.tamper) body = o.tamper(body);
    return rawRequest(url.toString(), { method: 'PUT', headers, body });
  }

  async function assertAbsent(key: string, filesBefore: string[]) {
    await assert.rejects(t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })), { name: 'NotFound' });
    assert.deepEqual(await storedFiles(t.dataDir), filesBefore, 'no blob and no temporary file is left');
  }

  for (const mode of ['signed', 'signed-trailer', 'unsigned-trailer'] as const) {
    it(`stores a ${contentSha256ForMode(mode)} body`, async () => {
      const data = randomBytes(3 * CHUNK + 1234);
      const r = await put(`ok-${mode}`, data, mode);
      assert.equal(r.status, 200, r.body.toString());
      const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: `ok-${mode}`, ChecksumMode: 'ENABLED' }));
      assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), data);
      assert.equal(got.ContentLength, data.length);
      if (mode === 'signed') assert.equal(got.ChecksumCRC64NVME, checksum('crc64nvme', data), 'no declared checksum: the default one');
      else assert.equal(got.ChecksumCRC32C, checksum('crc32c', data), 'the trailing checksum is kept');
    });
  }

  it('stores an empty signed body', async () => {
    const r = await put('empty', Buffer.alloc(0), 'signed');
    assert.equal(r.status, 200, r.body.toString());
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'empty' }));
    assert.equal(head.ContentLength, 0);
  });

  it('rejects a corrupted chunk signature with SignatureDoesNotMatch and stores nothing', async () => {
    const before = await storedFiles(t.dataDir);
    const data = randomBytes(3 * CHUNK);
    for (const mode of ['signed', 'signed-trailer'] as const) {
      // The second chunk's signature: the first chunk was good and must not be kept either.
      const r = await put(`badsig-${mode}`, data, mode, { tamper: (b) => flipAfter(b, 'chunk-signature=', 1) });
      assert.equal(r.status, 403, r.body.toString());
      assert.equal(xmlField(r.body, 'Code'), 'SignatureDoesNotMatch');
      await assertAbsent(`badsig-${mode}`, before);
    }
    // The final (empty) chunk's signature too.
    const r = await put('badsig-final', data, 'signed', { tamper: (b) => flipAfter(b, 'chunk-signature=', 3) });
    assert.equal(r.status, 403);
    await assertAbsent('badsig-final', before);
  });

  it('rejects a corrupted data byte of a signed chunk (its signature no longer matches)', async () => {
    const before = await storedFiles(t.dataDir);
    const data = Buffer.alloc(2 * CHUNK, 'a');
    const r = await put('baddata', data, 'signed', {
      tamper: (b) => {
        const out = Buffer.from(b);
        out[out.indexOf('aaaa') + 5] = 0x62;
        return out;
      },
    });
    assert.equal(r.status, 403);
    assert.equal(xmlField(r.body, 'Code'), 'SignatureDoesNotMatch');
    await assertAbsent('baddata', before);
  });

  it('rejects a corrupted trailer: a wrong checksum is BadDigest, a tampered signed trailer is SignatureDoesNotMatch', async () => {
    const before = await storedFiles(t.dataDir);
    const data = randomBytes(2 * CHUNK + 5);
    const wrong = checksum('crc32c', Buffer.from('not the data'));
    for (const mode of ['signed-trailer', 'unsigned-trailer'] as const) {
      const r = await put(`badsum-${mode}`, data, mode, { trailerValue: wrong });
      assert.equal(r.status, 400, r.body.toString());
      assert.equal(xmlField(r.body, 'Code'), 'BadDigest');
      assert.equal(xmlField(r.body, 'Message'), 'The CRC32C you specified did not match the calculated checksum.');
      await assertAbsent(`badsum-${mode}`, before);
    }
    // The trailer's value changed after it was signed.
    const good = checksum('crc32c', data);
    let r = await put('badtrailer', data, 'signed-trailer', {
      tamper: (b) => {
        const at = b.indexOf(`x-amz-checksum-crc32c:${good}`);
        return Buffer.concat([b.subarray(0, at), Buffer.from(`x-amz-checksum-crc32c:${wrong}`), b.subarray(at + `x-amz-checksum-crc32c:${good}`.length)]);
      },
    });
    assert.equal(r.status, 403, r.body.toString());
    assert.equal(xmlField(r.body, 'Code'), 'SignatureDoesNotMatch');
    await assertAbsent('badtrailer', before);
    // The trailer signature itself corrupted.
    r = await put('badtrailersig', data, 'signed-trailer', { tamper: (b) => flipAfter(b, 'x-amz-trailer-signature:', 0) });
    assert.equal(r.status, 403);
    assert.equal(xmlField(r.body, 'Code'), 'SignatureDoesNotMatch');
    await assertAbsent('badtrailersig', before);
  });

  it('rejects a body shorter than x-amz-decoded-content-length, or cut off, and stores nothing', async () => {
    const before = await storedFiles(t.dataDir);
    const data = randomBytes(CHUNK + 10);
    let r = await put('short', data, 'unsigned-trailer', { decodedLength: data.length + 1 });
    assert.equal(r.status, 400);
    assert.equal(xmlField(r.body, 'Code'), 'IncompleteBody');
    await assertAbsent('short', before);
    // Framing broken: a chunk size that is not hex.
    r = await put('garbled', data, 'unsigned-trailer', { tamper: (b) => Buffer.concat([Buffer.from('zz'), b.subarray(4)]) });
    assert.equal(r.status, 400);
    assert.equal(xmlField(r.body, 'Code'), 'IncompleteBody');
    await assertAbsent('garbled', before);
  });
});
