/** COS v4 folders through the client: create, stat, update, delete, and listing with paging, filters and order. */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { CosResult } from '../../src/sdk/cos/client.js';
import { assertOk, startCosServer, type CosTestServer } from './helpers.js';

type Info = { name: string; filesize?: number; sha?: string; ctime: number; mtime: number; biz_attr?: string };
const names = (r: CosResult) => (r.data!.infos as Info[]).map((i) => (i.filesize === undefined ? i.name + '/' : i.name));

describe('COS folders through the client', () => {
  let t: CosTestServer;
  let b: string;
  before(async () => {
    t = await startCosServer();
    b = t.bucket;
  });
  after(() => t.stop());

  it('creates, stats and updates a folder; creating it again is a path conflict', async () => {
    const c = assertOk(await t.cos.createFolder({ bucket: b, cosPath: '/sample_folder/', bizAttr: 'first' }));
    assert.equal(typeof c.data!.ctime, 'number');
    const again = await t.cos.createFolder({ bucket: b, cosPath: '/sample_folder/' });
    assert.equal(again.code, -178);
    assert.equal(again.message, 'ERROR_CMD_COS_PATH_CONFLICT');
    const st = assertOk(await t.cos.statFolder({ bucket: b, cosPath: '/sample_folder/' }));
    assert.deepEqual(st.data, { biz_attr: 'first', ctime: c.data!.ctime, mtime: c.data!.ctime });
    assertOk(await t.cos.updateFolder({ bucket: b, cosPath: '/sample_folder/', bizAttr: '这是一个测试目录' }));
    assert.equal((await t.cos.statFolder({ bucket: b, cosPath: '/sample_folder/' })).data!.biz_attr, '这是一个测试目录');
    assert.equal((await t.cos.statFolder({ bucket: b, cosPath: '/no_folder/' })).code, -197);
    assert.equal((await t.cos.updateFolder({ bucket: b, cosPath: '/no_folder/' })).code, -197);
    const root = assertOk(await t.cos.statFolder({ bucket: b, cosPath: '/' }));
    assert.equal(root.data!.biz_attr, '');
  });

  it('creates folders only inside existing folders', async () => {
    assert.equal((await t.cos.createFolder({ bucket: b, cosPath: '/a/b/' })).code, -166);
    assertOk(await t.cos.createFolder({ bucket: b, cosPath: '/a/' }));
    assertOk(await t.cos.createFolder({ bucket: b, cosPath: '/a/b/' }));
  });

  it('deletes a folder only when it is empty', async () => {
    assertOk(await t.cos.createFolder({ bucket: b, cosPath: '/full/' }));
    assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/full/x.txt', data: Buffer.from('x') }));
    const r = await t.cos.delFolder({ bucket: b, cosPath: '/full/' });
    assert.equal(r.code, -173);
    assert.equal(r.message, 'ERROR_CMD_COS_DIR_NOT_EMPTY');
    assertOk(await t.cos.createFolder({ bucket: b, cosPath: '/full/sub/' }));
    assertOk(await t.cos.delFile({ bucket: b, cosPath: '/full/x.txt' }));
    assert.equal((await t.cos.delFolder({ bucket: b, cosPath: '/full/' })).code, -173, 'a sub-folder is content');
    assertOk(await t.cos.delFolder({ bucket: b, cosPath: '/full/sub/' }));
    assertOk(await t.cos.delFolder({ bucket: b, cosPath: '/full/' }));
    assert.equal((await t.cos.statFolder({ bucket: b, cosPath: '/full/' })).code, -197);
    assert.equal((await t.cos.delFolder({ bucket: b, cosPath: '/full/' })).code, -197);
  });

  describe('listing', () => {
    const files = ['a1.txt', 'a2.txt', 'b1.txt', 'b2.txt', 'c.txt'];
    const dirs = ['a-dir/', 'b-dir/', 'z-dir/'];
    before(async () => {
      assertOk(await t.cos.createFolder({ bucket: b, cosPath: '/list/' }));
      for (const f of files) assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/list/' + f, data: Buffer.from(f) }));
      for (const d of dirs) assertOk(await t.cos.createFolder({ bucket: b, cosPath: '/list/' + d, bizAttr: 'hidden' }));
      // Content of a sub-folder does not show in its parent's listing.
      assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/list/a-dir/deep.txt', data: Buffer.from('deep') }));
    });

    it('lists direct children in name order, files with their fields, folders without biz_attr', async () => {
      const r = assertOk(await t.cos.listFolder({ bucket: b, cosPath: '/list/' }));
      assert.deepEqual(names(r), ['a-dir/', 'a1.txt', 'a2.txt', 'b-dir/', 'b1.txt', 'b2.txt', 'c.txt', 'z-dir/']);
      assert.equal(r.data!.listover, true);
      const infos = r.data!.infos as Info[];
      const f = infos.find((i) => i.name === 'a1.txt')!;
      assert.equal(f.filesize, 6);
      assert.equal(f.sha, createHash('sha1').update('a1.txt').digest('hex'));
      assert.equal(f.biz_attr, undefined);
      const d = infos.find((i) => i.name === 'a-dir')!;
      assert.equal(d.biz_attr, undefined);
      assert.equal(typeof d.ctime, 'number');
    });

    it('pages with num and context until listover', async () => {
      const seen: string[] = [];
      let context = '';
      let pages = 0;
      for (;;) {
        const r = assertOk(await t.cos.listFolder({ bucket: b, cosPath: '/list/', num: 3, context }));
        pages++;
        assert.ok((r.data!.infos as Info[]).length <= 3);
        seen.push(...names(r));
        if (r.data!.listover) break;
        context = r.data!.context;
      }
      assert.equal(pages, 3);
      assert.deepEqual(seen, ['a-dir/', 'a1.txt', 'a2.txt', 'b-dir/', 'b1.txt', 'b2.txt', 'c.txt', 'z-dir/']);
    });

    it('filters with pattern, orders with order, and lists by prefix', async () => {
      assert.deepEqual(names(assertOk(await t.cos.listFolder({ bucket: b, cosPath: '/list/', pattern: 'eListDirOnly' }))), ['a-dir/', 'b-dir/', 'z-dir/']);
      assert.deepEqual(names(assertOk(await t.cos.listFolder({ bucket: b, cosPath: '/list/', pattern: 'eListFileOnly' }))), files);
      assert.deepEqual(names(assertOk(await t.cos.listFolder({ bucket: b, cosPath: '/list/', order: 1 }))), [
        'z-dir/',
        'c.txt',
        'b2.txt',
        'b1.txt',
        'b-dir/',
        'a2.txt',
        'a1.txt',
        'a-dir/',
      ]);
      // Descending pages, filtered.
      const p1 = assertOk(await t.cos.listFolder({ bucket: b, cosPath: '/list/', order: 1, num: 2, pattern: 'eListFileOnly' }));
      assert.deepEqual(names(p1), ['c.txt', 'b2.txt']);
      assert.equal(p1.data!.listover, false);
      const p2 = assertOk(await t.cos.listFolder({ bucket: b, cosPath: '/list/', order: 1, num: 2, pattern: 'eListFileOnly', context: p1.data!.context }));
      assert.deepEqual(names(p2), ['b1.txt', 'a2.txt']);
      const p3 = assertOk(await t.cos.listFolder({ bucket: b, cosPath: '/list/', order: 1, num: 2, pattern: 'eListFileOnly', context: p2.data!.context }));
      assert.deepEqual(names(p3), ['a1.txt']);
      assert.equal(p3.data!.listover, true);
      assert.deepEqual(names(assertOk(await t.cos.listFolder({ bucket: b, cosPath: '/list/', prefix: 'a' }))), ['a-dir/', 'a1.txt', 'a2.txt']);
      assert.deepEqual(names(assertOk(await t.cos.listFolder({ bucket: b, cosPath: '/list/', prefix: 'b', order: 1 }))), ['b2.txt', 'b1.txt', 'b-dir/']);
      assert.deepEqual(names(assertOk(await t.cos.listFolder({ bucket: b, cosPath: '/list/', prefix: 'q' }))), []);
    });

    it('refuses num beyond 199 and below 1 (-165 / -157), and a foreign context', async () => {
      const raw = (q: string) => t.api(t.apiPath('/list/'), { method: 'GET', query: q });
      assert.equal((await raw('op=list&num=200')).json.code, -165);
      assert.equal((await raw('op=list&num=0')).json.code, -157);
      assert.equal((await raw('op=list&num=199')).json.code, 0);
      assert.equal((await raw('op=list&num=5&context=' + encodeURIComponent('/other-bucket/x'))).json.code, -5999);
      assert.equal((await raw('op=list&pattern=eListAll')).json.code, -5999);
    });

    it('lists the bucket root, and answers -197 for a missing folder', async () => {
      const root = assertOk(await t.cos.listFolder({ bucket: b, cosPath: '/' }));
      assert.ok(names(root).includes('list/'));
      assert.equal((await t.cos.listFolder({ bucket: b, cosPath: '/nothing-here/' })).code, -197);
    });

    it('shows objects and implied folders written through S3', async () => {
      await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'list/s3-object.txt', Body: 'from s3' }));
      await t.s3.send(new PutObjectCommand({ Bucket: b, Key: 'list/s3-implied/inner.txt', Body: 'inner' }));
      const r = assertOk(await t.cos.listFolder({ bucket: b, cosPath: '/list/', prefix: 's3' }));
      assert.deepEqual(names(r), ['s3-implied/', 's3-object.txt']);
      const obj = (r.data!.infos as Info[]).find((i) => i.name === 's3-object.txt')!;
      assert.equal(obj.filesize, 7);
      assert.equal(obj.sha, '', 'written without a SHA-1');
      assertOk(await t.cos.statFolder({ bucket: b, cosPath: '/list/s3-implied/' }));
      assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/list/s3-implied/cos.txt', data: Buffer.from('into an implied folder') }));
    });
  });
});
