/**
 * Polling with a deadline: a condition that never comes true fails the test
 * with what was awaited (and the last value or error seen), instead of
 * hanging the run until an outer timeout with no clue.
 */
export interface WaitOptions {
  /** Give up after this long (default 20 s). */
  timeoutMs?: number;
  /** What is awaited, for the failure message ("the checkpoint file exists"). */
  what: string;
  /** Pause between polls (default 20 ms). */
  intervalMs?: number;
}

/**
 * Calls `fn` until it returns a truthy value and returns that value. An
 * error thrown by `fn` counts as "not yet" (and is reported if the deadline
 * passes). Fails with `timed out after N ms waiting until <what>`.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, opts: WaitOptions): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const intervalMs = opts.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  let lastError: unknown;
  for (;;) {
    try {
      last = await fn();
      lastError = undefined;
      if (last) return last as NonNullable<T>;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const seen = lastError !== undefined ? `; last error: ${(lastError as Error)?.message ?? String(lastError)}` : `; last value: ${String(last)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${opts.what}${seen}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
