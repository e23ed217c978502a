import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';

export interface MetricsListener {
  url: string;
  reloadTls(tls: { cert: Buffer; key: Buffer }): void;
  close(): Promise<void>;
}

/**
 * `/metrics` on an address of its own (`--metrics-address`), so a scraper can
 * reach it on an internal interface while the storage port faces clients.
 * Same TLS as the storage listener when it has one.
 */
export async function startMetricsListener(metrics: Metrics, at: { host: string; port: number }, tls?: { cert: Buffer; key: Buffer }): Promise<MetricsListener> {
  const answer = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.url !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only /metrics is served here\n');
      return;
    }
    metrics.render().then(
      (m) => res.writeHead(200, { 'content-type': m.contentType }).end(req.method === 'HEAD' ? undefined : m.body),
      () => res.writeHead(500).end(),
    );
  };
  const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, answer) : http.createServer(answer);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = at.host.includes(':') ? `[${at.host}]` : at.host;
  return {
    url: `${tls ? 'https' : 'http'}://${host}:${port}/metrics`,
    reloadTls(fresh) {
      if (server instanceof https.Server) server.setSecureContext({ cert: fresh.cert, key: fresh.key });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
