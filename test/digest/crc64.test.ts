import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { Crc64, crc64, crc64Combine, crc64Backend, crc64ToBase64, crc64FromBase64, crc64NativeLoad } from '../../src/digest/crc64.js';
import { Crc64Js, crc64UpdateJs, crc64CombineJs, type Crc64Kind } from '../../src/digest/crc64-js.js';
import { crc64Native } from '../../src/digest/crc64-native.js';

const KINDS: Crc64Kind[] = ['ecma182', 'nvme'];
const KIND_INDEX = { ecma182: 0, nvme: 1 } as const;
const CHECK_INPUT = Buffer.from('123456789', 'ascii');

// Check values from the CRC catalogue (CRC-64/XZ, CRC-64/NVME) and, for XZ,
// the Aliyun OSS crc64-ecma182 SDK README ("123456789" -> '11051210869376104954').
const CHECK: Record<Crc64Kind, bigint> = {
  ecma182: 0x995dc9bbdf1939fan,
  nvme: 0xae8b14860a799888n,
};

/** Bit-at-a-time reference: reflected, init/xorout all ones. */
function reference(kind: Crc64Kind, data: Uint8Array): bigint {
  const poly = kind === 'ecma182' ? 0xc96c5795d7870f42n : 0x9a6c9329ac4bc9b5n;
  let c = 0xffffffffffffffffn;
  for (const byte of data) {
    c ^= BigInt(byte);
    for (let i = 0; i < 8; i++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
  }
  return c ^ 0xffffffffffffffffn;
}

function randomSplits(len: number, max = 6): number[] {
  const n = randomInt(0, max + 1);
  const cuts = new Set<number>();
  for (let i = 0; i < n; i++) cuts.add(randomInt(0, len + 1));
  return [0, ...[...cuts].sort((a, b) => a - b), len];
}

test('backend report', (t) => {
  // Not an assertion on the machine (unless STRATUS_REQUIRE_NATIVE_CRC64=1), just visible in the output.
  t.diagnostic(`crc64 backend: ${crc64Backend}${crc64NativeLoad.error ? ` (${crc64NativeLoad.error})` : ''}`);
  if (process.env['STRATUS_REQUIRE_NATIVE_CRC64'] === '1') assert.notEqual(crc64Backend, 'js');
});

test('check values on "123456789"', () => {
  for (const kind of KINDS) {
    assert.equal(reference(kind, CHECK_INPUT), CHECK[kind], `reference ${kind}`);
    assert.equal(new Crc64(kind).update(CHECK_INPUT).digest(), CHECK[kind], `Crc64 ${kind}`);
    assert.equal(crc64(kind, CHECK_INPUT), CHECK[kind]);
    assert.equal(new Crc64Js(kind).update(CHECK_INPUT).digest(), CHECK[kind], `JS ${kind}`);
    if (crc64Native) {
      assert.equal(crc64Native.update(KIND_INDEX[kind], 0n, CHECK_INPUT), CHECK[kind]);
      assert.equal(crc64Native.updateTable(KIND_INDEX[kind], 0n, CHECK_INPUT), CHECK[kind]);
    }
  }
  assert.equal(new Crc64('ecma182').update(CHECK_INPUT).toDecimalString(), '11051210869376104954');
  assert.equal(new Crc64('nvme').update(CHECK_INPUT).toBase64(), 'rosUhgp5mIg=');
});

test('CRC-64/NVME vectors from awslabs/aws-checksums tests', () => {
  const zeros = new Uint8Array(32);
  const values = Uint8Array.from({ length: 32 }, (_, i) => i);
  for (const impl of [
    (d: Uint8Array) => crc64('nvme', d),
    (d: Uint8Array) => new Crc64Js('nvme').update(d).digest(),
  ]) {
    assert.equal(impl(zeros), 0xcf3473434d4ecf3bn);
    assert.equal(impl(values), 0xb9d9d4a8492cbd7fn);
  }
});

test('empty input is 0 and a no-op', () => {
  for (const kind of KINDS) {
    assert.equal(new Crc64(kind).digest(), 0n);
    assert.equal(new Crc64(kind).update(new Uint8Array(0)).digest(), 0n);
    assert.equal(new Crc64Js(kind).update(new Uint8Array(0)).digest(), 0n);
    const c = new Crc64(kind).update(CHECK_INPUT);
    assert.equal(c.update(Buffer.alloc(0)).digest(), CHECK[kind]);
    assert.equal(new Crc64(kind).toDecimalString(), '0');
    assert.equal(new Crc64(kind).toBase64(), 'AAAAAAAAAAA=');
  }
});

test('all implementations agree with the bitwise reference on short inputs (every length 0..600)', () => {
  const data = randomBytes(600);
  for (const kind of KINDS) {
    for (let len = 0; len <= 600; len += len < 300 ? 1 : 7) {
      const d = data.subarray(0, len);
      const want = reference(kind, d);
      assert.equal(crc64UpdateJs(kind, 0n, d), want, `js ${kind} len ${len}`);
      if (crc64Native) {
        assert.equal(crc64Native.update(KIND_INDEX[kind], 0n, d), want, `native ${kind} len ${len}`);
        assert.equal(crc64Native.updateTable(KIND_INDEX[kind], 0n, d), want, `table ${kind} len ${len}`);
      }
    }
  }
});

test('native == JS fallback on random buffers (0..100k) with random split points', { skip: !crc64Native && 'native addon not loaded' }, () => {
  const native = crc64Native!;
  for (let iter = 0; iter < 60; iter++) {
    const len = iter < 4 ? [0, 1, 255, 256][iter]! : randomInt(0, 100_001);
    // odd offsets into a larger buffer exercise unaligned loads
    const base = randomBytes(len + 16);
    const off = randomInt(0, 16);
    const buf = base.subarray(off, off + len);
    const cuts = randomSplits(len);
    for (const kind of KINDS) {
      const k = KIND_INDEX[kind];
      let n = 0n;
      let t = 0n;
      const js = new Crc64Js(kind);
      const state = new BigUint64Array(1);
      for (let i = 1; i < cuts.length; i++) {
        const part = buf.subarray(cuts[i - 1], cuts[i]);
        n = native.update(k, n, part);
        t = native.updateTable(k, t, part);
        native.updateInto(k, state, part);
        js.update(part);
      }
      const oneShot = native.update(k, 0n, buf);
      assert.equal(n, oneShot, `native incremental ${kind} len ${len}`);
      assert.equal(t, oneShot, `table ${kind} len ${len}`);
      assert.equal(state[0], oneShot, `updateInto ${kind} len ${len}`);
      assert.equal(js.digest(), oneShot, `js ${kind} len ${len} cuts ${cuts.join(',')}`);
    }
  }
});

test('Crc64 incremental == one-shot across random splits', () => {
  for (let iter = 0; iter < 20; iter++) {
    const buf = randomBytes(randomInt(0, 300_000));
    const cuts = randomSplits(buf.length, 10);
    for (const kind of KINDS) {
      const c = new Crc64(kind);
      for (let i = 1; i < cuts.length; i++) c.update(buf.subarray(cuts[i - 1], cuts[i]));
      assert.equal(c.digest(), crc64(kind, buf));
      assert.equal(crc64(kind, buf.subarray(cuts[1]), crc64(kind, buf.subarray(0, cuts[1]))), crc64(kind, buf));
    }
  }
});

test('accepts any ArrayBufferView / ArrayBuffer', () => {
  const ab = new ArrayBuffer(16);
  new Uint8Array(ab).set(Uint8Array.from({ length: 16 }, (_, i) => i * 7));
  for (const kind of KINDS) {
    const want = crc64(kind, new Uint8Array(ab));
    assert.equal(crc64(kind, ab), want);
    assert.equal(crc64(kind, new Uint32Array(ab)), want);
    assert.equal(crc64(kind, new DataView(ab)), want);
    assert.equal(new Crc64Js(kind).update(new Uint16Array(ab)).digest(), want);
    assert.equal(crc64(kind, new Uint8Array(ab, 3, 9)), crc64(kind, new Uint8Array(ab).slice(3, 12)));
  }
});

test('combine(a, b, len) == crc(a || b), native and JS', () => {
  for (let iter = 0; iter < 40; iter++) {
    const a = randomBytes(randomInt(0, 5000));
    const b = randomBytes(iter < 3 ? [0, 1, 8][iter]! : randomInt(0, 70_000));
    for (const kind of KINDS) {
      const ca = crc64(kind, a);
      const cb = crc64(kind, b);
      const whole = crc64(kind, Buffer.concat([a, b]));
      assert.equal(crc64Combine(kind, ca, cb, b.length), whole);
      assert.equal(crc64Combine(kind, ca, cb, BigInt(b.length)), whole);
      assert.equal(crc64CombineJs(kind, ca, cb, b.length), whole);
      if (crc64Native) assert.equal(crc64Native.combine(KIND_INDEX[kind], ca, cb, b.length), whole);
    }
  }
});

test('combine over many parts (multipart object) and huge lengths', () => {
  for (const kind of KINDS) {
    const parts = Array.from({ length: 7 }, () => randomBytes(randomInt(1, 40_000)));
    let acc = 0n;
    for (const p of parts) acc = crc64Combine(kind, acc, crc64(kind, p), p.length);
    assert.equal(acc, crc64(kind, Buffer.concat(parts)));
    // 5 TiB, 2^61 and 2^64-1 byte second halves: native and JS must agree.
    for (const len of [5n * 2n ** 40n, 2n ** 61n, 2n ** 64n - 1n]) {
      const j = crc64CombineJs(kind, CHECK[kind], 0x0123456789abcdefn, len);
      if (crc64Native) assert.equal(crc64Native.combine(KIND_INDEX[kind], CHECK[kind], 0x0123456789abcdefn, len), j);
      assert.equal(crc64Combine(kind, CHECK[kind], 0x0123456789abcdefn, len), j);
    }
  }
});

test('combine of zero-length second part, zero first crc', () => {
  for (const kind of KINDS) {
    assert.equal(crc64Combine(kind, CHECK[kind], 0n, 0), CHECK[kind]);
    assert.equal(crc64CombineJs(kind, CHECK[kind], 0n, 0), CHECK[kind]);
    // zero-length first part has crc 0
    assert.equal(crc64Combine(kind, 0n, CHECK[kind], 9), CHECK[kind]);
  }
});

test('argument validation', () => {
  assert.throws(() => new Crc64('xz' as Crc64Kind), RangeError);
  assert.throws(() => crc64Combine('nvme', -1n, 0n, 1), RangeError);
  assert.throws(() => crc64Combine('nvme', 0n, 0n, -1), RangeError);
  assert.throws(() => crc64Combine('nvme', 0n, 1n << 64n, 1), RangeError);
  if (crc64Native) {
    assert.throws(() => crc64Native!.update(2, 0n, new Uint8Array(1)), RangeError);
    assert.throws(() => crc64Native!.update(0, 0n, 'abc' as unknown as Uint8Array), TypeError);
    assert.throws(() => crc64Native!.updateInto(0, new BigUint64Array(0), new Uint8Array(1)), TypeError);
  }
});

test('base64 helpers', () => {
  assert.equal(crc64ToBase64(0xae8b14860a799888n), 'rosUhgp5mIg=');
  assert.equal(crc64FromBase64('rosUhgp5mIg='), 0xae8b14860a799888n);
  assert.throws(() => crc64FromBase64('AAAA'), RangeError);
});

test('cross-check CRC-64/NVME with @aws-sdk/checksums Crc64NvmeJs', async (t) => {
  let mod: { Crc64NvmeJs: new () => { update(d: Uint8Array): void; digest(): Promise<Uint8Array> } };
  try {
    mod = (await import('@aws-sdk/checksums/crc' as string)) as typeof mod;
  } catch {
    t.skip('@aws-sdk/checksums not installed');
    return;
  }
  for (let i = 0; i < 10; i++) {
    const buf = randomBytes(randomInt(0, 50_000));
    const aws = new mod.Crc64NvmeJs();
    aws.update(buf);
    const awsB64 = Buffer.from(await aws.digest()).toString('base64');
    assert.equal(new Crc64('nvme').update(buf).toBase64(), awsB64);
  }
});

test('JS fallback is selected when the addon is disabled (STRATUS_CRC64_NATIVE=0)', () => {
  const mod = new URL('../../src/digest/crc64.ts', import.meta.url).href;
  const code =
    `const m = await import(${JSON.stringify(mod)});` +
    `const c = new m.Crc64('ecma182').update(Buffer.from('123456789')).toDecimalString();` +
    `console.log(JSON.stringify({ backend: m.crc64Backend, c, comb: String(m.crc64Combine('nvme', 0x995dc9bbdf1939fan, 5n, 100)) }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env: { ...process.env, STRATUS_CRC64_NATIVE: '0' },
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(out.backend, 'js');
  assert.equal(out.c, '11051210869376104954');
  assert.equal(BigInt(out.comb), crc64CombineJs('nvme', 0x995dc9bbdf1939fan, 5n, 100));
});
