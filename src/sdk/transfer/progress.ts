/** Progress events for transfers: bytes done, total, and the rate of this run (resumed bytes excluded). */

export interface ProgressEvent {
  /** Bytes of the object done so far, including parts done by an earlier run. */
  bytesDone: number;
  totalBytes: number;
  /** Average rate of this run, bytes per second. */
  bytesPerSecond: number;
  partsDone: number;
  partsTotal: number;
  /** True on the last event of a successful transfer. */
  done: boolean;
}

export type ProgressListener = (e: ProgressEvent) => void;

export class ProgressTracker {
  #done: number;
  readonly #resumed: number;
  readonly #start = Date.now();
  #lastEmit = 0;
  partsDone: number;

  constructor(
    readonly total: number,
    readonly partsTotal: number,
    private readonly listener: ProgressListener | undefined,
    resumedBytes = 0,
    resumedParts = 0,
    private readonly minIntervalMs = 100,
  ) {
    this.#done = resumedBytes;
    this.#resumed = resumedBytes;
    this.partsDone = resumedParts;
  }

  get bytesDone(): number {
    return this.#done;
  }

  /** Counts bytes (negative to take back bytes of a failed attempt); emits at most every minIntervalMs. */
  add(bytes: number): void {
    this.#done += bytes;
    const now = Date.now();
    if (now - this.#lastEmit >= this.minIntervalMs) this.emit(false, now);
  }

  partDone(): void {
    this.partsDone++;
    this.emit(false);
  }

  emit(done: boolean, now = Date.now()): void {
    if (!this.listener) return;
    this.#lastEmit = now;
    const secs = Math.max(0.001, (now - this.#start) / 1000);
    this.listener({
      bytesDone: this.#done,
      totalBytes: this.total,
      bytesPerSecond: (this.#done - this.#resumed) / secs,
      partsDone: this.partsDone,
      partsTotal: this.partsTotal,
      done,
    });
  }
}

/**
 * Runs `tasks` with at most `limit` in flight. After the first failure no
 * new task starts; the in-flight ones are awaited and the first error is
 * thrown.
 */
export async function runPool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { e: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (e) {
        failure ??= { e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.e;
}
