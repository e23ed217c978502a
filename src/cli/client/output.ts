/**
 * What the CLI prints: results on stdout (plain lines, or one JSON
 * document with --json), progress bars on stderr when it is a terminal,
 * plain "done" lines otherwise.
 */
import cliProgress from 'cli-progress';
import type { ProgressEvent, ProgressListener } from '../../sdk/transfer/progress.js';

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
  progress?: boolean;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly bars: boolean;
  #multi?: cliProgress.MultiBar;

  constructor(o: OutputOptions, readonly stdout: NodeJS.WriteStream = process.stdout, readonly stderr: NodeJS.WriteStream = process.stderr) {
    this.json = o.json === true;
    this.quiet = o.quiet === true;
    this.bars = !this.json && !this.quiet && o.progress !== false && stderr.isTTY === true;
  }

  /** A result line (suppressed with --json, which prints `emit` instead). */
  line(s: string): void {
    if (!this.json && !this.quiet) this.write(s + '\n');
  }

  write(s: string): void {
    if (this.#multi) this.#multi.log(s);
    else this.stdout.write(s);
  }

  /** The JSON document of the command (--json only). */
  emit(value: unknown): void {
    if (this.json) this.stdout.write(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n');
  }

  error(message: string): void {
    this.stderr.write(`stratus: ${message}\n`);
  }

  /** A progress listener for one transfer: a bar on a terminal, nothing otherwise. */
  progress(label: string): { listener?: ProgressListener; done(): void } {
    if (!this.bars) return { done() {} };
    this.#multi ??= new cliProgress.MultiBar(
      {
        format: ' {bar} {percentage}% | {done}/{total} | {rate}/s | {label}',
        hideCursor: true,
        clearOnComplete: false,
        stream: this.stderr,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    const bar = this.#multi.create(1, 0, { label, done: '0 B', total: '?', rate: '0 B' });
    let finished = false;
    const listener = (e: ProgressEvent) => {
      finished ||= e.done;
      bar.setTotal(Math.max(1, e.totalBytes));
      bar.update(e.bytesDone, { done: formatBytes(e.bytesDone), total: formatBytes(e.totalBytes), rate: formatBytes(Math.round(e.bytesPerSecond)) });
    };
    return {
      listener,
      done: () => {
        // Draw the finished bar once (redraws are throttled) before it makes way for the result line.
        if (finished) this.#multi?.update();
        bar.stop();
        this.#multi?.remove(bar);
      },
    };
  }

  close(): void {
    this.#multi?.stop();
    this.#multi = undefined;
  }
}
