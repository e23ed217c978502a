import ObsClient from 'esdk-obs-nodejs';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ACCESS_KEY, bucketName, SECRET_KEY, type TestServer } from '../helpers/server.js';
import { obsClient, ok, readAll, startObsServer } from './helpers.js';

/**
 * How the SDK's configuration decides the wire protocol, and that each
 * outcome is served: `signature: 'obs'` against an IP endpoint is quietly
 * turned into the AWS-compatible mode by the SDK (path style forces it).
 */
describe('esdk-obs-nodejs signature modes against Stratus', () => {
  let t: TestServer;
  before(async () => {
    t = await startObsServer();
  });
  after(() => t.stop());

  it("signature 'obs' against the IP: the SDK signs V2 (path style), and every operation still works", async () => {
    const c = new ObsClient({ access_key_id: ACCESS_KEY, secret_access_key: SECRET_KEY, server: `http://127.0.0.1:${t.port}`, signature: 'obs', max_retry_count: 0 });
    await new Promise((r) => setImmediate(r));
    assert.equal(c.util.pathStyle, true);
    assert.equal(c.util.signatureContext.signature, 'v2');
    const b = bucketName('obs-ip');
    await ok(c.createBucket({ Bucket: b }));
    await ok(c.putObject({ Bucket: b, Key: 'k', Body: 'via the IP' }));
    await ok(c.appendObject({ Bucket: b, Key: 'log', Position: 0, Body: 'abc' }));
    const info = await ok(c.getBucketStorageInfo({ Bucket: b }));
    assert.deepEqual([info.Size, info.ObjectNumber], ['13', '2']);
    const got = await ok(c.getObject({ Bucket: b, Key: 'k', SaveAsStream: true }));
    assert.equal((await readAll(got.Content)).toString(), 'via the IP');
    c.close();
  });

  it("signature 'obs' with a host name: the SDK negotiates (HEAD ?apiversion), then signs OBS", async () => {
    const c = await obsClient(t, 'obs');
    assert.equal(c.util.isSignatureNegotiation, true);
    const b = bucketName('obs-neg');
    await ok(c.createBucket({ Bucket: b }));
    await ok(c.putObject({ Bucket: b, Key: 'k', Body: 'x' }));
    // The negotiated choice is cached per bucket: OBS, as the server announced API 3.0.
    assert.equal(c.util.bucketSignatureCache[b]?.signatureContext.signature, 'obs');
    c.close();
  });
});
