import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULTS, fromEnv, fromFile, parseAddress, resolveConfig } from '../../src/server/config.js';
import { startServer } from '../../src/server/app.js';
import { rawRequest } from '../helpers/raw.js';
import { spawnServer } from '../helpers/process.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('server', () => {
  describe('GET /health', () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer();
    });
    after(() => t.stop());

    it('answers 200 {"status":"ok"} without credentials', async () => {
      const r = await rawRequest(`${t.url}/health`);
      assert.equal(r.status, 200);
      assert.match(String(r.headers['content-type']), /application\/json/);
      assert.deepEqual(JSON.parse(r.body.toString()), { status: 'ok' });
      const head = await rawRequest(`${t.url}/health`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.body.length, 0);
    });
  });

  describe('config layering (resolveConfig)', () => {
    let dir: string;
    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-config-'));
    });
    after(() => fs.rm(dir, { recursive: true, force: true }));

    const writeFile = async (name: string, doc: unknown) => {
      const f = path.join(dir, name);
      await fs.writeFile(f, typeof doc === 'string' ? doc : JSON.stringify(doc));
      return f;
    };

    it('starts from the defaults', () => {
      const c = resolveConfig();
      assert.deepEqual(c, { ...DEFAULTS, domains: ['localhost'] });
      assert.equal(c.host, '127.0.0.1');
      assert.equal(c.port, 9000);
      assert.equal(c.fsync, true);
    });

    it('lets flags beat the environment and the environment beat the file', async () => {
      const file = fromFile(await writeFile('all.json', { address: '0.0.0.0:7000', logLevel: 'debug', region: 'file-region', data: '/file/data', domains: ['file.example'], fsync: true, appid: '111' }));
      const env = fromEnv({ STRATUS_ADDRESS: '127.0.0.2:8000', STRATUS_LOG_LEVEL: 'warn', STRATUS_REGION: 'env-region', STRATUS_DOMAINS: 'Env.Example, other.example', STRATUS_FSYNC: 'off' });
      const flags = { address: '[::1]:9100', logLevel: 'error' };
      const c = resolveConfig(file, env, flags);
      assert.equal(c.host, '::1');
      assert.equal(c.port, 9100);
      assert.equal(c.logLevel, 'error');
      assert.equal(c.region, 'env-region');
      assert.deepEqual(c.domains, ['env.example', 'other.example']);
      assert.equal(c.fsync, false);
      assert.equal(c.dataDir, '/file/data');
      assert.equal(c.appid, '111');
      // Without flags the environment wins; without either, the file.
      assert.equal(resolveConfig(file, env).port, 8000);
      assert.equal(resolveConfig(file, {}).port, 7000);
      assert.equal(resolveConfig(file, fromEnv({})).logLevel, 'debug');
    });

    it('reads every documented environment variable', () => {
      const c = resolveConfig(
        fromEnv({
          STRATUS_DATA: '/env/data',
          STRATUS_ADDRESS: '10.0.0.1:1234',
          STRATUS_ACCESS_KEY: 'AK',
          STRATUS_SECRET_KEY: 'SK',
          STRATUS_FSYNC: 'false',
          STRATUS_LOG_LEVEL: 'trace',
          STRATUS_DOMAINS: 's3.example',
          STRATUS_REGION: 'r1',
          STRATUS_META: 'postgres://db/x',
          STRATUS_APPID: '1250000001',
        }),
      );
      assert.deepEqual(
        { ...c },
        { ...DEFAULTS, dataDir: '/env/data', host: '10.0.0.1', port: 1234, accessKey: 'AK', secretKey: 'SK', fsync: false, logLevel: 'trace', domains: ['s3.example'], region: 'r1', metaUrl: 'postgres://db/x', appid: '1250000001' },
      );
    });

    it('parses the address forms', () => {
      assert.deepEqual(parseAddress('0.0.0.0:80'), { host: '0.0.0.0', port: 80 });
      assert.deepEqual(parseAddress(':9000'), { host: '127.0.0.1', port: 9000 });
      assert.deepEqual(parseAddress('9001'), { host: '127.0.0.1', port: 9001 });
      assert.deepEqual(parseAddress('[::]:0'), { host: '::', port: 0 });
      assert.deepEqual(parseAddress('localhost:65535'), { host: 'localhost', port: 65535 });
    });

    it('rejects an invalid address, log level, appid, boolean or key pair', async () => {
      for (const address of ['nonsense', 'host:port', '1.2.3.4:', '::1:9000', '127.0.0.1:65536', '127.0.0.1:99999']) {
        assert.throws(() => resolveConfig({ address }), /invalid address/, address);
      }
      assert.throws(() => resolveConfig({ logLevel: 'loud' }), /invalid log level/);
      assert.throws(() => resolveConfig(fromEnv({ STRATUS_LOG_LEVEL: 'INFO ' })), /invalid log level/);
      for (const appid of ['12a', '', '-1', '1'.repeat(21)]) assert.throws(() => resolveConfig({ appid }), /invalid appid/, appid);
      assert.throws(() => resolveConfig({ fsync: 'maybe' }), /invalid boolean/);
      assert.throws(() => resolveConfig({ accessKey: 'only-one' }), /both an access key and a secret key/);
      assert.throws(() => resolveConfig(fromEnv({ STRATUS_SECRET_KEY: 'only-secret' })), /both an access key and a secret key/);
      const badJson = await writeFile('bad.json', '{ not json');
      const nullJson = await writeFile('null.json', 'null');
      assert.throws(() => fromFile(badJson));
      assert.throws(() => fromFile(nullJson), /expected a JSON object/);
      // A bad value in a lower layer is rejected even when a higher layer overrides it.
      assert.throws(() => resolveConfig({ logLevel: 'loud' }, { logLevel: 'info' }), /invalid log level/);
    });

    it('exits with status 2 and a message when the command line is invalid', async () => {
      const data = path.join(dir, 'cli-data');
      for (const [args, env, message] of [
        [['--address', 'not-an-address'], {}, /invalid address/],
        [[], { STRATUS_LOG_LEVEL: 'loud' }, /invalid log level/],
      ] as [string[], NodeJS.ProcessEnv, RegExp][]) {
        const err = await spawnServer(data, args, env).then(
          (p) => {
            p.child.kill('SIGKILL');
            return undefined;
          },
          (e: Error) => e,
        );
        assert.ok(err, `${args.join(' ')} started`);
        assert.match(err.message, /exited \(2\)/);
        assert.match(err.message, message);
      }
    });
  });

  describe('generated credentials', () => {
    let data: string;
    before(async () => {
      data = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-creds-'));
    });
    after(() => fs.rm(data, { recursive: true, force: true }));

    const config = () => resolveConfig({ data, address: '127.0.0.1:0', logLevel: 'silent', fsync: false });

    it('creates DATA/credentials.json (mode 0600) on the first start and reuses it on the next', async () => {
      const first = await startServer(config());
      let firstKeys;
      try {
        assert.equal(first.keys.generated, true);
        firstKeys = { accessKey: first.keys.accessKey, secretKey: first.keys.secretKey };
        const file = path.join(data, 'credentials.json');
        const st = await fs.stat(file);
        assert.equal(st.mode & 0o777, 0o600);
        assert.deepEqual(JSON.parse(await fs.readFile(file, 'utf8')), firstKeys);
        assert.ok(firstKeys.accessKey.length >= 16 && firstKeys.secretKey.length >= 32);
        // The generated pair signs requests.
        const s3 = new S3Client({ endpoint: first.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: firstKeys.accessKey, secretAccessKey: firstKeys.secretKey } });
        await s3.send(new ListBucketsCommand({}));
        s3.destroy();
      } finally {
        await first.close();
      }
      const second = await startServer(config());
      try {
        assert.equal(second.keys.generated, false);
        assert.deepEqual({ accessKey: second.keys.accessKey, secretKey: second.keys.secretKey }, firstKeys);
      } finally {
        await second.close();
      }
    });

    it('prints the generated pair once from the command line, then reuses it', async () => {
      const dir = path.join(data, 'cli');
      const p1 = await spawnServer(dir);
      p1.child.kill('SIGTERM');
      assert.equal(await p1.exited, 0);
      assert.match(p1.output(), /Generated root credentials/);
      const saved = JSON.parse(await fs.readFile(path.join(dir, 'credentials.json'), 'utf8')) as { accessKey: string; secretKey: string };
      assert.ok(p1.output().includes(saved.accessKey));
      assert.equal((await fs.stat(path.join(dir, 'credentials.json'))).mode & 0o777, 0o600);
      const p2 = await spawnServer(dir);
      p2.child.kill('SIGTERM');
      assert.equal(await p2.exited, 0);
      assert.doesNotMatch(p2.output(), /Generated root credentials/);
      assert.ok(p2.output().includes(saved.accessKey));
    });

    it('does not write a credentials file when keys are configured', async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-creds-'));
      try {
        const s = await startServer(resolveConfig({ data: dir, address: '127.0.0.1:0', logLevel: 'silent', fsync: false, accessKey: 'CONFIGUREDKEY', secretKey: 'configured-secret' }));
        assert.equal(s.keys.generated, false);
        await s.close();
        await assert.rejects(fs.stat(path.join(dir, 'credentials.json')), { code: 'ENOENT' });
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });
  });
});
