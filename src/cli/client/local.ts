/** Local files for the CLI: walking a directory tree, hashing a file, key <-> path. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface LocalFile {
  /** Relative to the walk's root, with '/' separators. */
  rel: string;
  abs: string;
  size: number;
  mtimeMs: number;
}

/** Regular files under `root`, sorted by relative path; symlinks to files are followed. */
export async function walk(root: string): Promise<LocalFile[]> {
  const out: LocalFile[] = [];
  async function go(dir: string, rel: string) {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await go(abs, r);
      else if (e.isFile() || e.isSymbolicLink()) {
        const st = await fs.stat(abs).catch(() => undefined);
        if (st?.isFile()) out.push({ rel: r, abs, size: st.size, mtimeMs: st.mtimeMs });
        else if (st?.isDirectory() && e.isSymbolicLink()) continue;
      }
    }
  }
  await go(path.resolve(root), '');
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

export async function fileDigest(file: string, algorithm: 'md5' | 'sha1'): Promise<string> {
  const h = createHash(algorithm);
  for await (const c of createReadStream(file, { highWaterMark: 1024 * 1024 })) h.update(c as Buffer);
  return h.digest('hex');
}

export async function isDirectory(p: string): Promise<boolean> {
  return fs.stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Joins a key prefix and a relative path ("dir" + "a/b" -> "dir/a/b"). */
export function joinKey(prefix: string, rel: string): string {
  if (!prefix) return rel;
  return prefix.endsWith('/') ? prefix + rel : `${prefix}/${rel}`;
}

/** Runs tasks with at most `limit` at once; all run, and the first error is thrown at the end. */
export async function eachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let first: { e: unknown } | undefined;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        try {
          await fn(item);
        } catch (e) {
          first ??= { e };
        }
      }
    }),
  );
  if (first) throw first.e;
}

export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)$/i.exec(s.trim());
  if (!m) throw new Error(`not a size: ${s} (e.g. 8MiB, 16M, 1048576)`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.round(Number(m[1]) * mult);
}
