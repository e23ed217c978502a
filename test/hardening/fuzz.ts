/**
 * The fuzz harness shared by test/hardening/fuzz-*.test.ts: a seeded PRNG,
 * byte-level mutations of valid requests, a raw-socket sender (any bytes,
 * one connection per request, a client timeout) and the rule every answer
 * must follow: a 4xx (or 501 NotImplemented) in the answering dialect's own
 * error format, or a success; never another 5xx, no answer, or a dead server.
 *
 * Reproduce a failure with the seed it prints: STRATUS_FUZZ_SEED=<seed>.
 * STRATUS_FUZZ_ROUNDS scales the number of inputs per parser;
 * STRATUS_FUZZ_SHOW_ACCEPTED=1 prints every mutated input that was accepted.
 */
import assert from 'node:assert/strict';
import net from 'node:net';

/**
 * The run's seed: STRATUS_FUZZ_SEED; else a fixed one under CI (a landing is judged on
 * inputs anyone can replay), else a fresh one each run, printed on every failure.
 */
export const SEED = process.env.STRATUS_FUZZ_SEED
  ? Number(process.env.STRATUS_FUZZ_SEED)
  : process.env.CI
    ? 20261204
    : Math.floor(Math.random() * 2 ** 31);
/** Inputs per parser (each test multiplies it by a small factor). */
export const ROUNDS = Number(process.env.STRATUS_FUZZ_ROUNDS ?? 150);

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** A generator per parser, derived from the run's seed and the parser's name. */
export function rngFor(name: string): Rng {
  let h = SEED ^ 0x9e3779b9;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  return new Rng(h >>> 0);
}

const CONTROL = ['\0', '\x01', '\x08', '\x0b', '\x1f', '\x7f', '\r', '\n', '\r\n', '\t'].map((s) => Buffer.from(s, 'latin1'));
const UNICODE = [
  Buffer.from('é中😀\uFFFD', 'utf8'),
  Buffer.from([0xed, 0xa0, 0x80]), // a lone surrogate, as UTF-8 bytes
  Buffer.from([0xc0, 0x80]), // overlong NUL
  Buffer.from([0xff, 0xfe]),
  Buffer.from([0xe2, 0x80, 0xae]), // right-to-left override
  Buffer.from('\u2028\u0085', 'utf8'),
];
const NUMBERS = ['99999999999999999999999', '-1', '0', '1e309', '0x10', 'NaN', '9007199254740993', '-0', '+5', '1.5', '18446744073709551616', '2147483648'].map((s) =>
  Buffer.from(s),
);

/** What a mutation did, to print with a failing input. */
export interface Mutated {
  data: Buffer;
  how: string;
}

const splice = (b: Buffer, at: number, del: number, ins: Buffer) => Buffer.concat([b.subarray(0, at), ins, b.subarray(at + del)]);

/**
 * One to three random mutations of a valid input: truncate, duplicate a
 * slice, flip bytes, insert control characters / odd unicode / huge numbers,
 * delete a slice, swap two slices, or replace a number already there.
 */
export function mutate(rng: Rng, input: Buffer): Mutated {
  let b = Buffer.from(input);
  const how: string[] = [];
  const n = 1 + rng.int(3);
  for (let i = 0; i < n; i++) {
    const at = rng.int(b.length + 1);
    const len = 1 + rng.int(Math.max(1, Math.min(64, b.length - at)));
    switch (rng.int(9)) {
      case 0:
        b = b.subarray(0, at);
        how.push(`truncate@${at}`);
        break;
      case 1:
        b = splice(b, at, 0, Buffer.from(b.subarray(at, at + len)));
        how.push(`dup@${at}+${len}`);
        break;
      case 2:
        for (let k = 1 + rng.int(4); k > 0 && b.length; k--) {
          const p = rng.int(b.length);
          b[p] = b[p]! ^ (1 << rng.int(8));
        }
        how.push('flip');
        break;
      case 3: {
        const c = rng.pick(CONTROL);
        b = splice(b, at, 0, c);
        how.push(`ctrl${JSON.stringify(c.toString('latin1'))}@${at}`);
        break;
      }
      case 4: {
        const u = rng.pick(UNICODE);
        b = splice(b, at, 0, u);
        how.push(`unicode[${u.toString('hex')}]@${at}`);
        break;
      }
      case 5: {
        const num = rng.pick(NUMBERS);
        // Prefer replacing a number that is already there (a size, a part number, a count).
        const digits = [...b.toString('latin1').matchAll(/\d+/g)];
        if (digits.length && rng.chance(0.7)) {
          const d = rng.pick(digits);
          b = splice(b, d.index!, d[0].length, num);
          how.push(`number ${d[0]}->${num}`);
        } else {
          b = splice(b, at, 0, num);
          how.push(`number ${num}@${at}`);
        }
        break;
      }
      case 6:
        b = splice(b, at, len, Buffer.alloc(0));
        how.push(`delete@${at}+${len}`);
        break;
      case 7: {
        // Reorder: swap two slices.
        const a2 = rng.int(b.length + 1);
        const [p, q] = at < a2 ? [at, a2] : [a2, at];
        const l = Math.min(len, q - p);
        if (l > 0 && q + l <= b.length) {
          const x = Buffer.from(b.subarray(p, p + l));
          const y = Buffer.from(b.subarray(q, q + l));
          b = splice(splice(b, q, l, x), p, l, y);
          how.push(`swap@${p},${q}+${l}`);
        } else how.push('swap(none)');
        break;
      }
      default: {
        // Repeat a slice many times (long values, many elements).
        const slice = b.subarray(at, at + len);
        b = splice(b, at, 0, Buffer.concat(Array.from({ length: 50 + rng.int(200) }, () => slice)));
        how.push(`repeat@${at}+${len}`);
      }
    }
  }
  return { data: b, how: how.join(' ') };
}

