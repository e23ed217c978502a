import type { ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { HttpContext } from '../http/context.js';

/**
 * The server's Prometheus metrics, in a registry of its own (several servers
 * may share a process in tests). Recorded once per request when its answer
 * is finished: cheap label lookups, no timers kept per request.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'dialect' | 'operation' | 'status'>;
  private readonly duration: Histogram<'dialect' | 'operation'>;
  private readonly bytesIn: Counter<'dialect'>;
  private readonly bytesOut: Counter<'dialect'>;
  readonly inFlight: Gauge;
  /** Per connection, the byte counts already attributed to its earlier requests. */
  private readonly counted = new WeakMap<object, { read: number; written: number }>();

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'stratus_requests_total', help: 'Requests answered, by dialect, operation (the action its route names) and status', labelNames: ['dialect', 'operation', 'status'], registers });
    this.duration = new Histogram({
      name: 'stratus_request_duration_seconds',
      help: 'Time from a request line to the last byte of its answer',
      labelNames: ['dialect', 'operation'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.bytesIn = new Counter({ name: 'stratus_received_bytes_total', help: 'Bytes read from clients (headers and bodies)', labelNames: ['dialect'], registers });
    this.bytesOut = new Counter({ name: 'stratus_sent_bytes_total', help: 'Bytes written to clients (headers and bodies)', labelNames: ['dialect'], registers });
    this.inFlight = new Gauge({ name: 'stratus_requests_in_flight', help: 'Requests being handled', registers });
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'stratus_' });
  }

  /** Labelled children, looked up once per label set (prom-client hashes label objects on every call). */
  private readonly children = new Map<string, { requests: { inc(): void }; duration: { observe(v: number): void } }>();

  private childrenOf(dialect: string, operation: string, status: string) {
    const k = `${dialect}\0${operation}\0${status}`;
    let c = this.children.get(k);
    if (!c) {
      if (this.children.size > 5000) this.children.clear();
      c = { requests: this.requests.labels(dialect, operation, status), duration: this.duration.labels(dialect, operation) };
      this.children.set(k, c);
    }
    return c;
  }

  private readonly byDialect = new Map<string, { in: { inc(v: number): void }; out: { inc(v: number): void } }>();

  private bytesOf(dialect: string) {
    let c = this.byDialect.get(dialect);
    if (!c) this.byDialect.set(dialect, (c = { in: this.bytesIn.labels(dialect), out: this.bytesOut.labels(dialect) }));
    return c;
  }

  /** Starts a request's accounting; the rest happens when its answer ends ('close' follows 'finish', and a cut connection). */
  track(ctx: HttpContext, dialect: string, res: ServerResponse): void {
    this.inFlight.inc();
    res.once('close', () => {
      this.inFlight.dec();
      const c = this.childrenOf(dialect, ctx.action ?? 'none', res.writableFinished ? String(res.statusCode) : 'aborted');
      c.requests.inc();
      c.duration.observe((Date.now() - ctx.startedAt) / 1000);
      // Counted from where the connection's previous request was counted: a request's bytes
      // (headers included) often arrive before its handler runs, so its start is no mark.
      const socket = ctx.req.socket;
      const seen = this.counted.get(socket);
      const bytes = this.bytesOf(dialect);
      bytes.in.inc(Math.max(0, socket.bytesRead - (seen?.read ?? 0)));
      bytes.out.inc(Math.max(0, socket.bytesWritten - (seen?.written ?? 0)));
      if (seen) {
        seen.read = socket.bytesRead;
        seen.written = socket.bytesWritten;
      } else this.counted.set(socket, { read: socket.bytesRead, written: socket.bytesWritten });
    });
  }

  /** Adds a gauge whose value is read when scraped. */
  gauge(name: string, help: string, read: () => number | Promise<number>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.set(await read());
      },
    });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
