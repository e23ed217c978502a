import { S3Client } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as Minio from 'minio';
import { resolveConfig, type ConfigInput } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../../src/server/app.js';

export const ACCESS_KEY = 'STRATUSTESTKEY000001';
export const SECRET_KEY = 'stratus-test-secret-key-0000000000000001';

export interface TestServer extends RunningServer {
  dataDir: string;
  s3: S3Client;
  minio: Minio.Client;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/** A server on an ephemeral port over a fresh data directory, with official clients pointed at it. */
export async function startTestServer(overrides: ConfigInput & { bodyIdleMs?: number } = {}): Promise<TestServer> {
  const dataDir = overrides.data ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-test-')));
  const config = resolveConfig({ address: '127.0.0.1:0', accessKey: ACCESS_KEY, secretKey: SECRET_KEY, logLevel: 'silent', fsync: false, ...overrides, data: dataDir });
  if (overrides.bodyIdleMs) config.bodyIdleMs = overrides.bodyIdleMs;
  const running = await startServer(config);
  const s3 = new S3Client({
    endpoint: running.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
  });
  const minio = new Minio.Client({ endPoint: '127.0.0.1', port: running.port, useSSL: false, accessKey: ACCESS_KEY, secretKey: SECRET_KEY, region: 'us-east-1' });
  return {
    ...running,
    dataDir,
    s3,
    minio,
    async stop() {
      s3.destroy();
      await running.close();
      if (!overrides.data) await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
/** A bucket name unique within the test run. */
export function bucketName(tag = 'b'): string {
  return `${tag}-${process.pid}-${++counter}-${Date.now().toString(36)}`.toLowerCase().slice(0, 63);
}

/** Files under the data directory's object store (blobs and temporary files). */
export async function storedFiles(dataDir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string) {
    for (const e of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(path.relative(dataDir, p));
    }
  }
  await walk(path.join(dataDir, 'objects'));
  return out.sort();
}

/**
 * Stored object data: the files under objects/ and the small objects kept
 * inline in the SQLite store (engine/inline.ts), so that "nothing is left"
 * counts both.
 */
export async function storedData(dataDir: string): Promise<number> {
  const db = new Database(path.join(dataDir, 'meta.db'), { readonly: true });
  try {
    return (await storedFiles(dataDir)).length + (db.prepare('SELECT COUNT(*) AS n FROM object_data').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
