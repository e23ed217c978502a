import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Sha1State, sliceShas } from '../../src/digest/sha1-state.js';

const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');

test('the initial state renders in COS form as the spec shows', () => {
  assert.equal(Sha1State.initial().exportHex(), '0123456789abcdeffedcba9876543210f0e1d2c3');
});

test('digests equal node:crypto for lengths around block boundaries', () => {
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, 4097]) {
    const data = randomBytes(n);
    assert.equal(Sha1State.initial().update(data).digest().toString('hex'), sha1(data), `length ${n}`);
    // Fed in uneven chunks.
    const s = Sha1State.initial();
    for (let i = 0; i < n; i += 7) s.update(data.subarray(i, Math.min(n, i + 7)));
    assert.equal(s.digest().toString('hex'), sha1(data), `chunked length ${n}`);
  }
});

test('a state exported on a block boundary resumes to the same digest', () => {
  const data = randomBytes(64 * 40 + 17);
  const first = Sha1State.initial().update(data.subarray(0, 64 * 25));
  const resumed = Sha1State.resume(first.exportHex(), 64 * 25).update(data.subarray(64 * 25));
  assert.equal(resumed.digest().toString('hex'), sha1(data));
  assert.throws(() => Sha1State.initial().update(data.subarray(0, 10)).exportHex());
});

test('uploadparts of the spec test vector (2,097,252 bytes of i % 251, 1 MB slices)', () => {
  const data = Buffer.alloc(2_097_252);
  for (let i = 0; i < data.length; i++) data[i] = i % 251;
  assert.deepEqual(sliceShas(data, 1_048_576), [
    { offset: 0, datalen: 1048576, datasha: '463935c7eea4ca2705d0f481ecedb31f4d0f3a96' },
    { offset: 1048576, datalen: 1048576, datasha: '657c72d675f1e792607e5c0a7405f66cbdb8c290' },
    { offset: 2097152, datalen: 100, datasha: '6082b2ea5a08c73f6329be8c96202e1225a51956' },
  ]);
  assert.equal(sha1(data), '6082b2ea5a08c73f6329be8c96202e1225a51956');
});
