import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { describeBlobLocation } from '../blob/location.js';
import { openBlobStore } from '../blob/open.js';
import type { BlobFaults } from '../blob/store.js';
import { cosDialect } from '../dialects/cos/dialect.js';
import { obsDialect } from '../dialects/obs/dialect.js';
import { ossDialect } from '../dialects/oss/dialect.js';
import { s3Dialect } from '../dialects/s3/dialect.js';
import { Authorizer } from '../authz/authorizer.js';
import { Engine } from '../engine/engine.js';
import { storeDirectory } from '../identity/directory.js';
import { FIRST_ACCOUNT, Identity } from '../identity/identity.js';
import { iamDialect } from '../dialects/iam/dialect.js';
import { openMetadataStore } from '../meta/open.js';
import type { MetadataStore } from '../meta/store.js';
import { createHttpServer, type HttpServer } from '../http/server.js';
import type { Services } from '../http/services.js';
import { DEFAULT_REGION, type Config } from './config.js';
import { rootKeys, type RootKeys } from './credentials.js';
import { createLogger } from './logger.js';
import { Metrics } from './metrics.js';
import { startMetricsListener } from './metrics-listener.js';
import { startWorkers, type Workers } from '../workers/index.js';
import { watchChanges } from './change-watch.js';
import { configureLifecycle } from '../engine/lifecycle/timing.js';
import { AccessLogBuffer } from '../workers/access-log.js';
import { withAccessLog } from '../dialects/access-log.js';

export interface RunningServer {
  url: string;
  port: number;
  engine: Engine;
  /** Test hook: `authorizer.observe` sees every authorization question. */
  authorizer: Authorizer;
  meta: MetadataStore;
  /** Accounts, users, keys, roles and sessions. */
  identity: Identity;
  keys: RootKeys;
  log: Logger;
  server: HttpServer;
  /** Prometheus metrics (undefined with `metrics: 'off'`). */
  metrics?: Metrics;
  /** Where `/metrics` is served when it has its own address. */
  metricsUrl?: string;
  /** Re-reads the TLS certificate and key files (SIGHUP); false when the server has no TLS. */
  reloadTls(): Promise<boolean>;
  /** Background workers (undefined with --no-workers). */
  workers?: Workers;
  /** Access-log lines waiting to be queued (flush() moves them to the store now). */
  accessLog: AccessLogBuffer;
  /** Stops accepting, lets in-flight requests finish within the grace period, then closes the stores. */
  close(): Promise<void>;
}

/** The first-start account's id (see FIRST_ACCOUNT). */
export const ROOT_ACCOUNT = FIRST_ACCOUNT;

/**
 * Keys are remembered briefly: every signed request looks its key up. A key
 * disabled or deleted, or a user, role or policy removed, drops the whole
 * cache at once: through this gateway when it is made, through another when
 * the store's change counter shows it (src/server/change-watch.ts). This TTL
 * bounds staleness only while that counter cannot be read. Session expiry is
 * checked on every use, cached or not.
 */
export const CREDENTIAL_TTL_MS = 2000;

type Lookup = Services['lookupCredential'];

function cachedLookup(load: Lookup, now: () => number, onChange: (fn: () => void) => void): Lookup {
  const cache = new Map<string, { value: Awaited<ReturnType<Lookup>>; until: number }>();
  // Bumped with every change: a lookup that started before one is used once, not kept.
  let generation = 0;
  onChange(() => {
    cache.clear();
    generation++;
  });
  const fresh = (v: Awaited<ReturnType<Lookup>>) => {
    const s = v?.principal?.kind === 'anonymous' ? undefined : v?.principal?.session;
    return v && s && !v.refused && s.expiresAt <= now() ? { ...v, refused: 'expired' as const } : v;
  };
  return async (id) => {
    const t = Date.now();
    const hit = cache.get(id);
    if (hit && hit.until > t) return fresh(hit.value);
    const g = generation;
    const value = await load(id);
    // Unknown keys are not remembered, so a key created a moment ago works at once; nor is a
    // session refused as expired: that depends on the clock, which `fresh` reads on every use.
    if (value && value.refused !== 'expired' && g === generation) {
      if (cache.size > 1000) cache.clear();
      cache.set(id, { value, until: t + CREDENTIAL_TTL_MS });
    }
    return fresh(value);
  };
}

/** Opens the stores, sweeps leftovers of interrupted writes, and starts listening. */
export interface StartOptions {
  /** Test-only: faults injected into the blob store's filesystem calls. */
  blobFaults?: BlobFaults;
  /** Test-only: the clock temporary credentials are issued and expire by (default Date.now). */
  now?: () => number;
}

