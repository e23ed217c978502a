import fs from 'node:fs';
import os from 'node:os';
import { DEFAULT_BLOB_TIMEOUT_MS, parseBlobLocation, type BlobLocation } from '../blob/location.js';
import type { LogLevel } from './logger.js';

export interface Config {
  dataDir: string;
  host: string;
  port: number;
  accessKey?: string;
  secretKey?: string;
  fsync: boolean;
  logLevel: LogLevel;
  /** Domains for virtual-hosted-style addressing (`<bucket>.<domain>`). */
  domains: string[];
  /** Website endpoint domains (`<bucket>.<domain>` serves the bucket's static site); unset: `s3-website.<d>` for each of `domains`. */
  websiteDomains?: string[];
  /**
   * Per-dialect domains: an unsigned request (no signature, no dialect
   * header) sent to `<domain>` or `<bucket>.<domain>` is answered by that
   * dialect; they are virtual-hosted domains as well. Default: none (OSS's
   * own endpoint names, `oss-<region>.aliyuncs.com`, are always OSS's).
   * Otherwise an unsigned request is answered by the dialect that created
   * its bucket, else S3.
   */
  s3Domains: string[];
  ossDomains: string[];
  obsDomains: string[];
  /**
   * The one region signatures may name (SigV4, OSS V4) and new buckets get.
   * Unset (the default), as MinIO: any signing region is accepted, and a new
   * bucket takes the region its creation was signed for (us-east-1 when the
   * signature names none).
   */
  region?: string;
  /** Metadata store URL: a SQLite file path (default `<data>/meta.db`) or `postgres://...`. */
  metaUrl?: string;
  /** Blob data: the data directory's files (default) or a bucket of an S3-compatible system. */
  blob: BlobLocation;
  /** PostgreSQL schema to use (several deployments or test runs can share one database). */
  pgSchema?: string;
  /** Numeric appid of the root account (COS JSON v4). */
  appid: string;
  /** COS downloads at `<bucket>-<appid>.<cosDownloadDomain>/<path>`. */
  cosDownloadDomain: string;
  /** COS downloads at `<cosDownloadPath>/<bucket>-<appid>/<path>` on any host. */
  cosDownloadPath: string;
  bodyIdleMs: number;
  maxSkewMs: number;
  /** Grace period for in-flight requests on shutdown. */
  shutdownGraceMs: number;
  /** Concurrent connections accepted; more are closed at once. */
  maxConnections: number;
  /** A request's headers must arrive within this time. */
  headersTimeoutMs: number;
  /** A request's body must arrive within this time of its start. */
  bodyTimeoutMs: number;
  /** Slowest average body rate accepted in bytes/s, after the idle timeout (0: no minimum). */
  bodyMinRate: number;
  /** PEM certificate chain and private key files: HTTPS on the listen address when both are set. */
  tlsCert?: string;
  tlsKey?: string;
  /** Where `/metrics` is served: `same` (the listen address), `off`, or its own host:port. */
  metrics: 'same' | 'off' | { host: string; port: number };
  /** Gateway processes sharing the listen address (`--workers N`, node:cluster); 1 runs in this process. */
  processes: number;
  // background workers (src/workers)
  /** Run the background workers (lifecycle...) in this gateway; false: `--no-workers`. */
  backgroundWorkers: boolean;
  /** Debug clock: one lifecycle day lasts this many seconds (RGW's rgw_lc_debug_interval). */
  lifecycleDaySeconds?: number;
  /** A worker's lease: another gateway takes it over within about this time after the holder dies. */
  workerLeaseMs: number;
  /** Simulated time a restore from an archive storage class takes. */
  restoreSeconds: number;
  /** Access logs: lines go from memory to the store's queue, and from there into target buckets, at this interval. */
  logFlushSeconds: number;
}

/** The region reported where one is needed and none is configured or signed for. */
export const DEFAULT_REGION = 'us-east-1';

