import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { StratusClient } from '../../src/sdk/client.js';
import { resolveConfig } from '../../src/server/config.js';
import { ACCESS_KEY, SECRET_KEY, startTestServer, type TestServer } from '../helpers/server.js';
import { selfSignedCert, type TestCert } from '../helpers/tls.js';
import { cliEnv, stratus } from '../cli/helpers.js';

/** The certificate a fresh TLS connection to the server is shown. */
function peerCertificate(port: number, ca: Buffer): Promise<tls.PeerCertificate> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      resolve(s.getPeerCertificate());
      s.end();
    });
    s.on('error', reject);
  });
}

describe('HTTPS (--tls-cert / --tls-key)', () => {
  let dir: string;
  let cert: TestCert;
  let server: TestServer;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-tls-'));
    cert = await selfSignedCert(dir, 'first', 'first-cert');
    server = await startTestServer({ tlsCert: cert.certFile, tlsKey: cert.keyFile });
  });
  after(async () => {
    await server.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('serves the S3 API over HTTPS to the official SDK trusting the certificate', async () => {
    assert.match(server.url, /^https:\/\//);
    const s3 = new S3Client({
      endpoint: server.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
      requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ ca: cert.cert }) }),
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'tls-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'tls-bucket', Key: 'k', Body: 'over tls' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'tls-bucket', Key: 'k' }));
    assert.equal(await got.Body!.transformToString(), 'over tls');
    s3.destroy();
  });

  it('the SDK refuses an untrusted certificate, trusts it with `ca`, and accepts anything with `insecure`', async () => {
    const base = { dialect: 's3' as const, endpoint: server.url, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, maxRetries: 0 };
    const untrusted = new StratusClient(base);
    await assert.rejects(untrusted.listBuckets(), (e: Error) => /certificate/i.test(`${e.message} ${(e as { cause?: Error }).cause?.message ?? ''}`));
    untrusted.destroy();
    for (const extra of [{ ca: cert.cert }, { insecure: true }]) {
      const c = new StratusClient({ ...base, ...extra });
      const names = (await c.listBuckets()).map((b) => b.name);
      assert.ok(names.includes('tls-bucket'));
      c.destroy();
    }
  });

  it('the CLI takes --ca-bundle and STRATUS_INSECURE', async () => {
    const e = await cliEnv(dir, { local: { dialect: 's3', endpoint: server.url } });
    const refused = await stratus(e, ['ls', 's3://tls-bucket']);
    assert.notEqual(refused.code, 0);
    const trusted = await stratus(e, ['ls', '--ca-bundle', cert.certFile, 's3://tls-bucket']);
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.match(trusted.stdout, /\bk\b/);
    const insecure = await stratus(e, ['ls', 's3://tls-bucket'], { env: { STRATUS_INSECURE: '1' } });
    assert.equal(insecure.code, 0, insecure.stderr);
  });

  it('re-reads the certificate files on reload: new connections see the new certificate', async () => {
    assert.equal((await peerCertificate(server.port, cert.cert)).subject.CN, 'first-cert');
    const second = await selfSignedCert(dir, 'second', 'second-cert');
    await fs.copyFile(second.certFile, cert.certFile);
    await fs.copyFile(second.keyFile, cert.keyFile);
    assert.equal(await server.reloadTls(), true);
    assert.equal((await peerCertificate(server.port, second.cert)).subject.CN, 'second-cert');
  });

  it('refuses a certificate without its key, and a key without its certificate', () => {
    assert.throws(() => resolveConfig({ tlsCert: cert.certFile }), /both a TLS certificate and a TLS key/);
    assert.throws(() => resolveConfig({ tlsKey: cert.keyFile }), /both a TLS certificate and a TLS key/);
  });
});
