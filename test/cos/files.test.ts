/** COS v4 file operations through the project's COS client (the Python SDK v4 surface). */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rawRequest } from '../helpers/raw.js';
import { storedFiles } from '../helpers/server.js';
import { APPID, CRED, assertOk, bytes, signOnce, startCosServer, type CosTestServer } from './helpers.js';

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

async function readStream(s: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('COS files through the client', () => {
  let t: CosTestServer;
  let b: string;
  let tmp: string;
  before(async () => {
    t = await startCosServer();
    b = t.bucket;
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cos-files-'));
    assertOk(await t.cos.createFolder({ bucket: b, cosPath: '/docs/' }));
  });
  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
    await t.stop();
  });

  it('uploads a local file (the spec example 111.txt) and stats it', async () => {
    const local = path.join(tmp, '111.txt');
    await fs.writeFile(local, 'hello, I am 111.txt.\n');
    const up = assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/docs/111.txt', localPath: local, bizAttr: 'demo' }));
    assert.equal(up.message, 'SUCCESS');
    assert.equal(up.data!.resource_path, `/${APPID}/${b}/docs/111.txt`);
    assert.match(up.data!.url, new RegExp(`/files/v2/${APPID}/${b}/docs/111\\.txt$`));
    const st = assertOk(await t.cos.statFile({ bucket: b, cosPath: '/docs/111.txt' }));
    assert.equal(st.data!.name, '111.txt');
    assert.equal(st.data!.filesize, 21);
    assert.equal(st.data!.filelen, 21);
    assert.equal(st.data!.sha, '1fe86826617c3a32da4f06bccc71a2a718b274c6');
    assert.equal(st.data!.biz_attr, 'demo');
    assert.equal(st.data!.authority, 'eInvalid');
    assert.equal(typeof st.data!.ctime, 'number');
    assert.equal(typeof st.data!.mtime, 'number');
    assert.equal(st.data!.access_url, up.data!.access_url);
    assert.equal(st.data!.source_url, up.data!.source_url);
    assert.equal(st.data!.custom_headers, undefined);
  });

  it('refuses to overwrite by default (insertOnly=1) and overwrites with insertOnly=0', async () => {
    const first = Buffer.from('first version');
    assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/docs/over.txt', data: first }));
    const again = await t.cos.uploadFile({ bucket: b, cosPath: '/docs/over.txt', data: Buffer.from('second') });
    assert.equal(again.code, -177);
    assert.equal(again.message, 'ERROR_CMD_COS_FILE_EXIST');
    assert.equal((await t.cos.statFile({ bucket: b, cosPath: '/docs/over.txt' })).data!.sha, sha1(first));
    assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/docs/over.txt', data: Buffer.from('second'), insertOnly: 0 }));
    assert.equal((await t.cos.statFile({ bucket: b, cosPath: '/docs/over.txt' })).data!.filesize, 6);
  });

  it('refuses a file of more than 20 MB in one request (locally, as the SDK does)', async () => {
    const r = await t.cos.uploadSingleFile({ bucket: b, cosPath: '/docs/huge.bin', data: Buffer.alloc(20 * 1024 * 1024 + 1) });
    assert.equal(r.code, -2);
    assert.match(r.message, /too big/);
  });

  it('checks paths locally like the SDK (code -1)', async () => {
    assert.equal((await t.cos.uploadFile({ bucket: b, cosPath: 'docs/x.txt', data: Buffer.from('x') })).code, -1);
    assert.equal((await t.cos.uploadFile({ bucket: b, cosPath: '/docs/x/', data: Buffer.from('x') })).code, -1);
    assert.equal((await t.cos.statFile({ bucket: b, cosPath: '/a//b.txt' })).code, -1);
    assert.equal((await t.cos.createFolder({ bucket: b, cosPath: '/' })).code, -1);
    assert.equal((await t.cos.listFolder({ bucket: b, cosPath: '/docs/', num: 200 })).code, -1);
  });

  it('updates biz_attr, authority and custom headers; the headers are the object metadata other front ends see', async () => {
    assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/docs/report.pdf', data: bytes(3000) }));
    const before = (await t.cos.statFile({ bucket: b, cosPath: '/docs/report.pdf' })).data!;
    assertOk(
      await t.cos.updateFile({
        bucket: b,
        cosPath: '/docs/report.pdf',
        bizAttr: '这是个demo文件',
        authority: 'eWPrivateRPublic',
        customHeaders: { cacheControl: 'no', contentType: 'application/pdf', contentLanguage: 'ch', xCosMeta: { 'x-cos-meta-owner': 'alice' } },
      }),
    );
    const st = (await t.cos.statFile({ bucket: b, cosPath: '/docs/report.pdf' })).data!;
    assert.equal(st.biz_attr, '这是个demo文件');
    assert.equal(st.authority, 'eWPrivateRPublic');
    assert.deepEqual(st.custom_headers, { 'Cache-Control': 'no', 'Content-Type': 'application/pdf', 'Content-Language': 'ch', 'x-cos-meta-owner': 'alice' });
    assert.equal(st.ctime, before.ctime);
    assert.equal(st.sha, before.sha);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'docs/report.pdf' }));
    assert.equal(head.ContentType, 'application/pdf');
    assert.equal(head.CacheControl, 'no');
    assert.equal(head.ContentLanguage, 'ch');
    assert.deepEqual(head.Metadata, { owner: 'alice' });

    // custom_headers replace the whole set (the SDK documentation's rule).
    assertOk(await t.cos.updateFile({ bucket: b, cosPath: '/docs/report.pdf', customHeaders: { contentDisposition: 'attachment; filename="r.pdf"' } }));
    const st2 = (await t.cos.statFile({ bucket: b, cosPath: '/docs/report.pdf' })).data!;
    assert.deepEqual(st2.custom_headers, { 'Content-Disposition': 'attachment; filename="r.pdf"' });
    assert.equal(st2.biz_attr, '这是个demo文件', 'fields not sent stay');
    assertOk(await t.cos.updateFile({ bucket: b, cosPath: '/docs/report.pdf', authority: 'eInvalid' }));
    assert.equal((await t.cos.statFile({ bucket: b, cosPath: '/docs/report.pdf' })).data!.authority, 'eInvalid');
  });

  it('refuses custom headers outside the whitelist and unknown authorities', async () => {
    const r = await t.api(t.apiPath('/docs/report.pdf'), {
      sign: signOnce(CRED, b, '/docs/report.pdf'),
      json: { op: 'update', custom_headers: { 'X-Evil': 'yes' } },
    });
    assert.equal(r.json.code, -5999);
    assert.equal((await t.cos.updateFile({ bucket: b, cosPath: '/docs/report.pdf', authority: 'eNope' as never })).code, -1);
  });

  it('downloads whole files and ranges at the path form, with the download signature', async () => {
    const data = bytes(100_000, 9);
    assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/docs/dl.bin', data }));
    assert.deepEqual(await readStream(await t.cos.downloadObject({ bucket: b, cosPath: '/docs/dl.bin' })), data);
    assert.deepEqual(await readStream(await t.cos.downloadObject({ bucket: b, cosPath: '/docs/dl.bin', rangeStart: 10, rangeEnd: 19 })), data.subarray(10, 20));
    const local = path.join(tmp, 'dl.bin');
    assert.deepEqual(await t.cos.downloadFile({ bucket: b, cosPath: '/docs/dl.bin', localFilename: local }), { code: 0, message: 'download successfully' });
    assert.deepEqual(await fs.readFile(local), data);
    const missing = await t.cos.downloadFile({ bucket: b, cosPath: '/docs/none.bin', localFilename: local });
    assert.equal(missing.code, 1);
  });

  it('downloads at the host form <bucket>-<appid>.<domain> and sends the custom headers', async () => {
    assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/docs/page.html', data: Buffer.from('<p>hi</p>') }));
    assertOk(await t.cos.updateFile({ bucket: b, cosPath: '/docs/page.html', customHeaders: { contentType: 'text/html', xCosMeta: { 'x-cos-meta-a': '1' } } }));
    const url = new URL(t.cos.downloadUrl(b, '/docs/page.html'));
    const sign = url.searchParams.get('sign')!;
    // The Python SDK puts the Base64 signature in the URL unencoded ('+' and all).
    const r = await rawRequest(`${t.url}/docs/page.html?sign=${sign}`, { headers: { host: `${b}-${APPID}.file.localhost:${t.port}`, range: 'bytes=3-' } });
    assert.equal(r.status, 206);
    assert.equal(r.body.toString(), 'hi</p>');
    assert.equal(r.headers['content-type'], 'text/html');
    assert.equal(r.headers['x-cos-meta-a'], '1');
    assert.equal(r.headers['content-range'], 'bytes 3-8/9');
    const head = await rawRequest(`${t.url}/docs/page.html?sign=${encodeURIComponent(sign)}`, { method: 'HEAD', headers: { host: `${b}-${APPID}.file.localhost` } });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '9');
  });

  it('refuses downloads without a valid signature, of missing files, and unsatisfiable ranges', async () => {
    const base = `${t.url}/cos-download/${b}-${APPID}/docs/dl.bin`;
    const unsigned = await rawRequest(base);
    assert.equal(unsigned.status, 403);
    assert.equal(JSON.parse(unsigned.body.toString()).code, -403);
    const other = new URL(t.cos.downloadUrl(b, '/docs/page.html')).searchParams.get('sign')!;
    assert.equal((await rawRequest(`${base}?sign=${encodeURIComponent(other)}`)).status, 403, 'a signature bound to another file');
    const sign = new URL(t.cos.downloadUrl(b, '/docs/nothing.bin')).searchParams.get('sign')!;
    assert.equal((await rawRequest(`${t.url}/cos-download/${b}-${APPID}/docs/nothing.bin?sign=${encodeURIComponent(sign)}`)).status, 404);
    const own = new URL(t.cos.downloadUrl(b, '/docs/dl.bin')).searchParams.get('sign')!;
    const bad = await rawRequest(`${base}?sign=${encodeURIComponent(own)}`, { headers: { range: 'bytes=999999-' } });
    assert.equal(bad.status, 416);
    assert.equal(bad.headers['content-range'], 'bytes */100000');
    // Not a download: an (unsigned) S3 request, for a bucket named `cos-download` that does not exist.
    const notDownload = await rawRequest(`${base}?sign=${encodeURIComponent(own)}`, { method: 'DELETE' });
    assert.equal(notDownload.status, 404, 'not a download: an S3 request');
    assert.match(notDownload.body.toString(), /<Code>NoSuchBucket<\/Code>/);
  });

  it('moves (renames) within a folder and to another folder, honouring to_over_write', async () => {
    assertOk(await t.cos.createFolder({ bucket: b, cosPath: '/archive/' }));
    const data = Buffer.from('move me');
    assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/docs/m1.txt', data, bizAttr: 'keep' }));
    assertOk(await t.cos.moveFile({ bucket: b, cosPath: '/docs/m1.txt', destPath: 'm2.txt' }));
    assert.equal((await t.cos.statFile({ bucket: b, cosPath: '/docs/m1.txt' })).code, -197);
    const moved = assertOk(await t.cos.statFile({ bucket: b, cosPath: '/docs/m2.txt' })).data!;
    assert.equal(moved.sha, sha1(data));
    assert.equal(moved.biz_attr, 'keep');
    assertOk(await t.cos.moveFile({ bucket: b, cosPath: '/docs/m2.txt', destPath: '/archive/m3.txt' }));
    assert.equal((await t.cos.statFile({ bucket: b, cosPath: '/archive/m3.txt' })).data!.filesize, data.length);

    assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/docs/m4.txt', data: Buffer.from('other') }));
    const clash = await t.cos.moveFile({ bucket: b, cosPath: '/docs/m4.txt', destPath: '/archive/m3.txt' });
    assert.equal(clash.code, -177);
    assert.equal((await t.cos.statFile({ bucket: b, cosPath: '/docs/m4.txt' })).code, 0, 'the source stays when the move fails');
    assertOk(await t.cos.moveFile({ bucket: b, cosPath: '/docs/m4.txt', destPath: '/archive/m3.txt', overwrite: true }));
    assert.equal((await t.cos.statFile({ bucket: b, cosPath: '/archive/m3.txt' })).data!.sha, sha1(Buffer.from('other')));
    assert.equal((await t.cos.moveFile({ bucket: b, cosPath: '/archive/m3.txt', destPath: '/nowhere/m3.txt' })).code, -166, 'missing destination folder');
    assert.equal((await t.cos.moveFile({ bucket: b, cosPath: '/docs/none.txt', destPath: '/docs/n2.txt' })).code, -197);
  });

  it('copies, keeping the source, and shares the data', async () => {
    const data = bytes(70_000, 4);
    assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/docs/c1.bin', data }));
    const before = (await storedFiles(t.dataDir)).length;
    assertOk(await t.cos.copyFile({ bucket: b, cosPath: '/docs/c1.bin', destPath: '/archive/c2.bin' }));
    assert.equal((await storedFiles(t.dataDir)).length, before, 'no data copied');
    assert.equal((await t.cos.copyFile({ bucket: b, cosPath: '/docs/c1.bin', destPath: '/archive/c2.bin' })).code, -177);
    assertOk(await t.cos.delFile({ bucket: b, cosPath: '/docs/c1.bin' }));
    assert.deepEqual(await readStream(await t.cos.downloadObject({ bucket: b, cosPath: '/archive/c2.bin' })), data);
  });

  it('deletes files; a missing file is -197 and its blob is gone', async () => {
    const before = (await storedFiles(t.dataDir)).length;
    assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/docs/gone.txt', data: Buffer.from('bye') }));
    assertOk(await t.cos.delFile({ bucket: b, cosPath: '/docs/gone.txt' }));
    assert.equal((await storedFiles(t.dataDir)).length, before);
    const again = await t.cos.delFile({ bucket: b, cosPath: '/docs/gone.txt' });
    assert.equal(again.code, -197);
    assert.equal(again.message, 'ERROR_CMD_FILE_NOTEXIST');
  });

  it('handles non-ASCII paths and spaces (encoded fileids)', async () => {
    assertOk(await t.cos.createFolder({ bucket: b, cosPath: '/测试 dir/' }));
    const data = Buffer.from('unicode');
    assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/测试 dir/a+b~c.txt', data }));
    assert.equal((await t.cos.statFile({ bucket: b, cosPath: '/测试 dir/a+b~c.txt' })).data!.filesize, data.length);
    const list = assertOk(await t.cos.listFolder({ bucket: b, cosPath: '/测试 dir/' }));
    assert.deepEqual(list.data!.infos.map((i: { name: string }) => i.name), ['a+b~c.txt']);
    assert.deepEqual(await readStream(await t.cos.downloadObject({ bucket: b, cosPath: '/测试 dir/a+b~c.txt' })), data);
    assertOk(await t.cos.delFile({ bucket: b, cosPath: '/测试 dir/a+b~c.txt' }));
    assertOk(await t.cos.delFolder({ bucket: b, cosPath: '/测试 dir/' }));
  });
});

