import http from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import type { Dialect } from '../dialects/dialect.js';
import { setBodyDeadline } from './body.js';
import { continueOnFirstRead } from './expect-continue.js';
import { HttpContext } from './context.js';
import { formDoor, takesFormDoor } from './form-door.js';
import { bucketNamed, chooseDialect, markedDialect, type DialectName } from './front-door.js';
import type { Services } from './services.js';
import type { Metrics } from '../server/metrics.js';
import { websiteAddress } from '../website/address.js';
import { websiteFrontEnd } from '../website/serve.js';

const unsigned = (req: http.IncomingMessage) => !req.headers.authorization && !(req.url ?? '').includes('?');

/** Limits on connections and on how long a request may take to arrive. */
export interface ConnectionLimits {
  /** Connections beyond this many are refused (closed at once). */
  maxConnections: number;
  /** A request's headers must be complete within this time (Node answers 408 and closes). */
  headersTimeoutMs: number;
  /** A request's body must be complete within this time of its start. */
  bodyTimeoutMs: number;
  /** Slowest average body rate accepted (bytes/s, 0: none), once the idle timeout has passed. */
  bodyMinRate: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = { maxConnections: 1024, headersTimeoutMs: 20_000, bodyTimeoutMs: 6 * 3600_000, bodyMinRate: 1024 };

/** Node's own answers to connection-level errors (headers too slow or too large); anything else is 400. */
const CLIENT_ERROR_STATUS: Record<string, string> = {
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
};

/** What the listener serves besides the dialects. */
export interface ListenerOptions {
  /** PEM certificate chain and key: the listener speaks HTTPS. */
  tls?: { cert: Buffer; key: Buffer };
  /** Request accounting; `/metrics` is answered here when `serveMetrics`. */
  metrics?: Metrics;
  serveMetrics?: boolean;
}

export type HttpServer = http.Server & {
  /**
   * For shutdown: stops keeping connections alive and resolves once every
   * request in flight has been handled (an abandoned upload's cleanup included).
   */
  drain(): Promise<void>;
  /** Replaces the TLS certificate and key for new connections (SIGHUP). */
  reloadTls(tls: { cert: Buffer; key: Buffer }): void;
};

/** The unsigned GET / HEAD paths the listener answers itself (a bucket of such a name is reached signed). */
async function answerProbe(req: http.IncomingMessage, res: http.ServerResponse, services: Services, opts: ListenerOptions): Promise<boolean> {
  if (!unsigned(req) || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const head = req.method === 'HEAD';
  switch (req.url) {
    case '/health':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(head ? undefined : JSON.stringify({ status: 'ok' }));
      return true;
    case '/ready': {
      // Ready only when both stores answer, so a load balancer stops sending to a gateway that lost either.
      const failure = await services.engine.ready().then(
        () => undefined,
        (e: unknown) => (e as Error).message,
      );
      res.writeHead(failure ? 503 : 200, { 'content-type': 'application/json' });
      res.end(head ? undefined : JSON.stringify(failure ? { status: 'unavailable', reason: failure } : { status: 'ready' }));
      return true;
    }
    case '/metrics': {
      if (!opts.serveMetrics || !opts.metrics) return false;
      const m = await opts.metrics.render();
      res.writeHead(200, { 'content-type': m.contentType });
      res.end(head ? undefined : m.body);
      return true;
    }
    default:
      return false;
  }
}

/** The listening HTTP server: health, then the front door hands each request to its dialect. */
export function createHttpServer(
  services: Services,
  dialects: Partial<Record<DialectName, Dialect>>,
  fallback: Dialect,
  log: Logger,
  limits: ConnectionLimits = DEFAULT_LIMITS,
  listener: ListenerOptions = {},
): HttpServer {
  const inFlight = new Map<Promise<void>, http.ServerResponse>();
  let draining = false;
  const forms = formDoor(dialects, fallback);
  const { settings } = services;
  const door = {
    cosDownload: settings.cosDownload,
    dialectDomains: settings.dialectDomains,
    bucketOf: (ctx: HttpContext) => bucketNamed(ctx, settings.domains),
  };
  // The dialect that created a bucket, for unsigned requests that name none (a missing bucket: S3).
  const bucketDialect = (bucket: string): Promise<DialectName | undefined> =>
    services.engine
      .lookupBucket(bucket)
      .then((b) => services.engine.bucketSetting(b, 'dialect'))
      .catch(() => undefined);
  // requestTimeout stays off: it would cut a long upload with a bare 408; bodies have their own deadline (body.ts).
  // Timeouts are checked every connectionsCheckingInterval, so it follows the headers timeout.
  const options: http.ServerOptions = {
    keepAliveTimeout: 5000,
    requestTimeout: 0,
    headersTimeout: limits.headersTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(limits.headersTimeoutMs / 4))),
  };
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (draining) res.shouldKeepAlive = false;
    setBodyDeadline(req, { until: Date.now() + limits.bodyTimeoutMs, minRate: limits.bodyMinRate, graceMs: services.settings.bodyIdleMs });
    if (req.url === '/health' || req.url === '/ready' || req.url === '/metrics') {
      const probe = answerProbe(req, res, services, listener).then(
        (answered) => {
          if (!answered) dispatch(req, res);
        },
        (err: unknown) => {
          log.error({ err }, 'probe failed');
          if (!res.headersSent) res.writeHead(500).end();
        },
      );
      void probe;
      return;
    }
    dispatch(req, res);
  };
  const dispatch = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const ctx = new HttpContext(req, res, log);
    let dialectName = fallback.name;
    // Request lines are info-level: no listener at all when they would be dropped.
    if (log.isLevelEnabled('info')) res.on('finish', () => {
      log.info(
        { reqId: ctx.requestId, dialect: dialectName, method: ctx.method, path: ctx.rawPath, status: res.statusCode, ms: Date.now() - ctx.startedAt },
        'request',
      );
    });
    // Website endpoints (a website host or the /-/website/ path) are a front end of their own, chosen before any dialect.
    const site = websiteAddress(ctx, services.settings.websiteDomains ?? []) !== undefined;
    const run = (name: DialectName | undefined): Promise<void> => {
      const dialect = name === undefined ? websiteFrontEnd : takesFormDoor(ctx, name) ? forms : (dialects[name] ?? fallback);
      dialectName = dialect.name;
      listener.metrics?.track(ctx, dialect.name, res);
      return dialect.handle(ctx, services);
    };
    // A request that names its dialect (every signed one) is handed over at once; only the others wait on the bucket lookup.
    const marked = site ? undefined : markedDialect(ctx, services.settings.cosDownload);
    const handled: Promise<void> = (site ? run(undefined) : marked ? run(marked) : chooseDialect(ctx, door, bucketDialect).then(run))
      .catch((err: unknown) => {
        log.error({ err, reqId: ctx.requestId }, 'unhandled error');
        if (!res.headersSent) {
          res.statusCode = 500;
          res.end();
        } else res.destroy();
      })
      .finally(() => inFlight.delete(handled));
    inFlight.set(handled, res);
  };
  const server = (listener.tls ? https.createServer({ ...options, cert: listener.tls.cert, key: listener.tls.key }, onRequest) : http.createServer(options, onRequest)) as http.Server;
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    continueOnFirstRead(req, res);
    onRequest(req, res);
  });
  server.maxConnections = limits.maxConnections;
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    log.debug({ err }, 'client error');
    // Bytes the parser cannot take while a request is still being answered (data after
    // `Connection: close`, a garbled pipelined request): a request whose body has fully
    // arrived is answered first, then the connection closes. Only a request cut short
    // by the error is abandoned with its connection.
    const current = (socket as { _httpMessage?: http.ServerResponse })._httpMessage;
    if (current && !current.writableFinished && current.req?.complete) {
      current.shouldKeepAlive = false;
      current.once('finish', () => socket.end());
      current.once('close', () => socket.destroy());
      return;
    }
    if (current || !socket.writable) socket.destroy();
    else socket.end(`HTTP/1.1 ${CLIENT_ERROR_STATUS[err.code ?? ''] ?? '400 Bad Request'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });
  return Object.assign(server, {
    reloadTls(tls: { cert: Buffer; key: Buffer }) {
      if (!(server instanceof https.Server)) throw new Error('the server was started without TLS');
      server.setSecureContext({ cert: tls.cert, key: tls.key });
    },
    async drain() {
      draining = true;
      for (const res of inFlight.values()) {
        if (!res.headersSent) res.shouldKeepAlive = false;
        else {
          const socket = res.socket;
          res.once('finish', () => socket?.end());
        }
      }
      while (inFlight.size) await Promise.allSettled([...inFlight.keys()]);
    },
  });
}
