import cluster, { type Worker } from 'node:cluster';
import fs from 'node:fs/promises';
import type { Logger } from 'pino';
import { openMetadataStore } from '../meta/open.js';
import type { Config } from './config.js';
import { rootKeys } from './credentials.js';

/** A worker that dies this soon after starting, this many times in a row, is not restarted again. */
const EARLY_DEATH_MS = 2000;
const EARLY_DEATH_LIMIT = 5;

/** What a gateway worker tells the primary once it listens. */
export interface ListeningMessage {
  stratus: 'listening';
  url: string;
}

/**
 * `stratus server --workers N`: N gateway processes on one listen address
 * (node:cluster shares the socket). The primary does the once-only work
 * before forking (schema migration, the root key pair) so workers never race
 * for it, then restarts any worker that dies (its in-flight requests fail;
 * nothing committed is lost: commits are in the store), forwards SIGHUP (TLS
 * reload), and on SIGTERM / SIGINT lets every worker drain before it exits.
 * Each worker is a whole gateway: the same code as a single process.
 */
export async function runPrimary(config: Config, log: Logger, announce: (url: string, keys: { accessKey: string; secretKey: string; generated: boolean }) => void): Promise<void> {
  await fs.mkdir(config.dataDir, { recursive: true });
  const meta = await openMetadataStore({ dataDir: config.dataDir, url: config.metaUrl, pgSchema: config.pgSchema, fsync: config.fsync });
  await meta.close();
  const keys = await rootKeys(config.dataDir, config.accessKey, config.secretKey);
  // Workers run the same command line; these make them workers with the resolved keys.
  const env = { STRATUS_CLUSTER_WORKER: '1', STRATUS_ACCESS_KEY: keys.accessKey, STRATUS_SECRET_KEY: keys.secretKey };

  let stopping = false;
  let earlyDeaths = 0;
  let announced = false;
  const listening = new Set<number>();
  const startedAt = new Map<Worker, number>();
  const fork = () => {
    const w = cluster.fork(env);
    startedAt.set(w, Date.now());
    w.on('message', (m: ListeningMessage) => {
      if (m?.stratus !== 'listening') return;
      listening.add(w.id);
      // Announced once every first-generation worker listens, so "listening" means all of them.
      if (!announced && listening.size >= config.processes) {
        announced = true;
        announce(m.url, keys);
      }
    });
  };
  cluster.on('exit', (w, code, signal) => {
    const lived = Date.now() - (startedAt.get(w) ?? 0);
    startedAt.delete(w);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    earlyDeaths = lived < EARLY_DEATH_MS ? earlyDeaths + 1 : 0;
    if (earlyDeaths >= EARLY_DEATH_LIMIT) {
      log.fatal({ pid: w.process.pid, code, signal }, 'gateway workers keep dying at start; giving up');
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.kill('SIGTERM');
      process.exitCode = 1;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(1);
      return;
    }
    log.warn({ pid: w.process.pid, code, signal }, 'gateway worker died; starting another');
    fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down the gateway workers');
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(0);
    for (const w of workers) w?.process.kill('SIGTERM');
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGHUP');
  });
  for (let i = 0; i < config.processes; i++) fork();
}

/** In a worker: tells the primary the gateway listens. */
export function reportListening(url: string): void {
  if (cluster.isWorker && process.send) process.send({ stratus: 'listening', url } satisfies ListeningMessage);
}

/** Whether this process is a gateway worker of `--workers N`. */
export function isClusterWorker(): boolean {
  return cluster.isWorker && process.env.STRATUS_CLUSTER_WORKER === '1';
}