describe('the client signature helpers (sign_more, sign_once, sign_download)', () => {
  let t: CosTestServer;
  before(async () => {
    t = await startCosServer();
    assertOk(await t.cos.createFolder({ bucket: t.bucket, cosPath: '/pic/' }));
    assertOk(await t.cos.uploadFile({ bucket: t.bucket, cosPath: '/pic/1.jpg', data: Buffer.from('jpeg') }));
  });
  after(() => t.stop());

  it('sign raw requests the server accepts', async () => {
    const expired = Math.floor(Date.now() / 1000) + 600;
    const stat = await t.api(t.apiPath('/pic/1.jpg'), { method: 'GET', query: 'op=stat', sign: t.cos.auth.signMore(t.bucket, '/pic/1.jpg', expired) });
    assert.equal(stat.json.code, 0);
    assert.notEqual(stat.headers.connection, 'close', 'a bodiless request keeps its connection');
    const update = await t.api(t.apiPath('/pic/1.jpg'), { json: { op: 'update', biz_attr: 'signed once' }, sign: t.cos.auth.signOnce(t.bucket, '/pic/1.jpg') });
    assert.equal(update.json.code, 0);
    const sign = t.cos.auth.signDownload(t.bucket, '/pic/1.jpg', expired);
    const dl = await rawRequest(`${t.url}/cos-download/${t.bucket}-${APPID}/pic/1.jpg?sign=${encodeURIComponent(sign)}`);
    assert.equal(dl.body.toString(), 'jpeg');
  });
});
