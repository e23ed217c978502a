import type { TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/** A lifecycle day of one second in these tests (the debug clock). */
export const DAY_SECONDS = 1;

/**
 * Runs lifecycle passes until `check` holds: each poll asks the worker for a
 * pass now (so no test waits on the schedule) and then checks. The bound is
 * generous; no test asserts how long anything took.
 */
export async function untilLifecycle<T>(srv: TestServer, what: string, check: () => Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const worker = srv.workers?.get('lifecycle');
  if (!worker) throw new Error('the server runs no lifecycle worker');
  return waitFor(
    async () => {
      await worker.runNow();
      return check();
    },
    { what, timeoutMs, intervalMs: 200 },
  );
}
