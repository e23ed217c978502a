/**
 * Server access logging: configured through S3 (Put/GetBucketLogging), OSS
 * (ali-oss) and OBS (esdk-obs-nodejs); requests to a logging bucket become
 * access-log lines (S3's format; OSS's when configured through OSS), written
 * as log objects into the target bucket by the log-delivery worker (flush
 * interval: one second here).
 */
import {
  CreateBucketCommand,
  GetBucketLoggingCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketLoggingCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import type ObsClient from 'esdk-obs-nodejs';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { obsClient, ok } from '../obs/helpers.js';
import { ossClient, ossError } from '../oss/helpers.js';
import { ACCESS_KEY, bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { sdkRejects } from '../helpers/sdk.js';
import { waitFor } from '../helpers/wait.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer({ logFlushSeconds: 1, domains: ['localhost', 'obs.stratus.test'] });
});
after(async () => {
  await srv?.stop();
});

async function newBucket(tag: string): Promise<string> {
  const b = bucketName(tag);
  await srv.s3.send(new CreateBucketCommand({ Bucket: b }));
  return b;
}

/** Flushes, delivers and returns the log objects' lines once `n` lines have arrived under `prefix`. */
async function deliveredLines(target: string, prefix: string, n: number): Promise<{ keys: string[]; lines: string[] }> {
  const worker = srv.workers!.get('log-delivery')!;
  return waitFor(
    async () => {
      await srv.accessLog.flush();
      await worker.runNow();
      const keys = ((await srv.s3.send(new ListObjectsV2Command({ Bucket: target, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);
      const lines: string[] = [];
      for (const k of keys) lines.push(...(await (await srv.s3.send(new GetObjectCommand({ Bucket: target, Key: k }))).Body!.transformToString()).split('\n').filter(Boolean));
      return lines.length >= n ? { keys, lines } : undefined;
    },
    { what: `${n} access-log lines under ${prefix}`, timeoutMs: 20_000, intervalMs: 200 },
  );
}

// bucket-owner bucket [time] remote-ip requester request-id operation key "request-uri" status error bytes size total turnaround "referer" "ua" version host-id sig cipher auth host tls access-point acl
const LINE =
  /^(\S+) (\S+) \[(\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000)\] (\S+) (\S+) (\S+) (\S+) (\S+) "([^"]*)" (\d{3}) (\S+) (\S+) (\S+) (\d+) (\S+) "([^"]*)" "([^"]*)" (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)$/;

/**
 * The fields of an OSS access-log line (OSS's Logging guide): space-separated, strings quoted,
 * the time in brackets; 28 of them, of which later versions may append more.
 */
function ossFields(line: string) {
  const t = line.match(/"(?:[^"\\]|\\.)*"|\[[^\]]*\]|\S+/g) ?? [];
  assert.ok(t.length >= 28, `not an OSS access-log line (${t.length} fields): ${line}`);
  const q = (i: number) => {
    assert.match(t[i], /^".*"$/, `field ${i + 1} is quoted: ${line}`);
    return t[i].slice(1, -1);
  };
  assert.deepEqual([t[1], t[2]], ['-', '-'], 'the two reserved fields');
  assert.match(t[3], /^\[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\]$/);
  assert.equal(q(12), 'true', 'LoggingFlag');
  return {
    remoteIp: t[0],
    requestUri: q(4),
    status: t[5],
    sentBytes: t[6],
    host: q(10),
    requestId: q(11),
    requester: q(13),
    operation: q(14),
    bucket: q(15),
    key: q(16),
    objectSize: t[17],
    errorCode: q(19),
    requestLength: t[20],
    owner: q(21),
    storageClass: q(24),
    accessKeyId: q(27),
  };
}

describe('S3 bucket logging', () => {
  it('refuses a target bucket that does not exist; GET without a configuration is an empty status', async () => {
    const b = await newBucket('lg');
    await sdkRejects(
      srv.s3.send(new PutBucketLoggingCommand({ Bucket: b, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'no-such-bucket-' + process.pid, TargetPrefix: 'x/' } } })),
      'InvalidTargetBucketForLogging',
      400,
    );
    assert.equal((await srv.s3.send(new GetBucketLoggingCommand({ Bucket: b }))).LoggingEnabled, undefined);
  });

  it('writes every request to the logged bucket as an S3 access-log line into the target bucket', async () => {
    const source = await newBucket('lg-src');
    const target = await newBucket('lg-dst');
    await srv.s3.send(new PutBucketLoggingCommand({ Bucket: source, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: target, TargetPrefix: 'logs/' } } }));
    const got = await srv.s3.send(new GetBucketLoggingCommand({ Bucket: source }));
    assert.deepEqual(got.LoggingEnabled, { TargetBucket: target, TargetPrefix: 'logs/', TargetObjectKeyFormat: { SimplePrefix: {} } });

    await srv.s3.send(new PutObjectCommand({ Bucket: source, Key: 'dir/a b.txt', Body: 'hello' }));
    await (await srv.s3.send(new GetObjectCommand({ Bucket: source, Key: 'dir/a b.txt' }))).Body!.transformToString();
    await sdkRejects(srv.s3.send(new HeadObjectCommand({ Bucket: source, Key: 'missing' })), 'NotFound', 404);
    const { keys, lines } = await deliveredLines(target, 'logs/', 3);
    for (const k of keys) assert.match(k, /^logs\/\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-F]{16}$/);
    const parsed = lines.map((l) => {
      const m = LINE.exec(l);
      assert.ok(m, `not an S3 access-log line: ${l}`);
      return m;
    });
    const put = parsed.find((m) => m[7] === 'REST.PUT.OBJECT');
    assert.ok(put, lines.join('\n'));
    assert.equal(put[2], source);
    assert.equal(put[8], 'dir/a%20b.txt');
    assert.equal(put[10], '200');
    assert.equal(put[22], 'AuthHeader');
    assert.equal(put[20], 'SigV4');
    const get = parsed.find((m) => m[7] === 'REST.GET.OBJECT')!;
    assert.equal(get[12], '5', 'bytes sent');
    const head = parsed.find((m) => m[7] === 'REST.HEAD.OBJECT')!;
    assert.equal(head[10], '404');
    // The PutBucketLogging above came before logging was on; the GetBucketLogging after it is logged.
    assert.ok(parsed.some((m) => m[7] === 'REST.GET.LOGGING'));
  });

  it('names log objects by partition with PartitionedPrefix', async () => {
    const source = await newBucket('lg-src');
    const target = await newBucket('lg-dst');
    await srv.s3.send(
      new PutBucketLoggingCommand({
        Bucket: source,
        BucketLoggingStatus: { LoggingEnabled: { TargetBucket: target, TargetPrefix: 'p/', TargetObjectKeyFormat: { PartitionedPrefix: { PartitionDateSource: 'EventTime' } } } },
      }),
    );
    await srv.s3.send(new PutObjectCommand({ Bucket: source, Key: 'k', Body: 'x' }));
    const { keys } = await deliveredLines(target, 'p/', 1);
    const d = new Date();
    const day = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
    assert.ok(keys[0].startsWith(`p/root/us-east-1/${source}/${day}/`), keys[0]);
  });
});

