import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { crc32 as nodeRsCrc32, crc32c as nodeRsCrc32c } from '@node-rs/crc32';

import {
  DigestSet,
  DIGEST_NAMES,
  encodeChecksum,
  decodeChecksum,
  checksumMatches,
  combineCrc,
  crc32Combine,
  crc32cCombine,
  crc64Combine,
  type DigestName,
  type DigestValues,
} from '../../src/digest/digest-set.js';
import { measureDigestThroughput, measureDigestSetThroughput } from '../../src/digest/throughput.js';

const ALL = DIGEST_NAMES;
const CHECK_INPUT = Buffer.from('123456789', 'ascii');

function oneShot(data: Buffer, names: Iterable<DigestName> = ALL): DigestValues {
  const s = new DigestSet(names);
  s.update(data);
  return s.finish();
}

function fed(data: Buffer, cuts: number[], names: Iterable<DigestName> = ALL): DigestValues {
  const s = new DigestSet(names);
  for (let i = 1; i < cuts.length; i++) s.update(data.subarray(cuts[i - 1], cuts[i]));
  assert.equal(s.bytes, data.length);
  return s.finish();
}

function randomCuts(len: number): number[] {
  const cuts = new Set<number>();
  const n = randomInt(0, 12);
  for (let i = 0; i < n; i++) cuts.add(randomInt(0, len + 1));
  return [0, ...[...cuts].sort((a, b) => a - b), len];
}

test('check values on "123456789" for every algorithm', () => {
  const v = oneShot(CHECK_INPUT);
  assert.equal(v.md5.toString('hex'), '25f9e794323b453885f5181f1b624d0b');
  assert.equal(v.crc32, 0xcbf43926);
  assert.equal(v.crc32c, 0xe3069283);
  assert.equal(v.crc64ecma, 0x995dc9bbdf1939fan);
  assert.equal(v.crc64nvme, 0xae8b14860a799888n);
  assert.equal(v.sha1!.toString('hex'), 'f7c3bc1d808e04732adf679965ccc34ca7ae3441');
  assert.equal(v.sha256!.toString('hex'), '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225');
});

test('wire forms of the check values', () => {
  const v = oneShot(CHECK_INPUT);
  assert.equal(encodeChecksum('md5', v), '25f9e794323b453885f5181f1b624d0b');
  assert.equal(encodeChecksum('md5', v, { md5: 'hex' }), '25f9e794323b453885f5181f1b624d0b');
  assert.equal(encodeChecksum('md5', v, { md5: 'base64' }), 'JfnnlDI7RTiF9RgfG2JNCw==');
  assert.equal(encodeChecksum('crc32', v), 'y/Q5Jg==');
  assert.equal(encodeChecksum('crc32c', v), '4waSgw==');
  assert.equal(encodeChecksum('crc64nvme', v), 'rosUhgp5mIg=');
  assert.equal(encodeChecksum('crc64ecma', v), '11051210869376104954');
  assert.equal(encodeChecksum('sha1', v), '98O8HYCOBHMq32eZZczDTKeuNEE=');
  assert.equal(encodeChecksum('sha256', v), 'FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=');
});

