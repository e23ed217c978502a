import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { FsBlobStore } from '../blob/fs-store.js';
import type { BlobFaults } from '../blob/store.js';
import { cosDialect } from '../dialects/cos/dialect.js';
import { obsDialect } from '../dialects/obs/dialect.js';
import { ossDialect } from '../dialects/oss/dialect.js';
import { s3Dialect } from '../dialects/s3/dialect.js';
import { Authorizer } from '../authz/authorizer.js';
import { Engine } from '../engine/engine.js';
import { storeDirectory } from '../identity/directory.js';
import { openMetadataStore } from '../meta/open.js';
import type { MetadataStore } from '../meta/store.js';
import { createHttpServer, type HttpServer } from '../http/server.js';
import type { Services } from '../http/services.js';
import { DEFAULT_REGION, type Config } from './config.js';
import { rootKeys, type RootKeys } from './credentials.js';
import { createLogger } from './logger.js';

export interface RunningServer {
  url: string;
  port: number;
  engine: Engine;
  /** Test hook: `authorizer.observe` sees every authorization question. */
  authorizer: Authorizer;
  meta: MetadataStore;
  keys: RootKeys;
  log: Logger;
  server: HttpServer;
  /** Stops accepting, lets in-flight requests finish within the grace period, then closes the stores. */
  close(): Promise<void>;
}

export const ROOT_ACCOUNT = 'root';

/** Known keys are remembered briefly: every signed request looks its key up. */
const CREDENTIAL_TTL_MS = 5000;

function cachedLookup(load: Services['lookupCredential']): Services['lookupCredential'] {
  const cache = new Map<string, { value: Awaited<ReturnType<Services['lookupCredential']>>; until: number }>();
  return async (id) => {
    const now = Date.now();
    const hit = cache.get(id);
    if (hit && hit.until > now) return hit.value;
    const value = await load(id);
    // Unknown keys are not remembered, so a key created a moment ago works at once.
    if (value) {
      if (cache.size > 1000) cache.clear();
      cache.set(id, { value, until: now + CREDENTIAL_TTL_MS });
    }
    return value;
  };
}

/** Opens the stores, sweeps leftovers of interrupted writes, and starts listening. */
export interface StartOptions {
  /** Test-only: faults injected into the blob store's filesystem calls. */
  blobFaults?: BlobFaults;
}

export async function startServer(config: Config, log: Logger = createLogger(config.logLevel), options: StartOptions = {}): Promise<RunningServer> {
  await fs.mkdir(config.dataDir, { recursive: true });
  const meta = await openMetadataStore({ dataDir: config.dataDir, url: config.metaUrl, pgSchema: config.pgSchema, fsync: config.fsync });
  const blobs = new FsBlobStore(path.join(config.dataDir, 'objects'), config.fsync, options.blobFaults);
  await blobs.init();
  const engine = new Engine(meta, blobs, { defaultRegion: config.region ?? DEFAULT_REGION });

  const keys = await rootKeys(config.dataDir, config.accessKey, config.secretKey);
  await meta.putAccount({ id: ROOT_ACCOUNT, displayName: ROOT_ACCOUNT, createdAt: Date.now(), appid: config.appid });
  await meta.putAccessKey({ accessKeyId: keys.accessKey, secretAccessKey: keys.secretKey, accountId: ROOT_ACCOUNT, sessionToken: null, expiresAt: null, createdAt: Date.now() });

  const swept = await engine.sweep(Date.now());
  if (swept.blobs || swept.temps) log.info(swept, 'start-up sweep removed unreferenced files');

  const directory = storeDirectory(engine);
  const authorizer = new Authorizer(engine, directory);
  const services: Services = {
    engine,
    authorizer,
    directory,
    settings: {
      // Each dialect's own domains are virtual-hosted domains too; the longest suffix is tried first.
      domains: [...new Set([...config.domains, ...config.s3Domains, ...config.ossDomains, ...config.obsDomains])].sort((a, b) => b.length - a.length),
      dialectDomains: { s3: config.s3Domains, oss: config.ossDomains, obs: config.obsDomains },
      ...(config.region !== undefined ? { region: config.region } : {}),
      bodyIdleMs: config.bodyIdleMs,
      maxSkewMs: config.maxSkewMs,
      cosDownload: { domain: config.cosDownloadDomain, path: config.cosDownloadPath },
      websiteDomains: config.websiteDomains ?? config.domains.map((d) => `s3-website.${d}`),
    },
    lookupCredential: cachedLookup(async (id) => {
      const k = await meta.getAccessKey(id);
      if (!k) return undefined;
      return { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey, sessionToken: k.sessionToken ?? undefined, owner: k.accountId };
    }),
  };
  const server = createHttpServer(services, { s3: s3Dialect, oss: ossDialect, obs: obsDialect, cos: cosDialect }, s3Dialect, log, {
    maxConnections: config.maxConnections,
    headersTimeoutMs: config.headersTimeoutMs,
    bodyTimeoutMs: config.bodyTimeoutMs,
    bodyMinRate: config.bodyMinRate,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const drained = server.drain();
      const done = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
      await done;
      // Connections are gone; handlers may still be cleaning up (temporary files) before the stores close.
      await drained;
      clearTimeout(timer);
      await blobs.close();
      await meta.close();
    })());

  return { url: `http://${host}:${port}`, port, engine, authorizer, meta, keys, log, server, close };
}
