/**
 * The bare baseline: a `node:http` server with no storage logic, the upper
 * bound Stratus is compared against. It ignores signatures and answers:
 *   PUT/HEAD/GET on a bucket path (`/b`)            200, empty
 *   PUT /b/big/...   body written to a file (fsynced with --fsync), 200 + ETag
 *   GET /b/big/...   that file streamed from disk (256 KiB reads, like Stratus)
 *   PUT /b/<other>   body consumed and dropped, 200 + ETag
 *   GET /b/<other>   the same --small-size bytes from memory; HEAD: headers only
 *   DELETE /b/<key>  204
 * Run as a child: `node --import tsx bench/baseline-server.ts --dir <tmp> [--fsync]`;
 * it prints "Baseline listening on http://127.0.0.1:PORT".
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';

export interface BaselineOptions {
  /** Directory for the big objects' files. */
  dir: string;
  fsync?: boolean;
  /** Size of the in-memory object (default 4 KiB). */
  smallSize?: number;
  host?: string;
  port?: number;
}

export interface BaselineServer {
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

/** The deterministic in-memory object body: byte i is i mod 251. */
export function smallBody(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = i % 251;
  return b;
}

export async function startBaselineServer(opts: BaselineOptions): Promise<BaselineServer> {
  const small = smallBody(opts.smallSize ?? 4096);
  const smallEtag = `"${createHash('md5').update(small).digest('hex')}"`;
  const smallModified = new Date().toUTCString();
  const fileOf = (key: string) => path.join(opts.dir, createHash('sha1').update(key).digest('hex'));

  const server = http.createServer({ keepAliveTimeout: 5000, requestTimeout: 0 }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const p = (req.url ?? '/').split('?')[0]!;
    const slash = p.indexOf('/', 1);
    const key = slash === -1 ? '' : p.slice(slash + 1);
    const method = req.method ?? 'GET';
    if (key === '') {
      req.resume();
      res.writeHead(200, { 'content-length': '0' });
      res.end();
      return;
    }
    const big = key.startsWith('big/');
    if (method === 'PUT') {
      if (big) {
        const file = fileOf(key);
        await pipeline(req, fs.createWriteStream(file));
        if (opts.fsync) {
          // fsync through a second descriptor flushes the same file's data.
          const fh = await fs.promises.open(file, 'r+');
          try {
            await fh.sync();
          } finally {
            await fh.close();
          }
        }
      } else {
        for await (const _ of req) {
          // consumed and dropped
        }
      }
      res.writeHead(200, { etag: smallEtag, 'content-length': '0' });
      res.end();
      return;
    }
    if (method === 'DELETE') {
      req.resume();
      res.writeHead(204);
      res.end();
      return;
    }
    if (method === 'GET' || method === 'HEAD') {
      if (big) {
        const file = fileOf(key);
        const st = await fs.promises.stat(file).catch(() => undefined);
        if (!st) {
          res.writeHead(404, { 'content-length': '0' });
          res.end();
          return;
        }
        res.writeHead(200, { 'content-length': String(st.size), 'content-type': 'application/octet-stream', etag: smallEtag, 'last-modified': st.mtime.toUTCString() });
        if (method === 'HEAD') {
          res.end();
          return;
        }
        await pipeline(fs.createReadStream(file, { highWaterMark: 256 * 1024 }), res);
        return;
      }
      res.writeHead(200, { 'content-length': String(small.length), 'content-type': 'application/octet-stream', etag: smallEtag, 'last-modified': smallModified });
      res.end(method === 'HEAD' ? undefined : small);
      return;
    }
    res.writeHead(405, { 'content-length': '0' });
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

async function main(argv: string[]) {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i === -1 ? undefined : argv[i + 1];
  };
  const dir = arg('--dir');
  if (!dir) throw new Error('usage: baseline-server.ts --dir <dir> [--fsync] [--small-size <bytes>]');
  const running = await startBaselineServer({ dir, fsync: argv.includes('--fsync'), smallSize: Number(arg('--small-size') ?? 4096) });
  console.log(`Baseline listening on ${running.url}`);
  const stop = () => running.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(`baseline: ${(e as Error).message}`);
    process.exit(1);
  });
}