/** A mutation of a text value (a header, a query), kept as latin1 bytes on the wire. */
export function mutateText(rng: Rng, s: string): { text: string; how: string } {
  const m = mutate(rng, Buffer.from(s, 'latin1'));
  return { text: m.data.toString('latin1'), how: m.how };
}

export interface WireRequest {
  method: string;
  /** The request target exactly as sent (path and query). */
  target: string;
  /** Header values go out as latin1 bytes, whatever they hold. */
  headers: Record<string, string>;
  body?: Buffer;
}

export interface WireAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Renders a request for a failure message (long bodies cut). */
export function show(r: WireRequest): string {
  const body = r.body ? JSON.stringify(r.body.subarray(0, 600).toString('latin1')) + (r.body.length > 600 ? `...(${r.body.length} bytes)` : '') : '';
  return `${r.method} ${JSON.stringify(r.target)}\n${Object.entries(r.headers)
    .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
    .join('\n')}\n  body: ${body}`;
}

function decodeChunked(b: Buffer): Buffer {
  const out: Buffer[] = [];
  let off = 0;
  for (;;) {
    const eol = b.indexOf('\r\n', off);
    if (eol < 0) break;
    const size = parseInt(b.subarray(off, eol).toString('latin1'), 16);
    if (!(size > 0)) break;
    out.push(b.subarray(eol + 2, eol + 2 + size));
    off = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/**
 * Sends one request on its own connection (Connection: close) and reads the
 * answer until the server closes. Content-Length is always the body's real
 * length, so the server never waits for bytes that will not come. Resolves
 * undefined when the server closed without answering; rejects on timeout.
 */
export function sendRaw(port: number, r: WireRequest, timeoutMs = 10_000): Promise<WireAnswer | undefined> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return resolve(undefined);
      const lines = all.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      let body: Buffer = all.subarray(end + 4);
      if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = decodeChunked(body);
      resolve({ status: Number(lines[0]!.split(' ')[1]), headers, body });
    });
    s.on('connect', () => {
      const body = r.body ?? Buffer.alloc(0);
      const h = { ...r.headers };
      for (const k of Object.keys(h)) if (k.toLowerCase() === 'content-length' || k.toLowerCase() === 'connection') delete h[k];
      const head =
        `${r.method} ${r.target} HTTP/1.1\r\n` +
        Object.entries(h)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('') +
        `content-length: ${body.length}\r\nconnection: close\r\n\r\n`;
      s.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
    });
  });
}

export type Dialect = 's3' | 'oss' | 'obs' | 'cos';

/** Which dialect answered, by its request-id header (COS: the JSON envelope). */
export function answeredBy(a: WireAnswer): Dialect | undefined {
  if (a.headers['x-oss-request-id']) return 'oss';
  if (a.headers['x-obs-request-id']) return 'obs';
  if (a.headers['x-amz-request-id']) return 's3';
  if (/json/.test(a.headers['content-type'] ?? '')) return 'cos';
  return undefined;
}

/**
 * Why an answer breaks the rule, or undefined when it keeps it. `dialects`:
 * the dialects that may answer this request (a mutated signature may move a
 * request from one to another; a mutated body may not).
 */
