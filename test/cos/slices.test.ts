/** COS v4 slice uploads: through the client (parallel, serial, resumed, instant) and raw for the edge cases. */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { sliceShas } from '../../src/digest/sha1-state.js';
import type { CosResult } from '../../src/sdk/cos/client.js';
import type { FormField } from '../../src/sdk/cos/form.js';
import { buildForm } from '../../src/sdk/cos/form.js';
import { signMore } from '../../src/auth/cos-v4.js';
import { storedFiles } from '../helpers/server.js';
import { CRED, assertOk, bytes, startCosServer, type CosTestServer } from './helpers.js';
import { waitFor } from '../helpers/wait.js';

const KB512 = 524288;
const json = async (r: Promise<{ json: CosResult }>) => (await r).json;
const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

describe('COS slice uploads', () => {
  let t: CosTestServer;
  let b: string;
  before(async () => {
    // upload_file slices from 600 KB here (the Python SDK: 8 MB), to keep the data small.
    t = await startCosServer({}, { sliceThreshold: 600 * 1024 });
    b = t.bucket;
    assertOk(await t.cos.createFolder({ bucket: b, cosPath: '/big/' }));
  });
  after(() => t.stop());

  const s3Bytes = async (key: string) => Buffer.from(await (await t.s3.send(new GetObjectCommand({ Bucket: b, Key: key }))).Body!.transformToByteArray());
  const form = (cosPath: string, fields: FormField[]) => t.api(t.apiPath(cosPath), { form: fields });
  const init = (cosPath: string, data: Buffer, extra: FormField[] = []) =>
    form(cosPath, [
      { name: 'op', value: 'upload_slice_init' },
      { name: 'filesize', value: String(data.length) },
      { name: 'slice_size', value: String(KB512) },
      ...extra,
    ]);
  const declared = (data: Buffer): FormField[] => {
    const parts = sliceShas(data, KB512);
    return [
      { name: 'sha', value: parts[parts.length - 1]!.datasha },
      { name: 'uploadparts', value: JSON.stringify(parts) },
    ];
  };
  const slice = (cosPath: string, session: string, offset: number, data: Buffer, opFirst = false) =>
    form(
      cosPath,
      opFirst
        ? [
            { name: 'op', value: 'upload_slice_data' },
            { name: 'session', value: session },
            { name: 'offset', value: String(offset) },
            { name: 'filecontent', value: data },
          ]
        : [
            { name: 'offset', value: String(offset) },
            { name: 'session', value: session },
            { name: 'filecontent', value: data, filename: 'blob' },
            { name: 'op', value: 'upload_slice_data' },
          ],
    );
  const finish = (cosPath: string, session: string, size: number, sha?: string) =>
    form(cosPath, [
      { name: 'op', value: 'upload_slice_finish' },
      { name: 'session', value: session },
      { name: 'filesize', value: String(size) },
      ...(sha ? [{ name: 'sha', value: sha }] : []),
    ]);

  it('uploads in parallel slices with declared SHA-1 states; the file reads back through S3', async () => {
    const data = bytes(KB512 * 3 + 1234, 11);
    const sent: number[] = [];
    const r = assertOk(
      await t.cos.uploadFile({ bucket: b, cosPath: '/big/parallel.bin', data, sliceSize: KB512, maxCon: 3, bizAttr: 'sliced', onSlice: (s) => void sent.push(s.offset) }),
    );
    assert.match(r.data!.access_url, /big\/parallel\.bin$/);
    assert.deepEqual(sent.sort((x, y) => x - y), [0, KB512, 2 * KB512, 3 * KB512]);
    assert.deepEqual(await s3Bytes('big/parallel.bin'), data);
    const st = assertOk(await t.cos.statFile({ bucket: b, cosPath: '/big/parallel.bin' })).data!;
    assert.equal(st.sha, sha1(data));
    assert.equal(st.filesize, data.length);
    assert.equal(st.biz_attr, 'sliced');
    // Finished: upload_slice_list answers with the file's addresses.
    const list = assertOk(await t.cos.uploadSliceList(b, '/big/parallel.bin'));
    assert.equal(list.data!.access_url, r.data!.access_url);
  });

  it('uploads serially without declared states; the server computes the SHA-1 across slices', async () => {
    const data = bytes(KB512 * 2 + 77, 12);
    assertOk(await t.cos.uploadSliceFile({ bucket: b, cosPath: '/big/serial.bin', data, sliceSize: KB512, enableSha1: false, maxCon: 4 }));
    assert.deepEqual(await s3Bytes('big/serial.bin'), data);
    assert.equal((await t.cos.statFile({ bucket: b, cosPath: '/big/serial.bin' })).data!.sha, sha1(data));
  });

  for (const enableSha1 of [true, false]) {
    it(`resumes an interrupted upload (-4019, upload_slice_list) sending only the missing slices${enableSha1 ? '' : ', serial'}`, async () => {
      const data = bytes(KB512 * 4 + 10, enableSha1 ? 13 : 14);
      const path = `/big/resume-${enableSha1}.bin`;
      let n = 0;
      await assert.rejects(
        t.cos.uploadSliceFile({
          bucket: b,
          cosPath: path,
          data,
          sliceSize: KB512,
          enableSha1,
          onSlice: () => {
            if (++n === 2) throw new Error('interrupted');
          },
        }),
        /interrupted/,
      );
      const pending = assertOk(await t.cos.uploadSliceList(b, path)).data!;
      assert.deepEqual(pending.listparts, [
        { offset: 0, datalen: KB512 },
        { offset: KB512, datalen: KB512 },
      ]);
      assert.equal(pending.slice_size, KB512);
      const resumed: number[] = [];
      assertOk(await t.cos.uploadSliceFile({ bucket: b, cosPath: path, data, sliceSize: KB512, enableSha1, onSlice: (s) => void resumed.push(s.offset) }));
      assert.deepEqual(resumed, [2 * KB512, 3 * KB512, 4 * KB512]);
      assert.deepEqual(await s3Bytes(path.slice(1)), data);
      assert.equal((await t.cos.statFile({ bucket: b, cosPath: path })).data!.sha, sha1(data));
    });
  }

  // qcloud_cos (Python SDK v4) builds its form from a dict: op, filecontent, session, offset, sha.
  const sdkSlice = (cosPath: string, session: string, offset: number, data: Buffer, sha?: string) =>
    form(cosPath, [
      { name: 'op', value: 'upload_slice_data' },
      { name: 'filecontent', value: data, filename: 'filecontent' },
      { name: 'session', value: session },
      { name: 'offset', value: String(offset) },
      ...(sha ? [{ name: 'sha', value: sha }] : []),
    ]);

  it("accepts slices whose session and offset follow the data (qcloud_cos's order), in parallel with declared states", async () => {
    const data = bytes(KB512 * 3 + 999, 31);
    const decl = declared(data);
    const session = assertOk(await json(init('/big/sdk-order.bin', data, decl))).data!.session;
    const whole = decl[0]!.value as string;
    const offsets = [0, KB512, 2 * KB512, 3 * KB512];
    const answers = await Promise.all(offsets.reverse().map((o) => json(sdkSlice('/big/sdk-order.bin', session, o, data.subarray(o, o + KB512), whole))));
    for (const a of answers) assertOk(a, 'slice');
    assertOk(await json(finish('/big/sdk-order.bin', session, data.length, whole)));
    assert.deepEqual(await s3Bytes('big/sdk-order.bin'), data);
    assert.equal(assertOk(await t.cos.statFile({ bucket: b, cosPath: '/big/sdk-order.bin' })).data!.sha, sha1(data));
  });

  it("accepts serial slices in qcloud_cos's order; a wrong session or offset after the data is refused and nothing is kept", async () => {
    const data = bytes(KB512 + 10, 32);
    const session = assertOk(await json(init('/big/sdk-serial.bin', data))).data!.session;
    const before = (await storedFiles(t.dataDir)).length;
    assert.equal((await json(sdkSlice('/big/sdk-serial.bin', 'no-such-session', 0, data.subarray(0, KB512)))).code, -5983);
    assert.equal((await json(sdkSlice('/big/sdk-serial.bin', session, 100, data.subarray(0, KB512)))).code, -290);
    assert.equal((await storedFiles(t.dataDir)).length, before, 'the staged slices were removed');
    assertOk(await json(sdkSlice('/big/sdk-serial.bin', session, 0, data.subarray(0, KB512))));
    assertOk(await json(sdkSlice('/big/sdk-serial.bin', session, KB512, data.subarray(KB512))));
    assertOk(await json(finish('/big/sdk-serial.bin', session, data.length)));
    assert.deepEqual(await s3Bytes('big/sdk-serial.bin'), data);
    assert.equal(assertOk(await t.cos.statFile({ bucket: b, cosPath: '/big/sdk-serial.bin' })).data!.sha, sha1(data));
  });

  it('a slice sent again while the upload finishes: the finish fails (-174) rather than store an unchecked SHA-1; a second finish joins the new slice', async () => {
    const data = bytes(KB512 + 300, 33);
    const path = '/big/refinish.bin';
    const session = assertOk(await json(init(path, data))).data!.session;
    assertOk(await json(sdkSlice(path, session, 0, data.subarray(0, KB512))));
    assertOk(await json(sdkSlice(path, session, KB512, data.subarray(KB512))));
    const changed = Buffer.from(data);
    changed.fill(7, KB512);
    // The last slice, different, stored between the finish's checks and its commit.
    const original = t.engine.commitVersion.bind(t.engine);
    let resent = 0;
    t.engine.commitVersion = (async (...args: Parameters<typeof original>) => {
      if (args[1] === 'big/refinish.bin' && resent++ === 0) assertOk(await json(sdkSlice(path, session, KB512, changed.subarray(KB512))));
      return original(...args);
    }) as typeof original;
    try {
      assert.equal((await json(finish(path, session, data.length))).code, -174);
    } finally {
      t.engine.commitVersion = original;
    }
    assert.equal(resent, 1);
    assertOk(await json(finish(path, session, data.length)));
    assert.deepEqual(await s3Bytes(path.slice(1)), changed);
    assert.equal(assertOk(await t.cos.statFile({ bucket: b, cosPath: path })).data!.sha, sha1(changed));
  });

  it('completes instantly when the identical file is already there', async () => {
    const data = bytes(KB512 * 2 + 5, 15);
    assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/big/same.bin', data, sliceSize: KB512 }));
    let sent = 0;
    const again = assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/big/same.bin', data, sliceSize: KB512, onSlice: () => void sent++ }));
    assert.equal(sent, 0);
    assert.match(again.data!.access_url, /same\.bin$/);
    // Different content under insertOnly=1 is refused at init.
    assert.equal((await t.cos.uploadFile({ bucket: b, cosPath: '/big/same.bin', data: bytes(KB512 * 2 + 5, 16), sliceSize: KB512 })).code, -177);
  });

  it('uploads an empty file and a one-slice file (the reference example: 36864 bytes, 512 KB slices)', async () => {
    assertOk(await t.cos.uploadSliceFile({ bucket: b, cosPath: '/big/empty.bin', data: Buffer.alloc(0), sliceSize: KB512 }));
    assert.equal((await t.cos.statFile({ bucket: b, cosPath: '/big/empty.bin' })).data!.sha, sha1(Buffer.alloc(0)));
    const data = bytes(36864, 17);
    const i = assertOk(await json(init('/big/111.txt', data)));
    assert.equal(i.data!.slice_size, KB512);
    assert.equal(i.data!.serial_upload, 1);
    const d = assertOk(await json(slice('/big/111.txt', i.data!.session, 0, data, true)));
    assert.deepEqual(d.data, { datalen: 36864, offset: 0, session: i.data!.session });
    assertOk(await json(finish('/big/111.txt', i.data!.session, data.length, sha1(data))));
    assert.deepEqual(await s3Bytes('big/111.txt'), data);
  });

  it('keeps one open session per path: the same file gets -4019, another file replaces it', async () => {
    const data = bytes(KB512 + 1, 18);
    const first = assertOk(await json(init('/big/one.bin', data, declared(data))));
    const again = await init('/big/one.bin', data, declared(data));
    assert.equal(again.json.code, -4019);
    assert.equal(again.json.message, 'ErrOffsetToZero');
    const listed = assertOk(await json(form('/big/one.bin', [{ name: 'op', value: 'upload_slice_list' }])));
    assert.equal(listed.data!.session, first.data!.session);
    assert.deepEqual(listed.data!.listparts, []);
    const other = bytes(KB512 + 1, 19);
    const second = assertOk(await json(init('/big/one.bin', other, declared(other))));
    assert.notEqual(second.data!.session, first.data!.session);
    assert.equal((await slice('/big/one.bin', first.data!.session, 0, data.subarray(0, KB512))).json.code, -5983, 'the replaced session is gone');
  });

  it('checks offsets, slice lengths, declared states and sessions', async () => {
    const data = bytes(KB512 * 3, 20);
    const serial = assertOk(await json(init('/big/check.bin', data))).data!.session;
    const s = (offset: number, body: Buffer) => slice('/big/check.bin', serial, offset, body);
    assert.equal((await s(100, data.subarray(100, 200))).json.code, -290, 'not a slice start');
    assert.equal((await s(KB512 * 3, Buffer.alloc(10))).json.code, -290, 'past the end');
    assert.equal((await s(KB512, data.subarray(KB512, 2 * KB512))).json.code, -290, 'serial: slice 1 before slice 0');
    assert.equal((await s(0, data.subarray(0, 1000))).json.code, -284, 'short slice');
    assert.equal((await s(0, Buffer.alloc(KB512 + 1))).json.code, -5991, 'slice too large');
    assertOk(await json(s(0, data.subarray(0, KB512))));
    assertOk(await json(s(0, data.subarray(0, KB512))), 'sending a slice again is fine');
    assertOk(await json(s(KB512, data.subarray(KB512, 2 * KB512))));
    assert.equal((await s(0, bytes(KB512, 99))).json.code, -4015, 'a different slice 0 would break the chain slice 1 was built on');
    assert.equal((await finish('/big/check.bin', serial, data.length)).json.code, -175, 'a slice is missing');
    assert.equal((await finish('/big/check.bin', serial, data.length + 1)).json.code, -175, 'filesize differs');
    assert.equal((await finish('/big/check.bin', 'nosuchsession', data.length)).json.code, -5983);
    assert.equal((await form('/big/check.bin', [{ name: 'op', value: 'upload_slice_finish' }, { name: 'filesize', value: '1' }])).json.code, -95);
    assert.equal((await slice('/big/other.bin', serial, 0, data.subarray(0, KB512))).json.code, -5983, 'a session of another path');
    assertOk(await json(s(2 * KB512, data.subarray(2 * KB512))));
    const wrong = await finish('/big/check.bin', serial, data.length, sha1(Buffer.from('not it')));
    assert.equal(wrong.json.code, -174);
    assert.equal(wrong.json.message, 'ERROR_CMD_COS_SHA_NOT_EQU');
    assertOk(await json(finish('/big/check.bin', serial, data.length, sha1(data))));
    assert.deepEqual(await s3Bytes('big/check.bin'), data);

    const parallelData = bytes(KB512 * 2, 21);
    const p = assertOk(await json(init('/big/declared.bin', parallelData, declared(parallelData)))).data!;
    assert.equal(p.serial_upload, 0);
    const bad = await slice('/big/declared.bin', p.session, KB512, bytes(KB512, 22));
    assert.equal(bad.json.code, -4016, 'the slice does not match its declared datasha');
    assertOk(await json(slice('/big/declared.bin', p.session, KB512, parallelData.subarray(KB512))), 'slices in any order');
    assertOk(await json(slice('/big/declared.bin', p.session, 0, parallelData.subarray(0, KB512))));
    assertOk(await json(finish('/big/declared.bin', p.session, parallelData.length)));
    assert.deepEqual(await s3Bytes('big/declared.bin'), parallelData);
  });

  it('adopts a valid slice size and refuses inconsistent declarations', async () => {
    const data = bytes(1000, 23);
    const odd = assertOk(await json(form('/big/odd.bin', [{ name: 'op', value: 'upload_slice_init' }, { name: 'filesize', value: '1000' }, { name: 'slice_size', value: '65536' }])));
    assert.equal(odd.data!.slice_size, KB512, 'the next valid size');
    const parts = sliceShas(data, KB512);
    const mismatch = await init('/big/bad-decl.bin', data, [
      { name: 'sha', value: sha1(Buffer.from('other')) },
      { name: 'uploadparts', value: JSON.stringify(parts) },
    ]);
    assert.equal(mismatch.json.code, -174);
    assert.equal((await init('/big/bad-decl.bin', data, [{ name: 'uploadparts', value: '[{"offset":1}]' }])).json.code, -284);
    assert.equal((await init('/big/bad-decl.bin', data, [{ name: 'uploadparts', value: 'not json' }])).json.code, -5975);
    assert.equal((await form('/big/x.bin', [{ name: 'op', value: 'upload_slice_init' }])).json.code, -5971);
    assert.equal((await init('/nofolder/x.bin', data)).json.code, -166);
  });

  it('keeps a folder with an open session from being deleted', async () => {
    assertOk(await t.cos.createFolder({ bucket: b, cosPath: '/pending/' }));
    const data = bytes(KB512 + 1, 24);
    assertOk(await json(init('/pending/p.bin', data)));
    assert.equal((await t.cos.delFolder({ bucket: b, cosPath: '/pending/' })).code, -173);
  });

  it('stores nothing of a slice whose request is cut off', async () => {
    const data = bytes(KB512 * 2, 25);
    const session = assertOk(await json(init('/big/cut.bin', data))).data!.session;
    const f = buildForm([
      { name: 'session', value: session },
      { name: 'offset', value: '0' },
      { name: 'filecontent', value: data.subarray(0, KB512) },
      { name: 'op', value: 'upload_slice_data' },
    ]);
    const before = await storedFiles(t.dataDir);
    await new Promise<void>((resolve) => {
      const req = http.request(t.url + t.apiPath('/big/cut.bin'), {
        method: 'POST',
        headers: { authorization: signMore(CRED, b, '/big/cut.bin', 600), 'content-type': f.contentType, 'content-length': String(f.body.length) },
      });
      req.on('error', () => resolve());
      req.on('response', () => resolve());
      req.write(f.body.subarray(0, 200_000), () => setImmediate(() => req.destroy()));
    });
    // The server notices the cut and discards the partial slice: poll until its temp file is gone.
    await waitFor(async () => (await storedFiles(t.dataDir)).length === before.length, { what: 'the partial slice is discarded' });
    assert.deepEqual(await storedFiles(t.dataDir), before);
    assert.deepEqual(assertOk(await json(form('/big/cut.bin', [{ name: 'op', value: 'upload_slice_list' }]))).data!.listparts, []);
  });
});
