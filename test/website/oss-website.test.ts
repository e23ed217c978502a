import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rawRequest } from '../helpers/raw.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { ossClient } from '../oss/helpers.js';

/** An OSS-configured site on the website endpoint: a public-read OSS bucket, its objects inheriting the bucket's ACL. */
describe('OSS website configuration served (SupportSubDir, Type, ErrorDocument HttpStatus)', () => {
  let srv: TestServer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let oss: any;
  const b = bucketName('oss-site');
  const get = (path: string) => rawRequest(`${srv.url}/-/website/${b}${path}`);
  before(async () => {
    srv = await startTestServer();
    oss = ossClient(srv);
    await oss.putBucket(b);
    await oss.putBucketACL(b, 'public-read');
    oss.useBucket(b);
    for (const [k, v] of [['index.html', 'root'], ['sub/index.html', 'sub'], ['err.html', 'oops']])
      await oss.put(k, Buffer.from(v), { mime: 'text/html' });
  });
  after(() => srv.stop());

  it('SupportSubDir true, Type 2: a folder without its slash serves its index at once', async () => {
    await oss.putBucketWebsite(b, { index: 'index.html', supportSubDir: 'true', type: '2', error: 'err.html' });
    const r = await get('/sub');
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'sub');
    assert.equal((await get('/sub/')).body.toString(), 'sub');
  });

  it('Type 1: 404 and the error document instead', async () => {
    await oss.putBucketWebsite(b, { index: 'index.html', supportSubDir: 'true', type: '1', error: 'err.html' });
    const r = await get('/sub');
    assert.equal(r.status, 404);
    assert.equal(r.body.toString(), 'oops');
  });

  it('SupportSubDir false: every folder serves the root index', async () => {
    await oss.putBucketWebsite(b, { index: 'index.html', supportSubDir: 'false', error: 'err.html' });
    assert.equal((await get('/sub/')).body.toString(), 'root');
  });
});
