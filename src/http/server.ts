import http from 'node:http';
import type { Logger } from 'pino';
import type { Dialect } from '../dialects/dialect.js';
import { HttpContext } from './context.js';
import { formDoor, takesFormDoor } from './form-door.js';
import { pickDialect, type DialectName } from './front-door.js';
import type { Services } from './services.js';

const unsigned = (req: http.IncomingMessage) => !req.headers.authorization && !(req.url ?? '').includes('?');

export interface HttpServer extends http.Server {
  /**
   * For shutdown: stops keeping connections alive and resolves once every
   * request in flight has been handled (an abandoned upload's cleanup included).
   */
  drain(): Promise<void>;
}

/** The listening HTTP server: health, then the front door hands each request to its dialect. */
export function createHttpServer(services: Services, dialects: Partial<Record<DialectName, Dialect>>, fallback: Dialect, log: Logger): HttpServer {
  const inFlight = new Map<Promise<void>, http.ServerResponse>();
  let draining = false;
  const forms = formDoor(dialects, fallback);
  const server = http.createServer({ keepAliveTimeout: 5000, requestTimeout: 0, headersTimeout: 60_000 }, (req, res) => {
    if (draining) res.shouldKeepAlive = false;
    if (req.url === '/health' && unsigned(req) && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ status: 'ok' }));
      return;
    }
    const ctx = new HttpContext(req, res, log);
    const name = pickDialect(ctx, services.settings.cosDownload);
    const dialect = takesFormDoor(ctx, name) ? forms : (dialects[name] ?? fallback);
    // Request lines are info-level: no listener at all when they would be dropped.
    if (log.isLevelEnabled('info')) res.on('finish', () => {
      log.info(
        { reqId: ctx.requestId, dialect: dialect.name, method: ctx.method, path: ctx.rawPath, status: res.statusCode, ms: Date.now() - ctx.startedAt },
        'request',
      );
    });
    const handled: Promise<void> = dialect
      .handle(ctx, services)
      .catch((err: unknown) => {
        log.error({ err, reqId: ctx.requestId }, 'unhandled error');
        if (!res.headersSent) {
          res.statusCode = 500;
          res.end();
        } else res.destroy();
      })
      .finally(() => inFlight.delete(handled));
    inFlight.set(handled, res);
  });
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
    log.debug({ err }, 'client error');
  });
  return Object.assign(server, {
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
