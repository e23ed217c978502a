/**
 * A recording HTTP proxy in front of a test server: it forwards each
 * request unchanged (Host included, so signatures stay valid), keeps a log
 * of method and URL, and lets a test answer or break chosen requests
 * (fault injection) or hold them back for a while (to make a transfer
 * slow enough to interrupt).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The whole request body was handed to the server (it will see every byte). */
  bodyForwarded?: boolean;
  /** The client's side of the exchange is over (answered, refused, or the client went away). */
  closed?: boolean;
}

/** What to do with a request: forward it, answer it, or cut the connection. */
export type ProxyAction =
  | {
      forward: true;
      delayMs?: number;
      before?: () => Promise<void>;
      corrupt?: boolean;
      rewriteHeaders?: (h: http.IncomingHttpHeaders) => http.IncomingHttpHeaders;
      /** Sends the answer's headers and this many body bytes, then nothing more (a stalled server). */
      stallAfter?: number;
    }
  | { status: number; body?: string; headers?: Record<string, string> } | { destroy: true };

export interface TestProxy {
  url: string;
  port: number;
  log: ProxiedRequest[];
  /** Forwarded requests whose client side is not finished (says nothing of the server's side). */
  inflight(): number;
  /** Decides per request (default: forward). */
  decide: (r: ProxiedRequest, index: number) => ProxyAction;
  close(): Promise<void>;
}

export async function startProxy(target: string): Promise<TestProxy> {
  const t = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const proxy: TestProxy = {
    url: '',
    port: 0,
    log: [],
    decide: () => ({ forward: true }),
    inflight: () => inflight,
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  let inflight = 0;
  const server = http.createServer((req, res) => {
    const info: ProxiedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
    const index = proxy.log.push(info) - 1;
    res.on('close', () => (info.closed = true));
    const action = proxy.decide(info, index);
    if ('destroy' in action) {
      req.socket.destroy();
      return;
    }
    if ('status' in action) {
      req.resume();
      req.on('end', () => {
        res.writeHead(action.status, { 'content-type': 'application/xml', ...(action.headers ?? {}) });
        res.end(action.body ?? '');
      });
      return;
    }
    const go = () => {
      // A client that went away while its request was held back is not forwarded.
      if (req.socket.destroyed || res.destroyed) return;
      inflight++;
      let answering = false;
      req.on('end', () => (info.bodyForwarded = true));
      // A client that goes away mid-body or mid-download cuts the upstream exchange too, as a
      // real network path would; one that sent its whole body lets the server finish answering.
      res.on('close', () => {
        inflight--;
        if (!res.writableFinished && (!info.bodyForwarded || answering)) up.destroy();
      });
      const up = http.request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers, agent }, (ur) => {
        answering = true;
        res.writeHead(ur.statusCode ?? 502, action.rewriteHeaders ? action.rewriteHeaders({ ...ur.headers }) : ur.headers);
        let first = action.corrupt === true;
        let passed = 0;
        ur.on('data', (chunk: Buffer) => {
          if (action.stallAfter !== undefined) {
            if (passed >= action.stallAfter) return void ur.pause();
            chunk = chunk.subarray(0, action.stallAfter - passed);
            passed += chunk.length;
          }
          if (first && chunk.length > 0) {
            chunk = Buffer.from(chunk);
            chunk[0] = chunk[0]! ^ 0xff; // one flipped byte, same length
            first = false;
          }
          if (!res.write(chunk)) ur.pause();
        });
        res.on('drain', () => ur.resume());
        ur.on('end', () => {
          if (action.stallAfter === undefined || passed < action.stallAfter) res.end();
        });
        ur.on('error', () => res.destroy());
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    };
    const start = () => (action.before ? action.before().then(go, () => res.destroy()) : go());
    if (action.delayMs) setTimeout(start, action.delayMs);
    else start();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  proxy.port = (server.address() as AddressInfo).port;
  proxy.url = `http://127.0.0.1:${proxy.port}`;
  return proxy;
}

/** Requests in the log that match a method and a query parameter (e.g. PUT with partNumber). */
export function countRequests(log: ProxiedRequest[], method: string, param?: string): number {
  return log.filter((r) => r.method === method && (param === undefined || new URL(r.url, 'http://x').searchParams.has(param))).length;
}
