/** Command-line locations: `scheme://bucket/key` or a local path (`-` for stdin / stdout). */
import { SCHEMES, type Scheme } from './profiles.js';
import { usage } from './errors.js';

export interface RemoteTarget {
  kind: 'remote';
  scheme: Scheme;
  bucket: string;
  /** '' for the bucket itself. */
  key: string;
  text: string;
}

export interface LocalTarget {
  kind: 'local';
  path: string;
  /** `-`: standard input or output. */
  stdio: boolean;
  text: string;
}

export type Target = RemoteTarget | LocalTarget;

const URL_RE = /^([a-z0-9]+):\/\/([^/]*)(?:\/(.*))?$/s;

export function parseTarget(text: string): Target {
  const m = URL_RE.exec(text);
  if (!m) return { kind: 'local', path: text, stdio: text === '-', text };
  const scheme = m[1]!.toLowerCase();
  if (!SCHEMES.includes(scheme as Scheme)) throw usage(`unknown URL scheme "${scheme}://" in ${text}: use s3://, oss://, obs:// or cos://`);
  const bucket = m[2]!;
  if (!bucket) throw usage(`${text} names no bucket: write ${scheme}://BUCKET/KEY`);
  return { kind: 'remote', scheme: scheme as Scheme, bucket, key: m[3] ?? '', text };
}

export function parseRemote(text: string, what = 'this command'): RemoteTarget {
  const t = parseTarget(text);
  if (t.kind !== 'remote') throw usage(`${what} needs a URL such as s3://BUCKET/KEY, not "${text}"`);
  return t;
}

export function remoteText(t: { scheme: string; bucket: string }, key: string): string {
  return `${t.scheme}://${t.bucket}/${key}`;
}