export function problem(r: WireRequest, a: WireAnswer | undefined, dialects: readonly Dialect[]): string | undefined {
  if (!a) return 'the server closed the connection without an answer';
  // 501 NotImplemented is a dialect's own refusal (an operation Stratus does not have), not a failure.
  const notImplemented = a.status === 501 && /<Code>NotImplemented<\/Code>/.test(a.body.toString());
  if (a.status >= 500 && !notImplemented) return `status ${a.status}: ${a.body.subarray(0, 400).toString()}`;
  if (a.status < 100) return `no status line: ${a.body.subarray(0, 100).toString('latin1')}`;
  const by = answeredBy(a);
  // Node's HTTP parser refuses bytes that are not HTTP (400), and request lines and headers
  // over its limit (431), before any dialect sees them.
  if ((a.status === 400 || a.status === 431) && by === undefined && a.body.length === 0) return undefined;
  if (!by) return `status ${a.status} from no dialect: ${JSON.stringify(a.headers)}`;
  if (!dialects.includes(by)) return `answered by ${by}, expected ${dialects.join('/')}`;
  if (by === 'cos') {
    let j: { code?: unknown; message?: unknown };
    try {
      j = JSON.parse(a.body.toString());
    } catch {
      return `a COS answer that is not JSON: ${a.body.subarray(0, 200).toString()}`;
    }
    if (typeof j.code !== 'number' || typeof j.message !== 'string') return `a COS answer without {code, message}: ${a.body.subarray(0, 200).toString()}`;
    if (a.status >= 400 && j.code >= 0) return `COS status ${a.status} with code ${j.code}`;
    return undefined;
  }
  if (a.status < 400) return undefined;
  if (r.method === 'HEAD' || a.status === 304) return undefined;
  const text = a.body.toString();
  if (!/^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<Error>[\s\S]*<Code>[A-Za-z.]+<\/Code>[\s\S]*<\/Error>\s*$/.test(text)) return `not an XML Error: ${text.slice(0, 300)}`;
  if (by === 'obs' && !a.headers['x-obs-error-code']) return 'an OBS error without x-obs-error-code';
  return undefined;
}

/** A known class of 500 another branch fixes: inputs it matches may answer 5xx (reported, not failed). */
export interface KnownFailure {
  /** The input class, e.g. "XML nested deeper than 100". */
  what: string;
  /** The fix that owns it (the lead tightens the test once it is merged). */
  owner: string;
  matches(r: WireRequest): boolean;
}

export interface FuzzStats {
  sent: number;
  ok2xx: number;
  client4xx: number;
  known: Map<string, number>;
}

/**
 * Sends each input, checks its answer, and fails with the seed, the input and
 * how it was mutated at the first broken rule. Inputs of a known-500 class
 * may answer 5xx (counted and printed, so the lead sees them).
 */
export async function fuzzRun(
  label: string,
  port: number,
  inputs: AsyncIterable<{ req: WireRequest; how: string; dialects: readonly Dialect[] }> | Iterable<{ req: WireRequest; how: string; dialects: readonly Dialect[] }>,
  known: readonly KnownFailure[] = [],
  /** A further oracle for answers that keep the rule (e.g. a 206 body matches its Content-Range). */
  check?: (req: WireRequest, a: WireAnswer) => string | undefined | Promise<string | undefined>,
): Promise<FuzzStats> {
  const stats: FuzzStats = { sent: 0, ok2xx: 0, client4xx: 0, known: new Map() };
  for await (const { req, how, dialects } of inputs) {
    let a: WireAnswer | undefined;
    try {
      a = await sendRaw(port, req);
    } catch (e) {
      assert.fail(`[fuzz ${label}, STRATUS_FUZZ_SEED=${SEED}] ${(e as Error).message} (mutation: ${how})\n${show(req)}`);
    }
    stats.sent++;
    const p = problem(req, a, dialects) ?? (check && a ? await check(req, a) : undefined);
    if (p) {
      const k = a && a.status >= 500 ? known.find((x) => x.matches(req)) : undefined;
      if (k) {
        stats.known.set(k.what, (stats.known.get(k.what) ?? 0) + 1);
        continue;
      }
      assert.fail(`[fuzz ${label}, STRATUS_FUZZ_SEED=${SEED}] ${p} (mutation: ${how})\n${show(req)}`);
    }
    if (a!.status < 300 && process.env.STRATUS_FUZZ_SHOW_ACCEPTED) console.log('ACCEPTED', how, show(req));
    if (a!.status < 300) stats.ok2xx++;
    else stats.client4xx++;
  }
  const knownText = [...stats.known].map(([w, n]) => `${n} known-500 "${w}"`).join(', ');
  console.log(`# fuzz ${label}: ${stats.sent} inputs, ${stats.ok2xx} accepted, ${stats.client4xx} refused${knownText ? ', ' + knownText : ''} (seed ${SEED})`);
  return stats;
}

/** Fails unless the server still answers a plain request. */
export async function assertAlive(port: number): Promise<void> {
  const a = await sendRaw(port, { method: 'GET', target: '/health', headers: { host: `127.0.0.1:${port}` } }, 5000);
  assert.equal(a?.status, 200, `[STRATUS_FUZZ_SEED=${SEED}] the server no longer answers /health`);
}