describe('OSS and OBS bucket logging', () => {
  let c: ObsClient;
  before(async () => {
    c = await obsClient(srv, 'obs');
  });
  after(() => c.close());

  it('OSS: putBucketLogging / getBucketLogging / deleteBucketLogging through ali-oss; lines in OSS format, objects named as OSS names them', async () => {
    const oss = ossClient(srv);
    const b = bucketName('lg-oss');
    await oss.putBucket(b);
    assert.equal((await oss.getBucketLogging(b)).enable, false);
    await oss.putBucketLogging(b, 'access/');
    const got = await oss.getBucketLogging(b);
    assert.deepEqual([got.enable, got.prefix], [true, 'access/']);
    oss.useBucket(b);
    await oss.put('dir/o b', Buffer.from('xyz'));
    await oss.get('dir/o b');
    await ossError(oss.get('missing'));
    // A request through another dialect goes into the same log, in the same format.
    await srv.s3.send(new HeadObjectCommand({ Bucket: b, Key: 'dir/o b' }));
    const { keys, lines } = await deliveredLines(b, 'access/', 4);
    for (const k of keys) assert.match(k, new RegExp(`^access/${b}\\d{4}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-[0-9A-F]{16}$`));
    const records = lines.map(ossFields);
    const op = (name: string) => records.find((r) => r.operation === name);
    const put = op('PutObject');
    assert.ok(put, lines.join('\n'));
    assert.deepEqual([put.bucket, put.key, put.status, put.owner, put.requester, put.accessKeyId], [b, 'dir/o%20b', '200', 'root', 'root', ACCESS_KEY]);
    assert.match(put.requestUri, /^PUT \/dir\/o%20b HTTP\/1\.1$/);
    assert.ok(Number(put.requestLength) > 3);
    const get = op('GetObject')!;
    assert.deepEqual([get.sentBytes, get.objectSize, get.storageClass], ['3', '3', 'Standard']);
    const notFound = records.find((r) => r.operation === 'GetObject' && r.status === '404')!;
    assert.equal(notFound.errorCode, 'NoSuchKey');
    assert.ok(op('HeadObject'), 'the S3 HEAD, in OSS words');
    await oss.deleteBucketLogging(b);
    assert.equal((await oss.getBucketLogging(b)).enable, false);
    const missing = await ossError(oss.putBucketLogging('no-such-' + process.pid, 'x/'));
    assert.equal(missing.status, 404);
  });

  it('OBS: setBucketLogging with an agency, getBucketLogging returns it, lines delivered', async () => {
    const source = bucketName('lg-obs');
    const target = bucketName('lg-obs-dst');
    await ok(c.createBucket({ Bucket: source }));
    await ok(c.createBucket({ Bucket: target }));
    await ok(c.setBucketLogging({ Bucket: source, Agency: 'log-agency', LoggingEnabled: { TargetBucket: target, TargetPrefix: 'obs-logs/' } }));
    const got = await ok(c.getBucketLogging({ Bucket: source }));
    assert.equal(got.Agency, 'log-agency');
    assert.equal(got.LoggingEnabled.TargetBucket, target);
    assert.equal(got.LoggingEnabled.TargetPrefix, 'obs-logs/');
    await ok(c.putObject({ Bucket: source, Key: 'o', Body: 'x' }));
    const { lines } = await deliveredLines(target, 'obs-logs/', 1);
    assert.ok(lines.some((l) => l.includes(' REST.PUT.OBJECT o ')), lines.join('\n'));
    await ok(c.setBucketLogging({ Bucket: source }));
    assert.equal((await ok(c.getBucketLogging({ Bucket: source }))).LoggingEnabled, undefined);
  });
});