test('empty input', () => {
  const s = new DigestSet(ALL);
  assert.equal(s.bytes, 0);
  const v = s.finish();
  assert.equal(v.md5.toString('hex'), 'd41d8cd98f00b204e9800998ecf8427e');
  assert.equal(v.crc32, 0);
  assert.equal(v.crc32c, 0);
  assert.equal(v.crc64ecma, 0n);
  assert.equal(v.crc64nvme, 0n);
  assert.equal(v.sha1!.toString('hex'), 'da39a3ee5e6b4b0d3255bfef95601890afd80709');
  assert.equal(v.sha256!.toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(encodeChecksum('crc32', v), 'AAAAAA==');
  assert.equal(encodeChecksum('crc64nvme', v), 'AAAAAAAAAAA=');
  assert.equal(encodeChecksum('crc64ecma', v), '0');
  // empty chunks are harmless
  const t = new DigestSet(ALL);
  t.update(Buffer.alloc(0));
  t.update(CHECK_INPUT);
  t.update(Buffer.alloc(0));
  assert.deepEqual(t.finish(), oneShot(CHECK_INPUT));
});

test('md5 is always computed; only requested digests are present', () => {
  const s = new DigestSet(['crc32c']);
  assert.deepEqual(s.names, ['md5', 'crc32c']);
  assert.ok(s.has('md5'));
  assert.ok(!s.has('sha256'));
  s.update(CHECK_INPUT);
  const v = s.finish();
  assert.deepEqual(Object.keys(v).sort(), ['crc32c', 'md5']);
  assert.throws(() => encodeChecksum('sha256', v), /not computed/);
  assert.deepEqual(new DigestSet([]).names, ['md5']);
  assert.deepEqual(new DigestSet(['sha256', 'md5', 'sha256']).names, ['md5', 'sha256']);
});

test('lifecycle: finish is idempotent, update after finish throws, unknown names throw', () => {
  const s = new DigestSet(['sha1']);
  s.update(CHECK_INPUT);
  const a = s.finish();
  assert.equal(s.finish(), a);
  assert.throws(() => s.update(CHECK_INPUT), /after finish/);
  assert.throws(() => new DigestSet(['crc16' as DigestName]), RangeError);
});

test('incremental == one-shot across random splits; matches node:crypto and @node-rs/crc32', () => {
  for (let iter = 0; iter < 25; iter++) {
    const data = randomBytes(randomInt(0, 200_000));
    const whole = oneShot(data);
    const parts = fed(data, randomCuts(data.length));
    assert.deepEqual(parts, whole);
    assert.ok(whole.md5.equals(createHash('md5').update(data).digest()));
    assert.ok(whole.sha1!.equals(createHash('sha1').update(data).digest()));
    assert.ok(whole.sha256!.equals(createHash('sha256').update(data).digest()));
    assert.equal(whole.crc32, nodeRsCrc32(data));
    assert.equal(whole.crc32c, nodeRsCrc32c(data));
  }
});

test('typical upload chunking (16..64 KiB chunks)', () => {
  const data = randomBytes(3 * 1024 * 1024 + 17);
  const cuts = [0];
  while (cuts[cuts.length - 1]! < data.length) cuts.push(Math.min(data.length, cuts[cuts.length - 1]! + randomInt(16 * 1024, 64 * 1024 + 1)));
  assert.deepEqual(fed(data, cuts), oneShot(data));
});

test('combine(a, b, len) == crc(a || b) for crc32, crc32c, crc64ecma, crc64nvme', () => {
  for (let iter = 0; iter < 30; iter++) {
    const a = randomBytes(iter === 0 ? 0 : randomInt(0, 20_000));
    const b = randomBytes(iter === 1 ? 0 : randomInt(0, 20_000));
    const va = oneShot(a);
    const vb = oneShot(b);
    const vab = oneShot(Buffer.concat([a, b]));
    assert.equal(crc32Combine(va.crc32!, vb.crc32!, b.length), vab.crc32);
    assert.equal(crc32cCombine(va.crc32c!, vb.crc32c!, b.length), vab.crc32c);
    assert.equal(crc32Combine(va.crc32!, vb.crc32!, BigInt(b.length)), vab.crc32);
    assert.equal(crc64Combine('ecma182', va.crc64ecma!, vb.crc64ecma!, b.length), vab.crc64ecma);
    assert.equal(crc64Combine('nvme', va.crc64nvme!, vb.crc64nvme!, b.length), vab.crc64nvme);
    assert.equal(combineCrc('crc32', va.crc32!, vb.crc32!, b.length), vab.crc32);
    assert.equal(combineCrc('crc32c', va.crc32c!, vb.crc32c!, b.length), vab.crc32c);
    assert.equal(combineCrc('crc64ecma', va.crc64ecma!, vb.crc64ecma!, b.length), vab.crc64ecma);
    assert.equal(combineCrc('crc64nvme', va.crc64nvme!, vb.crc64nvme!, b.length), vab.crc64nvme);
  }
});

test('combine folds a multipart object part by part', () => {
  const parts = Array.from({ length: 9 }, () => randomBytes(randomInt(0, 30_000)));
  const whole = oneShot(Buffer.concat(parts));
  let c32 = 0;
  let c32c = 0;
  let c64e = 0n;
  let c64n = 0n;
  for (const p of parts) {
    const v = oneShot(p);
    c32 = crc32Combine(c32, v.crc32!, p.length);
    c32c = crc32cCombine(c32c, v.crc32c!, p.length);
    c64e = crc64Combine('ecma182', c64e, v.crc64ecma!, p.length);
    c64n = crc64Combine('nvme', c64n, v.crc64nvme!, p.length);
  }
  assert.equal(c32, whole.crc32);
  assert.equal(c32c, whole.crc32c);
  assert.equal(c64e, whole.crc64ecma);
  assert.equal(c64n, whole.crc64nvme);
});

test('crc32 combine with lengths beyond 2^32 is consistent (associativity)', () => {
  // combine(combine(a, b, x), c, y) == combine(a, combine(b, c, y), x + y)
  const [a, b, c] = [0x12345678, 0x9abcdef0, 0x0fedcba9];
  for (const f of [crc32Combine, crc32cCombine]) {
    for (const [x, y] of [
      [2 ** 33 + 5, 7],
      [1, 2 ** 40],
      [2 ** 52, 2 ** 52 - 1],
    ] as const) {
      assert.equal(f(f(a, b, x), c, y), f(a, f(b, c, y), x + y));
    }
  }
  assert.throws(() => crc32Combine(0, 0, -1), RangeError);
  assert.throws(() => crc32Combine(2 ** 32, 0, 1), RangeError);
});

test('decodeChecksum / checksumMatches round trip', () => {
  const data = randomBytes(12345);
  const v = oneShot(data);
  for (const name of ALL) {
    const wire = encodeChecksum(name, v);
    assert.ok(checksumMatches(name, v, wire), name);
    const decoded = decodeChecksum(name, wire);
    const have = v[name]!;
    if (Buffer.isBuffer(have)) assert.ok(have.equals(decoded as Buffer));
    else assert.equal(decoded, have);
  }
  assert.ok(checksumMatches('md5', v, encodeChecksum('md5', v, { md5: 'base64' })));
  assert.ok(checksumMatches('md5', v, encodeChecksum('md5', v).toUpperCase()));
  const other = oneShot(randomBytes(10));
  for (const name of ALL) assert.ok(!checksumMatches(name, v, encodeChecksum(name, other)), name);
  assert.ok(!checksumMatches('crc32', v, 'not base64!'));
  assert.ok(!checksumMatches('crc32', v, 'AAAAAAAAAAA='));
  assert.ok(!checksumMatches('crc64ecma', v, '18446744073709551616'));
  assert.ok(!checksumMatches('crc64ecma', v, '-1'));
  assert.equal(decodeChecksum('crc64ecma', '18446744073709551615'), 2n ** 64n - 1n);
  assert.throws(() => decodeChecksum('sha256', 'AAAA'), RangeError);
});

test('cross-check wire forms with the AWS SDK checksum implementations', async (t) => {
  type AwsChecksum = { update(d: Uint8Array): void; digest(): Promise<Uint8Array> };
  let mod: Record<string, new () => AwsChecksum>;
  try {
    mod = (await import('@aws-sdk/checksums/crc' as string)) as typeof mod;
  } catch {
    t.skip('@aws-sdk/checksums not installed');
    return;
  }
  const pairs: [DigestName, string][] = [
    ['crc32', 'Crc32'],
    ['crc32c', 'Crc32cJs'],
    ['crc64nvme', 'Crc64NvmeJs'],
  ];
  for (const data of [CHECK_INPUT, Buffer.alloc(0), randomBytes(77_777)]) {
    const v = oneShot(data);
    for (const [name, cls] of pairs) {
      const C = mod[cls];
      if (!C) {
        t.diagnostic(`@aws-sdk/checksums/crc has no ${cls}`);
        continue;
      }
      const h = new C();
      h.update(data);
      assert.equal(encodeChecksum(name, v), Buffer.from(await h.digest()).toString('base64'), `${name} len ${data.length}`);
    }
  }
});

test('throughput helpers return a positive MB/s', () => {
  for (const name of ['crc64nvme', 'crc32c'] as const) {
    const mbps = measureDigestThroughput(name, 4 * 1024 * 1024);
    assert.ok(Number.isFinite(mbps) && mbps > 0, `${name}: ${mbps}`);
  }
  assert.ok(measureDigestSetThroughput(['crc64ecma'], 2 * 1024 * 1024, 16 * 1024) > 0);
});