export const DEFAULTS: Config = {
  dataDir: './data',
  host: '127.0.0.1',
  port: 9000,
  fsync: true,
  logLevel: 'info',
  domains: ['localhost'],
  s3Domains: [],
  ossDomains: [],
  obsDomains: [],
  appid: '1250000000',
  cosDownloadDomain: 'file.localhost',
  cosDownloadPath: '/cos-download',
  bodyIdleMs: 20_000,
  maxSkewMs: 15 * 60_000,
  shutdownGraceMs: 10_000,
  maxConnections: 1024,
  headersTimeoutMs: 20_000,
  bodyTimeoutMs: 6 * 3600_000,
  bodyMinRate: 1024,
  metrics: 'same',
  blob: { kind: 'fs' },
  processes: 1,
  backgroundWorkers: true,
  workerLeaseMs: 30_000,
  restoreSeconds: 60,
  logFlushSeconds: 60,
};

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export function parseAddress(a: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(a);
  const parsed = m ? { host: m[1] ?? (m[2] || '127.0.0.1'), port: Number(m[3]) } : /^\d+$/.test(a) ? { host: '127.0.0.1', port: Number(a) } : undefined;
  if (!parsed || parsed.port > 65535) throw new Error(`invalid address "${a}": expected host:port`);
  return parsed;
}

function bool(v: string): boolean {
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new Error(`invalid boolean "${v}"`);
}

/** Raw settings as they come from a source; every field optional and still textual where sources are text. */
export interface ConfigInput {
  data?: string;
  address?: string;
  accessKey?: string;
  secretKey?: string;
  fsync?: boolean | string;
  logLevel?: string;
  domains?: string[] | string;
  websiteDomains?: string[] | string;
  s3Domains?: string[] | string;
  ossDomains?: string[] | string;
  obsDomains?: string[] | string;
  region?: string;
  meta?: string;
  pgSchema?: string;
  /** `fs` (default) or `s3://bucket/prefix`, with the endpoint and key pair below. */
  blob?: string;
  blobEndpoint?: string;
  blobAccessKey?: string;
  blobSecretKey?: string;
  blobRegion?: string;
  blobTimeoutMs?: number | string;
  appid?: string;
  cosDownloadDomain?: string;
  cosDownloadPath?: string;
  maxConnections?: number | string;
  headersTimeoutMs?: number | string;
  bodyTimeoutMs?: number | string;
  bodyMinRate?: number | string;
  tlsCert?: string;
  tlsKey?: string;
  /** `same`, `off`, or host:port. */
  metricsAddress?: string;
  /**
   * `--workers N|auto`: gateway processes (a count, or one per core); `--no-workers`
   * (false): no background workers in this gateway.
   */
  workers?: number | string | boolean;
  /** Background workers on (default) or off, by name (config file, STRATUS_BACKGROUND_WORKERS). */
  backgroundWorkers?: boolean | string;
  lifecycleDaySeconds?: number | string;
  workerLeaseMs?: number | string;
  restoreSeconds?: number | string;
  logFlushSeconds?: number | string;
}

/** A whole number at least `min`, from a number or its decimal text. */
function count(name: string, v: number | string, min: number): number {
  const n = typeof v === 'number' ? v : /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`invalid ${name} "${v}": a whole number, at least ${min}`);
  return n;
}

