/** `--blob` and its companions: layering (file, environment, flags) and the refusals. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fromEnv, resolveConfig } from '../../src/server/config.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('blob store configuration', () => {
  it('defaults to the data directory\'s files', () => {
    assert.deepEqual(resolveConfig({}).blob, { kind: 'fs' });
    assert.deepEqual(resolveConfig({ blob: 'fs' }).blob, { kind: 'fs' });
  });

  it('reads s3://bucket/prefix with endpoint and keys from any layer, later layers winning', () => {
    const file = { blob: 's3://stratus-blobs/gw', blobEndpoint: 'http://ceph.internal:7480/', blobRegion: 'eu-west-1' };
    const env = fromEnv({ STRATUS_BLOB_ACCESS_KEY: 'AK', STRATUS_BLOB_SECRET_KEY: 'SK', STRATUS_BLOB_TIMEOUT_MS: '5000' });
    const c = resolveConfig(file, env, { blobSecretKey: 'SK2' });
    assert.deepEqual(c.blob, { kind: 's3', bucket: 'stratus-blobs', prefix: 'gw/', endpoint: 'http://ceph.internal:7480', accessKey: 'AK', secretKey: 'SK2', region: 'eu-west-1', timeoutMs: 5000 });
    const bare = resolveConfig(fromEnv({ STRATUS_BLOB: 's3://b-1', STRATUS_BLOB_ENDPOINT: 'https://s3.example.com', STRATUS_BLOB_ACCESS_KEY: 'a', STRATUS_BLOB_SECRET_KEY: 's' })).blob;
    assert.equal(bare.kind === 's3' && `${bare.prefix}|${bare.region}|${bare.timeoutMs}`, '|us-east-1|30000');
  });

  it('refuses what cannot work', () => {
    assert.throws(() => resolveConfig({ blob: 'gs://bucket' }), /expected fs or s3:\/\/bucket\/prefix/);
    assert.throws(() => resolveConfig({ blob: 's3://bucket/p' }), /needs --blob-endpoint/);
    assert.throws(() => resolveConfig({ blob: 's3://bucket/p', blobEndpoint: 'http://h:1' }), /needs --blob-access-key and --blob-secret-key/);
    assert.throws(() => resolveConfig({ blob: 's3://bucket', blobEndpoint: 'ftp://h', blobAccessKey: 'a', blobSecretKey: 's' }), /invalid blob endpoint/);
    assert.throws(() => resolveConfig({ blob: 's3://bucket', blobEndpoint: 'http://h/path', blobAccessKey: 'a', blobSecretKey: 's' }), /invalid blob endpoint/);
    assert.throws(() => resolveConfig({ blobEndpoint: 'http://h:1' }), /--blob-endpoint is for --blob s3/);
  });

  it('stratus server stops at once, with exit code 2 and the reason, on a bad --blob', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'stratus.js'), 'server', '--blob', 's3://bucket/x', '--address', '127.0.0.1:0'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /needs --blob-endpoint/);
  });
});
