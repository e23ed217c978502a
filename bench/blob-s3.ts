/**
 * `--only blob-s3`: the small-object rows, at 128 KiB (above the inline
 * bound, so that every object is a blob), against a Stratus whose blobs live in
 * another Stratus (`--blob s3://...`), beside a Stratus on local files, both
 * measured in this run. The difference in latency is what a hop to the blob
 * system costs a small request; the backend's CPU is not counted.
 */
import { spawnStratus, type Child } from './children.js';
import { BenchClient } from './client.js';
import { benchSmall, type SmallResult } from './small.js';

export interface BlobS3Result {
  s3: SmallResult;
  local: SmallResult;
}

export async function benchBlobS3(
  o: { tmp: string; credentials: { accessKeyId: string; secretAccessKey: string }; fsync: boolean; local: { client: BenchClient; pid: number }; connections: number; size: number; body: Buffer; ms: number; sliceMs: number; warmupMs: number },
  children: Child[],
  cleanups: (() => Promise<void> | void)[],
  log: (s: string) => void,
): Promise<BlobS3Result> {
  const keys = { accessKey: o.credentials.accessKeyId, secretKey: o.credentials.secretAccessKey };
  const backend = await spawnStratus({ dataDir: `${o.tmp}/blob-backend`, ...keys, fsync: o.fsync });
  children.push(backend);
  const bc = new BenchClient(backend.url, o.credentials, 4);
  cleanups.unshift(() => bc.close());
  await bc.must({ method: 'PUT', bucket: 'blobs' });
  const front = await spawnStratus({
    dataDir: `${o.tmp}/blob-front`,
    ...keys,
    fsync: o.fsync,
    extraArgs: ['--blob', 's3://blobs/bench', '--blob-endpoint', backend.url, '--blob-access-key', keys.accessKey, '--blob-secret-key', keys.secretKey],
  });
  children.push(front);
  const fc = new BenchClient(front.url, o.credentials, o.connections);
  cleanups.unshift(() => fc.close());
  log(`${o.size / 1024} KiB objects through the S3 blob store (pid ${front.pid}, blobs in pid ${backend.pid}) vs local files (pid ${o.local.pid})`);
  const r = await benchSmall(
    { stratus: { client: fc, pid: front.pid, bucket: 'bench-s3' }, baseline: { client: o.local.client, pid: o.local.pid, bucket: 'bench-local' } },
    { size: o.size, body: o.body, connections: o.connections, ms: o.ms, sliceMs: o.sliceMs, warmupMs: o.warmupMs },
    log,
  );
  return { s3: r.stratus, local: r.baseline };
}
