import type ObsClient from 'esdk-obs-nodejs';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { bucketName, type TestServer } from '../helpers/server.js';
import { obsClient, ok, startObsServer } from './helpers.js';

const ascii = (n: number) => randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);

describe('OBS storage info under concurrent writes', () => {
  let t: TestServer;
  let c: ObsClient;
  before(async () => {
    t = await startObsServer();
    c = await obsClient(t, 'obs');
  });
  after(async () => {
    c.close();
    await t.stop();
  });

  it('stays exact under concurrent puts, overwrites, appends, deletes and aborted uploads', async () => {
    const b = bucketName('obs-si');
    await ok(c.createBucket({ Bucket: b }));
    const keys = Array.from({ length: 6 }, (_, i) => `k${i}`);
    const ops: Promise<unknown>[] = [];
    // Settled results only: a delete racing a put of the same key may win or lose; either outcome must be counted right.
    const run = (p: Promise<ObsClient.Result>) => ops.push(p.then((r) => r.CommonMsg.Status));
    for (let round = 0; round < 4; round++) {
      for (const k of keys) run(c.putObject({ Bucket: b, Key: k, Body: ascii(1 + Math.floor(Math.random() * 4000)) }));
      run(c.deleteObject({ Bucket: b, Key: keys[round] }));
      run(c.deleteObject({ Bucket: b, Key: 'never-existed' }));
      run(
        (async () => {
          const { UploadId } = await ok(c.initiateMultipartUpload({ Bucket: b, Key: `mp${round}` }));
          await ok(c.uploadPart({ Bucket: b, Key: `mp${round}`, PartNumber: 1, UploadId, Body: ascii(2000) }));
          return c.abortMultipartUpload({ Bucket: b, Key: `mp${round}`, UploadId });
        })(),
      );
      run(c.appendObject({ Bucket: b, Key: `log${round}`, Position: 0, Body: ascii(500) }));
    }
    await Promise.all(ops);
    // Appends to one object, one after another, alongside a second burst of overwrites.
    let pos = 0;
    const appends = (async () => {
      for (let i = 0; i < 5; i++) pos = Number((await ok(c.appendObject({ Bucket: b, Key: 'log0', Position: 500 + i * 100, Body: ascii(100) }))).NextPosition);
    })();
    await Promise.all([appends, ...keys.map((k) => c.putObject({ Bucket: b, Key: k, Body: ascii(777) }))]);
    assert.equal(pos, 1000);

    const info = await ok(c.getBucketStorageInfo({ Bucket: b }));
    const list = await ok(c.listObjects({ Bucket: b }));
    const size = list.Contents.reduce((n: number, o: any) => n + Number(o.Size), 0);
    assert.equal(list.Contents.length, keys.length + 4, 'six keys and four logs');
    assert.equal(Number(info.ObjectNumber), list.Contents.length);
    assert.equal(Number(info.Size), size);
    assert.equal(size, keys.length * 777 + 4 * 500 + 500);
    const uploads = await ok(c.listMultipartUploads({ Bucket: b }));
    assert.equal((uploads.Uploads ?? []).length, 0);
  });
});
