/**
 * Row 3: one ListObjectsV2 page (1000, delimiter '/') in a small and a large
 * bucket. The buckets are created over HTTP and hold one real object each;
 * the other rows are inserted straight into the server's SQLite file
 * (<data>/meta.db, the `objects` table) as copies of that object's row,
 * all pointing at its blob (so the template must be larger than the inline
 * bound: an inline object's bytes would have to be copied per row). Keys are dirDDD/subSS/fileF..F, so '/' yields
 * 1000 common prefixes per bucket.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import type { BenchClient } from './client.js';
import { median } from './big.js';

const DIRS = 1000;
const SUBS = 10;

export interface BucketShape {
  keys: number;
  files: number;
  fileDigits: number;
}

export function shapeFor(keys: number): BucketShape {
  const files = Math.max(1, Math.round(keys / (DIRS * SUBS)));
  return { keys: DIRS * SUBS * files, files, fileDigits: String(files - 1).length };
}

export function keyOf(s: BucketShape, d: number, sub: number, f: number): string {
  return `dir${String(d).padStart(3, '0')}/sub${String(sub).padStart(2, '0')}/file${String(f).padStart(s.fileDigits, '0')}`;
}

/** Inserts every key of the shape but the template's, copying the template's row; one transaction. */
export function fillBucket(dataDir: string, bucket: string, shape: BucketShape, templateKey: string): number {
  const db = new Database(path.join(dataDir, 'meta.db'));
  try {
    db.pragma('busy_timeout = 30000');
    db.pragma('synchronous = OFF');
    const b = db.prepare('SELECT id FROM buckets WHERE name = ?').get(bucket) as { id: number } | undefined;
    if (!b) throw new Error(`bucket ${bucket} not in meta.db`);
    const t = db.prepare('SELECT * FROM objects WHERE bucket_id = ? AND key = ? AND is_latest = 1').get(b.id, templateKey) as Record<string, unknown> | undefined;
    if (!t) throw new Error(`template object ${templateKey} not in meta.db`);
    if (!t.blob_id) throw new Error(`template object ${templateKey} has no blob (write one larger than the inline bound)`);
    const insert = db.prepare(
      `INSERT INTO objects (bucket_id, key, version_id, is_latest, is_delete_marker, size, etag, last_modified, meta, checksums,
         storage_class, object_type, owner_id, blob_id, segment_count, tags, extra)
       VALUES (?, ?, ?, 1, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let n = 0;
    db.transaction(() => {
      for (let d = 0; d < DIRS; d++) {
        for (let sub = 0; sub < SUBS; sub++) {
          for (let f = 0; f < shape.files; f++) {
            const key = keyOf(shape, d, sub, f);
            if (key === templateKey) continue;
            insert.run(b.id, key, t.version_id, t.size, t.etag, t.last_modified, t.meta, t.checksums, t.storage_class, t.object_type, t.owner_id, t.blob_id, t.segment_count, t.tags, t.extra);
            n++;
          }
        }
      }
      db.prepare('UPDATE buckets SET object_count = object_count + ?, bytes_used = bytes_used + ? WHERE id = ?').run(n, n * Number(t.size), b.id);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    return n;
  } finally {
    db.close();
  }
}

export interface ListVariant {
  name: string;
  query: string;
  /** KeyCount the page must report. */
  expect: number;
}

export function listVariants(): ListVariant[] {
  const mid = `dir500/sub05/`;
  return [
    { name: 'delimiter', query: 'delimiter=%2F&list-type=2&max-keys=1000', expect: DIRS },
    { name: 'delimiter+start-after', query: `delimiter=%2F&list-type=2&max-keys=1000&start-after=${encodeURIComponent(mid)}`, expect: DIRS - 501 },
    { name: 'no delimiter', query: `list-type=2&max-keys=1000&start-after=${encodeURIComponent(mid)}`, expect: 1000 },
  ];
}

export interface ListTiming {
  medianMs: number;
  runsMs: number[];
}

/**
 * Fetches each variant in every bucket `runs` times (after one unmeasured
 * fetch), alternating buckets so drift hits both; the median is reported.
 * Stops early (at least 3 runs) once a variant has taken `budgetMs`.
 */
export async function timePages(
  client: BenchClient,
  buckets: string[],
  runs: number,
  budgetMs: number,
  log: (s: string) => void,
): Promise<Record<string, Record<string, ListTiming>>> {
  const out: Record<string, Record<string, ListTiming>> = {};
  for (const v of listVariants()) {
    out[v.name] = {};
    const samples: Record<string, number[]> = Object.fromEntries(buckets.map((b) => [b, []]));
    const fetch = async (bucket: string) => {
      const t0 = performance.now();
      const r = await client.must({ method: 'GET', bucket, query: v.query });
      const ms = performance.now() - t0;
      const count = Number(/<KeyCount>(\d+)<\/KeyCount>/.exec(r.body!.toString('utf8'))?.[1]);
      if (count !== v.expect) throw new Error(`list ${bucket} (${v.name}): KeyCount ${count}, expected ${v.expect}`);
      return ms;
    };
    for (const b of buckets) await fetch(b);
    const started = performance.now();
    for (let i = 0; i < runs; i++) {
      for (const b of buckets) samples[b]!.push(await fetch(b));
      if (i >= 2 && performance.now() - started > budgetMs) break;
    }
    for (const b of buckets) {
      out[v.name]![b] = { medianMs: median(samples[b]!), runsMs: samples[b]! };
      log(`  LIST ${v.name.padEnd(22)} ${b.padEnd(12)} median ${median(samples[b]!).toFixed(1).padStart(8)} ms  (${samples[b]!.length} runs)`);
    }
  }
  return out;
}