export async function startServer(config: Config, log: Logger = createLogger(config.logLevel), options: StartOptions = {}): Promise<RunningServer> {
  await fs.mkdir(config.dataDir, { recursive: true });
  const meta = await openMetadataStore({ dataDir: config.dataDir, url: config.metaUrl, pgSchema: config.pgSchema, fsync: config.fsync });
  const blobs = openBlobStore(config.blob, { dataDir: config.dataDir, fsync: config.fsync, faults: options.blobFaults, log, bodyTimeoutMs: config.bodyTimeoutMs });
  try {
    await blobs.init();
  } catch (e) {
    await meta.close();
    throw e;
  }
  if (config.blob.kind !== 'fs') log.info({ blob: describeBlobLocation(config.blob) }, 'blob data kept in another S3-compatible system');
  const engine = new Engine(meta, blobs, { defaultRegion: config.region ?? DEFAULT_REGION });
  configureLifecycle(engine, { daySeconds: config.lifecycleDaySeconds, restoreSeconds: config.restoreSeconds });

  const keys = await rootKeys(config.dataDir, config.accessKey, config.secretKey);
  const identity = new Identity(meta, options.now);
  await identity.ensureRoot(ROOT_ACCOUNT, config.appid, keys.accessKey, keys.secretKey);

  const swept = await engine.sweep(Date.now());
  if (swept.blobs || swept.temps) log.info(swept, 'start-up sweep removed unreferenced files');

  const directory = storeDirectory(identity);
  const authorizer = new Authorizer(engine, directory);
  const services: Services = {
    engine,
    authorizer,
    directory,
    identity,
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
    lookupCredential: cachedLookup((id) => identity.lookup(id), identity.now, (fn) => identity.onChange(fn)),
  };
  const metrics = config.metrics === 'off' ? undefined : new Metrics();
  if (metrics) {
    metrics.gauge('stratus_meta_transactions_committed', 'Metadata transactions committed', () => meta.stats().committed);
    metrics.gauge('stratus_meta_transactions_rolled_back', 'Metadata transactions rolled back (conflicts, failed checks, errors)', () => meta.stats().rolledBack);
    metrics.gauge('stratus_meta_pool_connections', 'Metadata store pool connections open (PostgreSQL)', () => meta.stats().pool?.total ?? 0);
    metrics.gauge('stratus_meta_pool_waiting', 'Requests waiting for a metadata store connection (PostgreSQL)', () => meta.stats().pool?.waiting ?? 0);
  }
  const readTls = async () => (config.tlsCert && config.tlsKey ? { cert: await fs.readFile(config.tlsCert), key: await fs.readFile(config.tlsKey) } : undefined);
  const tls = await readTls();
  // Server access logging: requests to logging buckets are recorded once answered (src/workers/access-log.ts).
  const accessLog = new AccessLogBuffer(engine, config.logFlushSeconds * 1000, log);
  const logged = { s3: withAccessLog(s3Dialect, accessLog), oss: withAccessLog(ossDialect, accessLog), obs: withAccessLog(obsDialect, accessLog) };
  const server = createHttpServer(services, { ...logged, cos: cosDialect, iam: iamDialect }, logged.s3, log, {
    maxConnections: config.maxConnections,
    headersTimeoutMs: config.headersTimeoutMs,
    bodyTimeoutMs: config.bodyTimeoutMs,
    bodyMinRate: config.bodyMinRate,
  }, { ...(tls ? { tls } : {}), ...(metrics ? { metrics } : {}), serveMetrics: config.metrics === 'same' });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  // Another gateway's changes: every cache here forgets when the store's change counter moves.
  const changes = watchChanges(
    () => meta.changeCount(),
    () => {
      engine.forgetCaches();
      identity.changedElsewhere();
    },
    { log },
  );
  const workers = config.backgroundWorkers ? startWorkers(engine, { leaseMs: config.workerLeaseMs, logFlushMs: config.logFlushSeconds * 1000 }, log) : undefined;
  if (workers) services.workers = workers;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const metricsListener = metrics && typeof config.metrics === 'object' ? await startMetricsListener(metrics, config.metrics, tls) : undefined;
  const reloadTls = async () => {
    const fresh = await readTls();
    if (!fresh) return false;
    server.reloadTls(fresh);
    metricsListener?.reloadTls(fresh);
    return true;
  };

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const drained = server.drain();
      const done = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
      await done;
      await metricsListener?.close();
      // Connections are gone; handlers may still be cleaning up (temporary files) before the stores close.
      await drained;
      clearTimeout(timer);
      await accessLog.stop();
      await workers?.stop();
      await changes.stop();
      await blobs.close?.();
      await meta.close();
    })());

  return { url: `${tls ? 'https' : 'http'}://${host}:${port}`, port, engine, authorizer, meta, identity, keys, log, server, workers, accessLog, close, reloadTls, ...(metrics ? { metrics, metricsUrl: metricsListener?.url } : {}) };
}