export function fromEnv(env: NodeJS.ProcessEnv): ConfigInput {
  return {
    data: env.STRATUS_DATA,
    address: env.STRATUS_ADDRESS,
    accessKey: env.STRATUS_ACCESS_KEY,
    secretKey: env.STRATUS_SECRET_KEY,
    fsync: env.STRATUS_FSYNC,
    logLevel: env.STRATUS_LOG_LEVEL,
    domains: env.STRATUS_DOMAINS,
    websiteDomains: env.STRATUS_WEBSITE_DOMAINS,
    s3Domains: env.STRATUS_S3_DOMAINS,
    ossDomains: env.STRATUS_OSS_DOMAINS,
    obsDomains: env.STRATUS_OBS_DOMAINS,
    region: env.STRATUS_REGION,
    meta: env.STRATUS_META,
    blob: env.STRATUS_BLOB,
    blobEndpoint: env.STRATUS_BLOB_ENDPOINT,
    blobAccessKey: env.STRATUS_BLOB_ACCESS_KEY,
    blobSecretKey: env.STRATUS_BLOB_SECRET_KEY,
    blobRegion: env.STRATUS_BLOB_REGION,
    blobTimeoutMs: env.STRATUS_BLOB_TIMEOUT_MS,
    appid: env.STRATUS_APPID,
    cosDownloadDomain: env.STRATUS_COS_DOWNLOAD_DOMAIN,
    cosDownloadPath: env.STRATUS_COS_DOWNLOAD_PATH,
    maxConnections: env.STRATUS_MAX_CONNECTIONS,
    headersTimeoutMs: env.STRATUS_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: env.STRATUS_BODY_TIMEOUT_MS,
    bodyMinRate: env.STRATUS_BODY_MIN_RATE,
    tlsCert: env.STRATUS_TLS_CERT,
    tlsKey: env.STRATUS_TLS_KEY,
    metricsAddress: env.STRATUS_METRICS_ADDRESS,
    workers: env.STRATUS_WORKERS,
    backgroundWorkers: env.STRATUS_BACKGROUND_WORKERS,
    lifecycleDaySeconds: env.STRATUS_LIFECYCLE_DAY_SECONDS,
    workerLeaseMs: env.STRATUS_WORKER_LEASE_MS,
    restoreSeconds: env.STRATUS_RESTORE_SECONDS,
    logFlushSeconds: env.STRATUS_LOG_FLUSH_SECONDS,
  };
}

export function fromFile(file: string): ConfigInput {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as ConfigInput;
  if (typeof doc !== 'object' || doc === null) throw new Error(`${file}: expected a JSON object`);
  return doc;
}

/** A list of domains from an array or comma-separated text, lower-cased. */
function domainList(v: string[] | string): string[] {
  return (Array.isArray(v) ? v : v.split(',')).map((d) => d.trim().toLowerCase()).filter(Boolean);
}

