import net from 'node:net';
import { signRequestV4 } from '../../src/auth/sigv4.js';
import { ACCESS_KEY, SECRET_KEY } from './server.js';

export interface SocketResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * A raw TCP connection for requests node:http would not send: bodies that
 * stop short, stall, or never come.
 */
export class RawSocket {
  readonly socket: net.Socket;
  private received = Buffer.alloc(0);
  private ended = false;
  private waiters: (() => void)[] = [];
  readonly closed: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => {
      this.received = Buffer.concat([this.received, c]);
      this.wake();
    });
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => resolve(new RawSocket(s)));
      s.once('error', reject);
    });
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (e) => (e ? reject(e) : resolve())));
  }

  /**
   * Waits for one whole response (headers and a Content-Length body); undefined if the server
   * closed without one. A server that neither answers nor closes within `timeoutMs` fails the test.
   */
  async response(timeoutMs = 60_000): Promise<SocketResponse | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.received.indexOf('\r\n\r\n');
      if (end >= 0) {
        const lines = this.received.subarray(0, end).toString('latin1').split('\r\n');
        const status = Number(lines[0].split(' ')[1]);
        const headers: Record<string, string> = {};
        for (const l of lines.slice(1)) {
          const i = l.indexOf(':');
          headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
        }
        const len = Number(headers['content-length'] ?? 0);
        if (this.received.length >= end + 4 + len) {
          const body = this.received.subarray(end + 4, end + 4 + len);
          this.received = this.received.subarray(end + 4 + len);
          return { status, headers, body };
        }
      }
      if (this.ended) return undefined;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no whole response within ${timeoutMs} ms (received ${this.received.length} bytes: ${JSON.stringify(this.received.subarray(0, 200).toString('latin1'))})`);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }

  destroy() {
    this.socket.destroy();
  }
}

/** The head of a SigV4-signed request (UNSIGNED-PAYLOAD), ready to write on a raw socket. */
export function signedHead(port: number, method: string, pathAndQuery: string, headers: Record<string, string> = {}): string {
  const url = new URL(pathAndQuery, `http://127.0.0.1:${port}`);
  const h: Record<string, string> = { ...headers };
  signRequestV4({ method, url, headers: h, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, region: 'us-east-1' });
  return `${method} ${url.pathname}${url.search} HTTP/1.1\r\n` + Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
}
