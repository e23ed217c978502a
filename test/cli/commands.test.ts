/** The CLI as a subprocess: bucket and object commands, profiles and environment, and failures with their exit codes and advice. */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ACCESS_KEY, bucketName, SECRET_KEY, startTestServer, type TestServer } from '../helpers/server.js';
import { cliEnv, stratus, stratusJson, type CliEnv } from './helpers.js';

const APPID = '1250000000';

describe('stratus CLI: commands, profiles and errors', { timeout: 300_000 }, () => {
  let t: TestServer;
  let e: CliEnv;
  let dir: string;
  const bucket = bucketName('clicmd');
  before(async () => {
    t = await startTestServer({ appid: APPID });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-clicmd-'));
    // Readable by an unprivileged user too (the permission test runs the CLI as one).
    await fs.chmod(dir, 0o755);
    e = await cliEnv(dir, {
      local: { dialect: 's3', endpoint: t.url },
      ali: { dialect: 'oss', endpoint: t.url },
      tencent: { dialect: 'cos', endpoint: t.url, appid: APPID },
      huawei: { dialect: 'obs', endpoint: t.url },
    });
    assert.equal((await stratus(e, ['mb', `s3://${bucket}`])).code, 0);
  });
  after(async () => {
    await t.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('lists buckets and objects, and stats and cats them', async () => {
    await fs.writeFile(path.join(dir, 'hello.txt'), 'hello, world');
    assert.equal((await stratus(e, ['cp', 'hello.txt', `s3://${bucket}/a/hello.txt`, '--meta', 'k=v', '--content-type', 'text/plain'])).code, 0);
    const buckets = await stratusJson(e, ['ls', 's3://']);
    assert.ok(buckets.json.buckets.some((b: { name: string }) => b.name === bucket));
    const plain = await stratus(e, ['ls', `s3://${bucket}`]);
    assert.match(plain.stdout, /PRE a\//);
    const deep = await stratusJson(e, ['ls', '-r', `s3://${bucket}`]);
    assert.deepEqual(deep.json.objects.map((o: { key: string; size: number }) => [o.key, o.size]), [['a/hello.txt', 12]]);
    const st = await stratusJson(e, ['stat', `s3://${bucket}/a/hello.txt`]);
    assert.equal(st.json.size, 12);
    assert.equal(st.json.contentType, 'text/plain');
    assert.deepEqual(st.json.metadata, { k: 'v' });
    assert.match((await stratus(e, ['stat', `s3://${bucket}/a/hello.txt`])).stdout, /meta k:\s+v/);
    assert.equal((await stratus(e, ['cat', `s3://${bucket}/a/hello.txt`, '--range', '7-11'])).stdout, 'world');
    assert.equal((await stratusJson(e, ['stat', `s3://${bucket}`])).json.bucket, bucket);
  });

  it('removes objects: one, a prefix, and every version', async () => {
    const b = bucketName('clirm');
    await stratus(e, ['mb', `s3://${b}`]);
    await t.s3.send(new (await import('@aws-sdk/client-s3')).PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }));
    for (const k of ['x/1', 'x/2', 'y']) {
      await stratus(e, ['cp', '-', `s3://${b}/${k}`], { input: 'v1' });
      await stratus(e, ['cp', '-', `s3://${b}/${k}`], { input: 'v2' });
    }
    const one = await stratus(e, ['rm', `s3://${b}/y`]);
    assert.equal(one.code, 0, one.stderr);
    assert.equal((await stratus(e, ['cat', `s3://${b}/y`])).code, 3);
    const dry = await stratusJson(e, ['rm', '-r', '--all-versions', '--dry-run', `s3://${b}/x`]);
    assert.equal(dry.json.deleted.length, 4);
    const all = await stratusJson(e, ['rm', '-r', '--all-versions', `s3://${b}/x/`]);
    assert.equal(all.r.code, 0, all.r.stderr);
    assert.equal(all.json.deleted.length, 4);
    assert.equal(all.json.deleted.every((d: { versionId?: string }) => typeof d.versionId === 'string'), true);
    const left = await t.s3.send(new (await import('@aws-sdk/client-s3')).ListObjectVersionsCommand({ Bucket: b }));
    assert.deepEqual((left.Versions ?? []).map((v) => v.Key).sort(), ['y', 'y'], 'only y remains (two versions and a delete marker)');
    const refuse = await stratus(e, ['rb', `s3://${b}`]);
    assert.equal(refuse.code, 1);
    assert.match(refuse.stderr, /not empty.*rb --force/);
    const forced = await stratus(e, ['rb', '--force', `s3://${b}`]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((await stratus(e, ['ls', `s3://${b}`])).code, 3);
  });

  it('appends to an object (oss://) and works with cos:// paths', async () => {
    const a1 = await stratusJson(e, ['append', `oss://${bucket}/log`], { input: 'line 1\n' });
    assert.equal(a1.json.nextPosition, 7);
    const a2 = await stratusJson(e, ['append', `oss://${bucket}/log`], { input: 'line 2\n' });
    assert.equal(a2.json.position, 7);
    assert.equal((await stratus(e, ['cat', `oss://${bucket}/log`])).stdout, 'line 1\nline 2\n');
    const wrong = await stratus(e, ['append', `oss://${bucket}/log`, '--position', '1'], { input: 'x' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /PositionNotEqualToLength/);
    const obs = await stratus(e, ['append', `obs://${bucket}/obs-log`, path.join(dir, 'hello.txt')]);
    assert.equal(obs.code, 0, obs.stderr);
    assert.equal((await stratus(e, ['cat', `obs://${bucket}/obs-log`])).stdout, 'hello, world');
    const s3append = await stratus(e, ['append', `s3://${bucket}/log`], { input: 'x' });
    assert.equal(s3append.code, 2, 'S3 has no append: a usage error');

    const up = await stratus(e, ['cp', 'hello.txt', `cos://${bucket}/cos/dir/hello.txt`]);
    assert.equal(up.code, 0, up.stderr);
    const ls = await stratusJson(e, ['ls', '-r', `cos://${bucket}/cos/`]);
    assert.deepEqual(ls.json.objects.map((o: { key: string }) => o.key), ['cos/dir/hello.txt']);
    assert.equal((await stratus(e, ['cat', `cos://${bucket}/cos/dir/hello.txt`])).stdout, 'hello, world');
    // The same bytes through S3.
    assert.equal((await stratus(e, ['cat', `s3://${bucket}/cos/dir/hello.txt`])).stdout, 'hello, world');
  });

  it('runs from the environment alone, without a config file', async () => {
    const env = {
      STRATUS_CONFIG_FILE: path.join(dir, 'absent.json'),
      STRATUS_ENDPOINT: t.url,
      STRATUS_ACCESS_KEY: ACCESS_KEY,
      STRATUS_SECRET_KEY: SECRET_KEY,
    };
    const r = await stratusJson(e, ['ls', `s3://${bucket}/a/`], { env });
    assert.equal(r.r.code, 0, r.r.stderr);
    assert.equal(r.json.objects.length, 1);
    const none = await stratus(e, ['ls', `s3://${bucket}`], { env: { STRATUS_CONFIG_FILE: path.join(dir, 'absent.json') } });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no s3 profile: add one to .*absent\.json.*or set STRATUS_ENDPOINT/);
  });

  it('exits 2 for usage errors, with what to do', async () => {
    const unknown = await stratus(e, ['ls', `s3://${bucket}`, '--profile', 'nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown profile "nope" \(profiles in .*config\.json: local, ali, tencent, huawei\)/);
    const mismatch = await stratus(e, ['ls', `s3://${bucket}`, '--profile', 'ali']);
    assert.equal(mismatch.code, 2);
    assert.match(mismatch.stderr, /profile "ali" speaks oss, not s3: use oss:\/\/ URLs/);
    const scheme = await stratus(e, ['ls', `gs://${bucket}`]);
    assert.equal(scheme.code, 2);
    assert.match(scheme.stderr, /use s3:\/\/, oss:\/\/, obs:\/\/ or cos:\/\//);
    assert.equal((await stratus(e, ['cp', 'only-one-arg'])).code, 2);
    assert.equal((await stratus(e, ['frobnicate'])).code, 2);
    await fs.mkdir(path.join(dir, 'a-dir'), { recursive: true });
    const isDir = await stratus(e, ['cp', 'a-dir', `s3://${bucket}/x`]);
    assert.equal(isDir.code, 2);
    assert.match(isDir.stderr, /is a directory: add -r/);
    const json = await stratusJson(e, ['ls', `s3://${bucket}`, '--profile', 'nope']);
    assert.equal(json.json.error.code, 'UsageError');
  });

  it('exits 3 for a missing bucket, object or local file, with what to do', async () => {
    const nb = await stratus(e, ['ls', 's3://no-such-bucket-here']);
    assert.equal(nb.code, 3);
    assert.match(nb.stderr, /bucket "no-such-bucket-here" does not exist .*create it with `stratus mb s3:\/\/no-such-bucket-here`/);
    const up = await stratus(e, ['cp', 'hello.txt', 's3://no-such-bucket-here/x']);
    assert.equal(up.code, 3);
    const no = await stratus(e, ['cp', `s3://${bucket}/not/there.txt`, 'here.txt']);
    assert.equal(no.code, 3);
    assert.match(no.stderr, /"not\/there.txt" in s3:\/\/.* does not exist/);
    await assert.rejects(fs.access(path.join(dir, 'here.txt')), 'nothing written for a missing object');
    const local = await stratus(e, ['cp', 'missing-file.txt', `s3://${bucket}/x`]);
    assert.equal(local.code, 3);
    assert.match(local.stderr, /missing-file\.txt does not exist/);
  });

  it('exits 1 for an unreadable local file, refused keys and an unreachable server', async () => {
    const secret = path.join(dir, 'secret.txt');
    await fs.writeFile(secret, 'no');
    await fs.chmod(secret, 0o000);
    const asRoot = process.getuid?.() === 0;
    // Root reads anything: run the CLI as an unprivileged user then.
    const r = await stratus(e, ['cp', secret, `s3://${bucket}/secret.txt`], asRoot ? { uid: 65534, gid: 65534, env: { HOME: dir } } : {});
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /cannot read .*secret\.txt.*(permission|EACCES)/i);
    const bad = await cliEnv(await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-badkey-')), { local: { dialect: 's3', endpoint: t.url, secretKey: 'wrong' } });
    const denied = await stratus(bad, ['ls', `s3://${bucket}`]);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /refused .*SignatureDoesNotMatch.*check the keys of profile "local"/);
    const down = await cliEnv(await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-down-')), { local: { dialect: 's3', endpoint: 'http://127.0.0.1:1' } });
    const unreachable = await stratus(down, ['ls', 's3://x'], { env: {} });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /cannot reach http:\/\/127\.0\.0\.1:1.*Is the server running\?/);
  });
});
