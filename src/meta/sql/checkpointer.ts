import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * SQLite's WAL checkpoints, run on a thread of their own. A checkpoint copies
 * committed pages from the WAL into the database and fsyncs both; left to
 * SQLite's auto-checkpoint it runs inside whichever COMMIT crosses the limit,
 * on the event loop, stalling every request for milliseconds. Here a second
 * connection in a worker thread runs a PASSIVE checkpoint (it never blocks
 * writers or readers) every `intervalMs`; the main connection keeps a high
 * auto-checkpoint limit only as a bound on the WAL should the thread fall behind.
 *
 * The worker's code is plain JavaScript evaluated in the thread, so it runs
 * the same from TypeScript sources and from the build.
 */
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 5000 });
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message || e) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  db.close();
  parentPort.close();
});
`;

export class Checkpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  /** The last error the thread reported (a checkpoint that failed is retried at the next interval). */
  lastError: string | undefined;

  constructor(file: string, intervalMs = 200) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_CODE, { eval: true, workerData: { file, driver, intervalMs } });
    this.worker.unref();
    this.worker.on('message', (m: { error?: string }) => {
      if (m.error) this.lastError = m.error;
    });
    // A thread that failed to start (or died) only means checkpoints fall back to SQLite's own.
    this.worker.on('error', (e) => {
      this.lastError = e.message;
    });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  /** Runs a last checkpoint and closes the thread's connection. */
  async close(): Promise<void> {
    this.worker.postMessage('close');
    const timer = setTimeout(() => void this.worker.terminate(), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}
