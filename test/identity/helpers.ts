/** A test server whose session clock the test moves, and IAM / STS / S3 clients for any key pair. */
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig, type ConfigInput } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../../src/server/app.js';
import { ACCESS_KEY, SECRET_KEY } from '../helpers/server.js';
import type { Principal } from '../../src/authz/principal.js';

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const ROOT: Keys = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };

export interface IdentityServer extends RunningServer {
  /** Moves the clock sessions are issued and expire by. */
  advance(ms: number): void;
  iam(k?: Keys): IAMClient;
  sts(k?: Keys): STSClient;
  s3(k?: Keys): S3Client;
  stop(): Promise<void>;
}

export async function startIdentityServer(overrides: ConfigInput = {}): Promise<IdentityServer> {
  const dataDir = overrides.data ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-identity-')));
  const config = resolveConfig({ address: '127.0.0.1:0', accessKey: ACCESS_KEY, secretKey: SECRET_KEY, logLevel: 'silent', fsync: false, ...overrides, data: dataDir });
  let offset = 0;
  const running = await startServer(config, undefined, { now: () => Date.now() + offset });
  const clients: { destroy(): void }[] = [];
  const keep = <T extends { destroy(): void }>(c: T) => (clients.push(c), c);
  const common = (k: Keys) => ({ endpoint: running.url, region: 'us-east-1', credentials: k, maxAttempts: 1 });
  return {
    ...running,
    advance: (ms) => void (offset += ms),
    iam: (k = ROOT) => keep(new IAMClient(common(k))),
    sts: (k = ROOT) => keep(new STSClient(common(k))),
    s3: (k = ROOT) => keep(new S3Client({ ...common(k), forcePathStyle: true })),
    async stop() {
      for (const c of clients) c.destroy();
      await running.close();
      if (!overrides.data) await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The error a call rejects with (the SDKs' service exceptions carry name / Code and $metadata). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function failure(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

/** The principals the authorizer is asked about while `fn` runs. */
export async function principalsSeen(t: Pick<RunningServer, 'authorizer'>, fn: () => Promise<unknown>): Promise<Principal[]> {
  const seen: Principal[] = [];
  const stop = t.authorizer.observe((p) => seen.push(p));
  try {
    await fn();
  } finally {
    stop();
  }
  return seen;
}
