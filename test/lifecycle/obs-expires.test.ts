/**
 * OBS per-object expiry (`x-obs-expires: <days>`, the SDK's `Expires`)
 * through esdk-obs-nodejs in both its modes, with one-second lifecycle days:
 * stored with the version, reported on HEAD / GET as `x-obs-expiration`
 * (its due time alone, no rule-id), and executed by the lifecycle worker as
 * an Expiration (a delete marker when versioned), ahead of the bucket's own
 * rules; bad values are OBS's InvalidArgument. This SDK sends no
 * x-obs-expires on a copy: copies are signed by the project's OBS signer.
 */
import type ObsClient from 'esdk-obs-nodejs';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signObsRequest } from '../../src/auth/obs.js';
import { rawRequest, xmlField, type RawResponse } from '../helpers/raw.js';
import { fails, obsClient, ok, OBS_DOMAIN, OBS_MODES } from '../obs/helpers.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, startTestServer, type TestServer } from '../helpers/server.js';
import { DAY_SECONDS, untilLifecycle } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const mode of OBS_MODES) {
  describe(`OBS x-obs-expires through esdk-obs-nodejs (${mode} mode)`, () => {
    let srv: TestServer;
    let c: ObsClient;
    before(async () => {
      srv = await startTestServer({ domains: ['localhost', OBS_DOMAIN], lifecycleDaySeconds: DAY_SECONDS });
      c = await obsClient(srv, mode);
    });
    after(async () => {
      c.close();
      await srv.stop();
    });

    const keys = async (Bucket: string) => ((await ok(c.listObjects({ Bucket }))).Contents ?? []).map((o: { Key: string }) => o.Key).sort();

    it('PutObject with Expires: reported on HEAD and GET, deleted once due; an overwrite without it stays', async () => {
      const b = bucketName('obs-exp');
      await ok(c.createBucket({ Bucket: b }));
      await ok(c.putObject({ Bucket: b, Key: 'goes', Body: 'a', Expires: 2 }));
      await ok(c.putObject({ Bucket: b, Key: 'rewritten', Body: 'a', Expires: 1 }));
      await ok(c.putObject({ Bucket: b, Key: 'rewritten', Body: 'b' }));
      await ok(c.putObject({ Bucket: b, Key: 'plain', Body: 'a' }));
      const head = await ok(c.getObjectMetadata({ Bucket: b, Key: 'goes' }));
      const m = /^expiry-date="([^"]+)"$/.exec(head.Expiration ?? '');
      assert.ok(m, `Expiration: ${head.Expiration}`);
      assert.ok(Number.isFinite(Date.parse(m[1])));
      assert.equal((await ok(c.getObject({ Bucket: b, Key: 'goes' }))).Expiration, head.Expiration);
      assert.equal((await ok(c.getObjectMetadata({ Bucket: b, Key: 'plain' }))).Expiration, undefined);
      assert.equal((await ok(c.getObjectMetadata({ Bucket: b, Key: 'rewritten' }))).Expiration, undefined, 'the new version has no expiry');
      // `goes` is due after the first `rewritten` was: a pass that deletes it would have deleted that one.
      await untilLifecycle(srv, 'goes expired', async () => !(await keys(b)).includes('goes'));
      assert.deepEqual(await keys(b), ['plain', 'rewritten']);
    });

    it('InitiateMultipartUpload with Expires: the completed object expires', async () => {
      const b = bucketName('obs-exp');
      await ok(c.createBucket({ Bucket: b }));
      const { UploadId } = await ok(c.initiateMultipartUpload({ Bucket: b, Key: 'mpu', Expires: 1 }));
      const part = await ok(c.uploadPart({ Bucket: b, Key: 'mpu', UploadId, PartNumber: 1, Body: 'part' }));
      await ok(c.completeMultipartUpload({ Bucket: b, Key: 'mpu', UploadId, Parts: [{ PartNumber: 1, ETag: part.ETag }] }));
      await ok(c.putObject({ Bucket: b, Key: 'plain', Body: 'a' }));
      assert.match((await ok(c.getObjectMetadata({ Bucket: b, Key: 'mpu' }))).Expiration, /^expiry-date="/);
      await untilLifecycle(srv, 'mpu expired', async () => !(await keys(b)).includes('mpu'));
      assert.deepEqual(await keys(b), ['plain']);
    });

    it('in a versioned bucket the expiry writes a delete marker and keeps the version', async () => {
      const b = bucketName('obs-exp');
      await ok(c.createBucket({ Bucket: b }));
      await ok(c.setBucketVersioning({ Bucket: b, VersionStatus: 'Enabled' }));
      const put = await ok(c.putObject({ Bucket: b, Key: 'v', Body: 'a', Expires: 1 }));
      await untilLifecycle(srv, 'v expired', async () => (await keys(b)).length === 0);
      const listed = await ok(c.listVersions({ Bucket: b }));
      assert.deepEqual(
        listed.Versions.map((v: { VersionId: string; IsLatest: string }) => [v.VersionId, v.IsLatest]),
        [[put.VersionId, 'false']],
      );
      assert.equal(listed.DeleteMarkers.length, 1);
      assert.equal(listed.DeleteMarkers[0].IsLatest, 'true');
    });

    it('takes precedence over the bucket rules for its object', async () => {
      const b = bucketName('obs-exp');
      await ok(c.createBucket({ Bucket: b }));
      await ok(c.putObject({ Bucket: b, Key: 'own', Body: 'a', Expires: 1000 }));
      await ok(c.putObject({ Bucket: b, Key: 'ruled', Body: 'a' }));
      await ok(c.setBucketLifecycle({ Bucket: b, Rules: [{ ID: 'all', Prefix: '', Status: 'Enabled', Expiration: { Days: 1 } }] }));
      const head = await ok(c.getObjectMetadata({ Bucket: b, Key: 'own' }));
      assert.match(head.Expiration, /^expiry-date="[^"]+"$/, 'its own expiry, no rule-id');
      assert.match((await ok(c.getObjectMetadata({ Bucket: b, Key: 'ruled' }))).Expiration, /rule-id="all"/);
      await untilLifecycle(srv, 'ruled expired', async () => !(await keys(b)).includes('ruled'));
      assert.deepEqual(await keys(b), ['own']);
    });

    it('refuses an Expires that is not a positive number of days with InvalidArgument', async () => {
      const b = bucketName('obs-exp');
      await ok(c.createBucket({ Bucket: b }));
      for (const bad of [0, -1, 1.5]) {
        await fails(c.putObject({ Bucket: b, Key: 'k', Body: 'a', Expires: bad }), 400, 'InvalidArgument');
        await fails(c.initiateMultipartUpload({ Bucket: b, Key: 'k', Expires: bad }), 400, 'InvalidArgument');
      }
      assert.deepEqual(await keys(b), []);
      assert.equal(((await ok(c.listMultipartUploads({ Bucket: b }))).Uploads ?? []).length, 0);
    });
  });
}