/** Layers sources, later ones winning: defaults, config file, environment, flags. */
export function resolveConfig(...layers: ConfigInput[]): Config {
  const c: Config = { ...DEFAULTS, domains: [...DEFAULTS.domains], s3Domains: [], ossDomains: [], obsDomains: [] };
  // The blob settings are checked together once every layer is in (an endpoint may come from the file, keys from the environment).
  const blob: { blob?: string; endpoint?: string; accessKey?: string; secretKey?: string; region?: string; timeoutMs?: number } = {};
  for (const l of layers) {
    if (l.data !== undefined) c.dataDir = l.data;
    if (l.address !== undefined) Object.assign(c, parseAddress(l.address));
    if (l.accessKey !== undefined) c.accessKey = l.accessKey;
    if (l.secretKey !== undefined) c.secretKey = l.secretKey;
    if (l.fsync !== undefined) c.fsync = typeof l.fsync === 'boolean' ? l.fsync : bool(l.fsync);
    if (l.logLevel !== undefined) {
      if (!LEVELS.has(l.logLevel)) throw new Error(`invalid log level "${l.logLevel}"`);
      c.logLevel = l.logLevel as LogLevel;
    }
    if (l.domains !== undefined) c.domains = domainList(l.domains);
    if (l.s3Domains !== undefined) c.s3Domains = domainList(l.s3Domains);
    if (l.ossDomains !== undefined) c.ossDomains = domainList(l.ossDomains);
    if (l.obsDomains !== undefined) c.obsDomains = domainList(l.obsDomains);
    if (l.websiteDomains !== undefined) c.websiteDomains = domainList(l.websiteDomains);
    if (l.region !== undefined) c.region = l.region;
    if (l.meta !== undefined) c.metaUrl = l.meta;
    if (l.pgSchema !== undefined) c.pgSchema = l.pgSchema;
    if (l.blob !== undefined) blob.blob = l.blob;
    if (l.blobEndpoint !== undefined) blob.endpoint = l.blobEndpoint;
    if (l.blobAccessKey !== undefined) blob.accessKey = l.blobAccessKey;
    if (l.blobSecretKey !== undefined) blob.secretKey = l.blobSecretKey;
    if (l.blobRegion !== undefined) blob.region = l.blobRegion;
    if (l.blobTimeoutMs !== undefined) blob.timeoutMs = count('blobTimeoutMs', l.blobTimeoutMs, 1);
    if (l.appid !== undefined) {
      if (!/^\d{1,20}$/.test(l.appid)) throw new Error(`invalid appid "${l.appid}": digits only`);
      c.appid = l.appid;
    }
    if (l.cosDownloadDomain !== undefined) {
      const d = l.cosDownloadDomain.trim().toLowerCase();
      if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(d)) throw new Error(`invalid COS download domain "${l.cosDownloadDomain}"`);
      c.cosDownloadDomain = d;
    }
    if (l.cosDownloadPath !== undefined) {
      if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(l.cosDownloadPath) || l.cosDownloadPath === '/files')
        throw new Error(`invalid COS download path "${l.cosDownloadPath}": one or more /segments, not /files`);
      c.cosDownloadPath = l.cosDownloadPath;
    }
    if (l.maxConnections !== undefined) c.maxConnections = count('maxConnections', l.maxConnections, 1);
    if (l.headersTimeoutMs !== undefined) c.headersTimeoutMs = count('headersTimeoutMs', l.headersTimeoutMs, 1);
    if (l.bodyTimeoutMs !== undefined) c.bodyTimeoutMs = count('bodyTimeoutMs', l.bodyTimeoutMs, 1);
    if (l.bodyMinRate !== undefined) c.bodyMinRate = count('bodyMinRate', l.bodyMinRate, 0);
    if (l.tlsCert !== undefined) c.tlsCert = l.tlsCert;
    if (l.tlsKey !== undefined) c.tlsKey = l.tlsKey;
    if (l.metricsAddress !== undefined) c.metrics = l.metricsAddress === 'same' || l.metricsAddress === 'off' ? l.metricsAddress : parseAddress(l.metricsAddress);
    if (l.workers !== undefined) {
      // One flag, two meanings, as the two features name it: a count of gateway processes, or off for background work.
      if (typeof l.workers === 'boolean') c.backgroundWorkers = l.workers;
      else if (l.workers === 'auto') c.processes = os.availableParallelism();
      else if (typeof l.workers === 'number' || /^\s*\d+\s*$/.test(l.workers)) c.processes = count('workers', l.workers, 1);
      else c.backgroundWorkers = bool(l.workers);
    }
    if (l.backgroundWorkers !== undefined) c.backgroundWorkers = typeof l.backgroundWorkers === 'boolean' ? l.backgroundWorkers : bool(l.backgroundWorkers);
    if (l.lifecycleDaySeconds !== undefined) c.lifecycleDaySeconds = count('lifecycleDaySeconds', l.lifecycleDaySeconds, 1);
    if (l.workerLeaseMs !== undefined) c.workerLeaseMs = count('workerLeaseMs', l.workerLeaseMs, 100);
    if (l.restoreSeconds !== undefined) c.restoreSeconds = count('restoreSeconds', l.restoreSeconds, 0);
    if (l.logFlushSeconds !== undefined) c.logFlushSeconds = count('logFlushSeconds', l.logFlushSeconds, 1);
  }
  c.blob = parseBlobLocation({ ...blob, timeoutMs: blob.timeoutMs ?? DEFAULT_BLOB_TIMEOUT_MS });
  if ((c.tlsCert === undefined) !== (c.tlsKey === undefined)) throw new Error('give both a TLS certificate and a TLS key, or neither');
  if ((c.accessKey === undefined) !== (c.secretKey === undefined)) throw new Error('give both an access key and a secret key, or neither');
  return c;
}
