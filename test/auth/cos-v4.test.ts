/** COS JSON v4 signatures against the verified vectors of the spec (§2.8). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  authenticateCos,
  checkCosUse,
  cosDigestMatches,
  cosEncodePath,
  cosPlaintext,
  cosSign,
  onceToken,
  parseCosSignature,
  signDownload,
  signMore,
  signOnce,
} from '../../src/auth/cos-v4.js';
import { StorageError } from '../../src/engine/errors.js';

const CRED = { appid: '200001', secretId: 'AKIDUfLUEUigQiXqm7CVSspKJnuaiIKtxqAv', secretKey: 'bLcPnl88WU30VY57ipRhSePfPdOfSruK' };
const T = { now: 1470736940, rand: 490258943 };

test('TV-1: multi-use signature, documented order, unbound', () => {
  const plain = cosPlaintext({ appid: '200001', bucket: 'newbucket', secretId: CRED.secretId, expired: 1470737000, now: 1470736940, rand: 490258943, fileid: '', order: 'documented' });
  assert.equal(plain, 'a=200001&b=newbucket&k=AKIDUfLUEUigQiXqm7CVSspKJnuaiIKtxqAv&e=1470737000&t=1470736940&r=490258943&f=');
  const sign = cosSign(CRED.secretKey, plain);
  assert.equal(
    sign,
    'v6+um3VE3lxGz97PmnSg6+/V9PZhPTIwMDAwMSZiPW5ld2J1Y2tldCZrPUFLSURVZkxVRVVpZ1FpWHFtN0NWU3NwS0pudWFpSUt0eHFBdiZlPTE0NzA3MzcwMDAmdD0xNDcwNzM2OTQwJnI9NDkwMjU4OTQzJmY9',
  );
  assert.equal(Buffer.from(sign, 'base64').subarray(0, 20).toString('hex'), 'bfafae9b7544de5c46cfdecf9a74a0ebefd5f4f6');
});

test('TV-2: single-use signature, documented order, bound to a fileid', () => {
  const plain = cosPlaintext({ appid: '200001', bucket: 'newbucket', secretId: CRED.secretId, expired: 0, now: 1470736940, rand: 490258943, fileid: '/200001/newbucket/tencent_test.jpg', order: 'documented' });
  assert.equal(
    cosSign(CRED.secretKey, plain),
    'CkZ0/gWkHy3f76ER7k6yXgzq7w1hPTIwMDAwMSZiPW5ld2J1Y2tldCZrPUFLSURVZkxVRVVpZ1FpWHFtN0NWU3NwS0pudWFpSUt0eHFBdiZlPTAmdD0xNDcwNzM2OTQwJnI9NDkwMjU4OTQzJmY9LzIwMDAwMS9uZXdidWNrZXQvdGVuY2VudF90ZXN0LmpwZw==',
  );
});

test('TV-3 / TV-4: the plaintexts displayed in the API reference', () => {
  assert.equal(
    cosSign(CRED.secretKey, 'a=200001&b=newbucket&k=AKIDUfLUEUigQiXqm7CVSspKJnuaiIKtxqAv&e=1437995704&t=1437995644&r=2081660421&f='),
    'wHgvVkXpcZ3d+G0rOkAJml3R5NdhPTIwMDAwMSZiPW5ld2J1Y2tldCZrPUFLSURVZkxVRVVpZ1FpWHFtN0NWU3NwS0pudWFpSUt0eHFBdiZlPTE0Mzc5OTU3MDQmdD0xNDM3OTk1NjQ0JnI9MjA4MTY2MDQyMSZmPQ==',
  );
  assert.equal(
    cosSign(CRED.secretKey, 'a=200001&b=newbucket&k=AKIDUfLUEUigQiXqm7CVSspKJnuaiIKtxqAv&e=0&t=1437995645&r=1166710792&f=/200001/newbucket/tencent_test.jpg'),
    'cPGnW2Yvpf6JGiX7KX9xiXZg2V5hPTIwMDAwMSZiPW5ld2J1Y2tldCZrPUFLSURVZkxVRVVpZ1FpWHFtN0NWU3NwS0pudWFpSUt0eHFBdiZlPTAmdD0xNDM3OTk1NjQ1JnI9MTE2NjcxMDc5MiZmPS8yMDAwMDEvbmV3YnVja2V0L3RlbmNlbnRfdGVzdC5qcGc=',
  );
});

test('the fileid path encoding (§2.4)', () => {
  assert.equal(cosEncodePath('/测试 dir/a+b~c.txt'), '/%E6%B5%8B%E8%AF%95%20dir/a%2Bb~c.txt');
});

test('TV-5 / TV-6 / TV-7: sign_more, sign_once and sign_download as the Python SDK', () => {
  const path = '/测试 dir/a+b~c.txt';
  assert.equal(
    signMore(CRED, 'newbucket', path, 1470737000, T),
    'DGIaNDTM9060lqivxGYCCAHjnTJhPTIwMDAwMSZrPUFLSURVZkxVRVVpZ1FpWHFtN0NWU3NwS0pudWFpSUt0eHFBdiZlPTE0NzA3MzcwMDAmdD0xNDcwNzM2OTQwJnI9NDkwMjU4OTQzJmY9LzIwMDAwMS9uZXdidWNrZXQvJUU2JUI1JThCJUU4JUFGJTk1JTIwZGlyL2ElMkJifmMudHh0JmI9bmV3YnVja2V0',
  );
  assert.equal(
    signOnce(CRED, 'newbucket', path, T),
    'D4LzZ3tGR1jVpqz/gV44bJJHT3lhPTIwMDAwMSZrPUFLSURVZkxVRVVpZ1FpWHFtN0NWU3NwS0pudWFpSUt0eHFBdiZlPTAmdD0xNDcwNzM2OTQwJnI9NDkwMjU4OTQzJmY9LzIwMDAwMS9uZXdidWNrZXQvJUU2JUI1JThCJUU4JUFGJTk1JTIwZGlyL2ElMkJifmMudHh0JmI9bmV3YnVja2V0',
  );
  // The spec prints TV-7's Sign without the plaintext's final "&b=newbucket"
  // (an erratum: its 20-byte digest is the HMAC of the full Original it states).
  const dl = Buffer.from(signDownload(CRED, 'newbucket', '/tencent_test.jpg', 1470737000, T), 'base64');
  const printed = Buffer.from('cPJPaJPnpjwgyQQicr7EZBB6zC9hPTIwMDAwMSZrPUFLSURVZkxVRVVpZ1FpWHFtN0NWU3NwS0pudWFpSUt0eHFBdiZlPTE0NzA3MzcwMDAmdD0xNDcwNzM2OTQwJnI9NDkwMjU4OTQzJmY9L3RlbmNlbnRfdGVzdC5qcGc=', 'base64');
  assert.deepEqual(dl.subarray(0, 20), printed.subarray(0, 20));
  assert.equal(dl.subarray(20).toString(), 'a=200001&k=AKIDUfLUEUigQiXqm7CVSspKJnuaiIKtxqAv&e=1470737000&t=1470736940&r=490258943&f=/tencent_test.jpg&b=newbucket');
});

test('an expiry smaller than now is a duration, as in the Python SDK', () => {
  const p = parseCosSignature(signMore(CRED, 'newbucket', '/x', 300, T));
  assert.equal(p.expired, T.now + 300);
});

test('parsing reads fields by name in either order and verifies the digest', () => {
  for (const order of ['sdk', 'documented'] as const) {
    const p = parseCosSignature(signOnce(CRED, 'newbucket', '/a b.txt', { ...T, order }));
    assert.equal(p.appid, '200001');
    assert.equal(p.bucket, 'newbucket');
    assert.equal(p.secretId, CRED.secretId);
    assert.equal(p.expired, 0);
    assert.equal(p.now, T.now);
    assert.equal(p.fileid, '/200001/newbucket/a%20b.txt');
    assert.ok(cosDigestMatches(p, CRED.secretKey));
    assert.ok(!cosDigestMatches(p, 'another-secret'));
  }
});

const reason = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StorageError);
    return e.detail.reason;
  }
  return 'accepted';
};

test('malformed signatures are refused with their reason', () => {
  assert.equal(reason(() => parseCosSignature('')), 'sign-empty');
  assert.equal(reason(() => parseCosSignature('not base64!')), 'sign-malformed');
  assert.equal(reason(() => parseCosSignature(Buffer.alloc(10).toString('base64'))), 'sign-malformed');
  assert.equal(reason(() => parseCosSignature(Buffer.concat([Buffer.alloc(20), Buffer.from('a=1&k=x')]).toString('base64'))), 'sign-malformed');
});

test('authentication checks appid, bucket, SecretID and HMAC in turn', async () => {
  const lookup = async (id: string) => (id === CRED.secretId ? { secretKey: CRED.secretKey, appid: '200001', accountId: 'root' } : undefined);
  const sign = signMore(CRED, 'newbucket', '/x', 600);
  const target = { appid: '200001', bucket: 'newbucket', appidExists: async () => true };
  const ok = await authenticateCos(sign, target, lookup);
  assert.equal(ok.accountId, 'root');
  assert.equal(ok.once, false);
  const why = async (p: Promise<unknown>) => p.then(() => 'accepted', (e: StorageError) => e.detail.reason);
  assert.equal(await why(authenticateCos(sign, { ...target, appid: '200002' }, lookup)), 'appid-mismatch');
  assert.equal(await why(authenticateCos(sign, { ...target, appidExists: async () => false }, lookup)), 'appid-unknown');
  assert.equal(await why(authenticateCos(sign, { ...target, bucket: 'other' }, lookup)), 'bucket-mismatch');
  assert.equal(await why(authenticateCos(signMore({ ...CRED, secretId: 'nobody' }, 'newbucket', '/x', 600), target, lookup)), 'secretid-unknown');
  assert.equal(
    await why(authenticateCos(sign, target, async () => ({ secretKey: CRED.secretKey, appid: '999', accountId: 'other' }))),
    'secretid-appid',
  );
  assert.equal(await why(authenticateCos(signMore({ ...CRED, secretKey: 'wrong' }, 'newbucket', '/x', 600), target, lookup)), 'auth-failed');
});

test('use checks: kinds, expiry, validity, binding with prefix matching', () => {
  const now = 1_700_000_000;
  const file = { fileid: '/200001/newbucket/dir/a b.txt', path: '/dir/a b.txt' };
  const more = (path: string, e: number, t = now) => parseCosSignature(signMore(CRED, 'newbucket', path, e, { now: t, rand: 1 }));
  const once = (path: string, t = now) => parseCosSignature(signOnce(CRED, 'newbucket', path, { now: t, rand: 1 }));
  assert.equal(reason(() => checkCosUse(more('/dir/a b.txt', now + 60), 'multi', file, now, 900)), 'accepted');
  assert.equal(reason(() => checkCosUse(more('/dir/', now + 60), 'multi', file, now, 900)), 'accepted');
  assert.equal(reason(() => checkCosUse(more('/other/', now + 60), 'multi', file, now, 900)), 'fileid-mismatch');
  assert.equal(reason(() => checkCosUse(more('/dir/a b.txt', now + 60, now - 120), 'multi', file, now + 61, 900)), 'expired');
  assert.equal(reason(() => checkCosUse(more('/dir/a b.txt', now + 7_776_001), 'multi', file, now, 900)), 'validity-too-long');
  assert.equal(reason(() => checkCosUse(once('/dir/a b.txt'), 'multi', file, now, 900)), 'multi-expired-empty');
  assert.equal(reason(() => checkCosUse(once('/dir/a b.txt'), 'once', file, now, 900)), 'accepted');
  assert.equal(reason(() => checkCosUse(once('/dir/'), 'once', file, now, 900)), 'fileid-mismatch');
  assert.equal(reason(() => checkCosUse(once('/dir/a b.txt', now - 901), 'once', file, now, 900)), 'expired');
  assert.equal(reason(() => checkCosUse(more('/dir/a b.txt', now + 60), 'once', file, now, 900)), 'once-expired-not-empty');
  const unbound = parseCosSignature(cosSign(CRED.secretKey, `a=200001&k=${CRED.secretId}&e=0&t=${now}&r=1&f=&b=newbucket`));
  assert.equal(reason(() => checkCosUse(unbound, 'once', file, now, 900)), 'once-no-fileid');
  const dl = parseCosSignature(signDownload(CRED, 'newbucket', '/dir/a b.txt', now + 60, { now, rand: 1 }));
  assert.equal(reason(() => checkCosUse(dl, 'download', file, now, 900)), 'accepted');
  assert.equal(reason(() => checkCosUse(dl, 'multi', file, now, 900)), 'fileid-mismatch');
  const tok = onceToken(once('/dir/a b.txt'), 900);
  assert.match(tok.token, /^[0-9a-f]{40}$/);
  assert.ok(tok.expiresAt > now * 1000);
});
