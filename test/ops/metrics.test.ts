import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** The value of one sample line of a Prometheus text exposition (undefined when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return undefined;
}

describe('GET /metrics (Prometheus text, prom-client)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('counts requests by dialect, operation and status, their latency and their bytes', async () => {
    const body = Buffer.alloc(10_000, 7);
    await server.s3.send(new CreateBucketCommand({ Bucket: 'metered' }));
    await server.s3.send(new PutObjectCommand({ Bucket: 'metered', Key: 'k', Body: body }));
    const got = await server.s3.send(new GetObjectCommand({ Bucket: 'metered', Key: 'k' }));
    assert.equal((await got.Body!.transformToByteArray()).length, body.length);
    await assert.rejects(server.s3.send(new GetObjectCommand({ Bucket: 'metered', Key: 'absent' })));

    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.equal(sample(text, 'stratus_requests_total', { dialect: 's3', operation: 's3:PutObject', status: '200' }), 1);
    assert.equal(sample(text, 'stratus_requests_total', { dialect: 's3', operation: 's3:GetObject', status: '200' }), 1);
    assert.equal(sample(text, 'stratus_requests_total', { dialect: 's3', operation: 's3:GetObject', status: '404' }), 1);
    assert.equal(sample(text, 'stratus_request_duration_seconds_count', { dialect: 's3', operation: 's3:PutObject' }), 1);
    assert.ok(sample(text, 'stratus_received_bytes_total', { dialect: 's3' })! >= body.length);
    assert.ok(sample(text, 'stratus_sent_bytes_total', { dialect: 's3' })! >= body.length);
    // The scrape itself is not a dialect request; nothing else is in flight.
    assert.equal(sample(text, 'stratus_requests_in_flight'), 0);
    assert.ok(sample(text, 'stratus_meta_transactions_committed')! >= 2);
    assert.notEqual(sample(text, 'stratus_process_open_fds'), undefined);
  });

  it('a signed request to a bucket named "metrics" still reaches the bucket', async () => {
    await server.s3.send(new CreateBucketCommand({ Bucket: 'metrics' }));
    await server.s3.send(new PutObjectCommand({ Bucket: 'metrics', Key: 'x', Body: 'y' }));
    const got = await server.s3.send(new GetObjectCommand({ Bucket: 'metrics', Key: 'x' }));
    assert.equal(await got.Body!.transformToString(), 'y');
  });
});

describe('metrics on their own address, or off', () => {
  it('--metrics-address host:port serves /metrics there and not on the storage port', async () => {
    const server = await startTestServer({ metricsAddress: '127.0.0.1:0' });
    try {
      assert.ok(server.metricsUrl);
      const res = await fetch(server.metricsUrl!);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /stratus_requests_in_flight/);
      assert.equal((await fetch(server.metricsUrl!.replace(/\/metrics$/, '/other'))).status, 404);
      // On the storage port, /metrics is an ordinary (anonymous) S3 request now.
      const storage = await fetch(`${server.url}/metrics`);
      assert.notEqual(storage.status, 200);
      assert.match(await storage.text(), /<Error>/);
    } finally {
      await server.stop();
    }
  });

  it('off: no metrics anywhere', async () => {
    const server = await startTestServer({ metricsAddress: 'off' });
    try {
      assert.equal(server.metrics, undefined);
      assert.notEqual((await fetch(`${server.url}/metrics`)).status, 200);
    } finally {
      await server.stop();
    }
  });
});

describe('GET /ready', () => {
  it('answers 200 while both stores answer, 503 when the blob store is gone, 200 again once it is back', async () => {
    const server = await startTestServer();
    try {
      const ready = await fetch(`${server.url}/ready`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { status: 'ready' });
      const blobs = path.join(server.dataDir, 'objects', 'blobs');
      await fs.rename(blobs, blobs + '.lost');
      const lost = await fetch(`${server.url}/ready`);
      assert.equal(lost.status, 503);
      assert.equal(((await lost.json()) as { status: string }).status, 'unavailable');
      // Liveness is not readiness: the process still answers /health.
      assert.equal((await fetch(`${server.url}/health`)).status, 200);
      await fs.rename(blobs + '.lost', blobs);
      assert.equal((await fetch(`${server.url}/ready`)).status, 200);
    } finally {
      await server.stop();
    }
  });

  it('answers 503 when the metadata store does not answer', async () => {
    const server = await startTestServer();
    try {
      await server.meta.close();
      const res = await fetch(`${server.url}/ready`);
      assert.equal(res.status, 503);
    } finally {
      await server.stop().catch(() => undefined);
    }
  });
});