describe('OBS x-obs-expires on the wire: copies, raw values and concurrent overwrites', () => {
  let srv: TestServer;
  let c: ObsClient;
  before(async () => {
    srv = await startTestServer({ lifecycleDaySeconds: DAY_SECONDS });
    c = await obsClient(srv, 'v2');
  });
  after(async () => {
    c.close();
    await srv.stop();
  });

  /** A request signed with OBS's own signature by the project's signer, path style. */
  function obs(method: string, pathAndQuery: string, headers: Record<string, string> = {}, body?: string): Promise<RawResponse> {
    const url = new URL(pathAndQuery, srv.url);
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h['content-length'] = String(Buffer.byteLength(body));
    signObsRequest({ method, url, headers: h, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
    return rawRequest(url.toString(), { method, headers: h, body });
  }
  const code = (r: RawResponse) => [r.status, xmlField(r.body, 'Code')];
  const keys = async (Bucket: string) => ((await ok(c.listObjects({ Bucket }))).Contents ?? []).map((o: { Key: string }) => o.Key).sort();

  it('CopyObject with x-obs-expires: the copy expires, its source does not; a copy without it has none', async () => {
    const b = bucketName('obs-exp');
    await ok(c.createBucket({ Bucket: b }));
    await ok(c.putObject({ Bucket: b, Key: 'src', Body: 'data', Expires: 1000 }));
    assert.equal((await obs('PUT', `/${b}/copy`, { 'x-obs-copy-source': `/${b}/src`, 'x-obs-expires': '1' })).status, 200);
    assert.equal((await obs('PUT', `/${b}/plain-copy`, { 'x-obs-copy-source': `/${b}/src` })).status, 200);
    const head = await obs('HEAD', `/${b}/copy`);
    assert.match(String(head.headers['x-obs-expiration'] ?? ''), /^expiry-date="[^"]+"$/);
    assert.equal((await obs('HEAD', `/${b}/plain-copy`)).headers['x-obs-expiration'], undefined, "a source's expiry is not copied");
    await untilLifecycle(srv, 'copy expired', async () => !(await keys(b)).includes('copy'));
    assert.deepEqual(await keys(b), ['plain-copy', 'src']);
  });

  it('answers InvalidArgument for values that are not a positive whole number of days, on PUT, copy and initiation', async () => {
    const b = bucketName('obs-exp');
    await ok(c.createBucket({ Bucket: b }));
    await ok(c.putObject({ Bucket: b, Key: 'src', Body: 'data' }));
    for (const bad of ['abc', '', '0', '-1', '1.5', '1e3', '0x10', '+1', '00', '99999999999']) {
      const what = `x-obs-expires: ${JSON.stringify(bad)}`;
      assert.deepEqual(code(await obs('PUT', `/${b}/k`, { 'x-obs-expires': bad }, 'x')), [400, 'InvalidArgument'], what);
      assert.deepEqual(code(await obs('PUT', `/${b}/k`, { 'x-obs-expires': bad, 'x-obs-copy-source': `/${b}/src` })), [400, 'InvalidArgument'], what);
      assert.deepEqual(code(await obs('POST', `/${b}/k?uploads`, { 'x-obs-expires': bad })), [400, 'InvalidArgument'], what);
    }
    assert.deepEqual(await keys(b), ['src']);
    assert.equal(((await ok(c.listMultipartUploads({ Bucket: b }))).Uploads ?? []).length, 0);
    assert.equal((await obs('PUT', `/${b}/k`, { 'x-obs-expires': '3' }, 'x')).status, 200);
  });

  it('never deletes a version written after the worker read the old one as due', async () => {
    const b = bucketName('obs-exp');
    await ok(c.createBucket({ Bucket: b }));
    const names = Array.from({ length: 150 }, (_, i) => `race/${String(i).padStart(3, '0')}`);
    for (const k of names) await ok(c.putObject({ Bucket: b, Key: k, Body: 'old', Expires: 1 }));
    await sleep(1100 * DAY_SECONDS);
    // Every old version is due. The pass deletes in due order (the write order) while the overwrites
    // go the other way: those past where they meet were read as due, then overwritten before their turn.
    const worker = srv.workers!.get('lifecycle')!;
    await Promise.all([
      worker.runNow(),
      (async () => {
        for (const k of [...names].reverse()) await ok(c.putObject({ Bucket: b, Key: k, Body: 'new' }));
      })(),
    ]);
    assert.deepEqual(await keys(b), names);
  });
});
