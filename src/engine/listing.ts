import type { MetaOps } from '../meta/store.js';
import type { ObjectRecord } from '../meta/types.js';
import { compareKeys, prefixSuccessor } from './keys.js';
import type { ListOptions, ListPage } from './types.js';

const BATCH = 1000;
/**
 * Rows asked for right after a seek past a common prefix (and at the start of
 * a delimited listing): the next row may well start another prefix, and rows
 * beyond it would be read only to be skipped. Doubles while rows are used.
 */
const SEEK_BATCH = 8;

/**
 * One page of the latest objects. Time is proportional to the page, not the
 * bucket: rows come from an index in key order, and once a common prefix is
 * emitted the scan seeks past every key under it with a fresh range query.
 */
export async function listLatest(meta: MetaOps, bucketId: number, opts: ListOptions): Promise<ListPage> {
  const prefix = opts.prefix ?? '';
  const delimiter = opts.delimiter ?? '';
  const to = prefix ? prefixSuccessor(prefix) : undefined;
  const objects: ObjectRecord[] = [];
  const prefixes: string[] = [];
  let last: string | undefined;
  if (opts.maxKeys <= 0) return { objects, prefixes, truncated: false };

  let from: string | undefined = opts.after;
  let inclusive = false;
  if (prefix && (from === undefined || compareKeys(from, prefix) < 0)) {
    from = prefix;
    inclusive = true;
  }
  let count = 0;
  let exhausted = false;
  let batch = delimiter ? SEEK_BATCH : BATCH;
  while (count < opts.maxKeys) {
    const limit = Math.min(opts.maxKeys - count, batch);
    const rows = await meta.listLatest(bucketId, { from, inclusive, to, limit });
    let seeked = false;
    for (const r of rows) {
      const cut = delimiter ? r.key.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const cp = r.key.slice(0, cut + delimiter.length);
        // A prefix at or before the marker was returned by an earlier page.
        if (opts.after === undefined || compareKeys(cp, opts.after) > 0) {
          prefixes.push(cp);
          last = cp;
          count++;
        }
        const next = prefixSuccessor(cp);
        if (next === undefined || (to !== undefined && compareKeys(next, to) >= 0)) {
          exhausted = true;
        } else {
          from = next;
          inclusive = true;
        }
        seeked = true;
        batch = SEEK_BATCH;
        break;
      }
      objects.push(r);
      last = r.key;
      from = r.key;
      inclusive = false;
      count++;
    }
    if (exhausted || (!seeked && rows.length < limit)) {
      exhausted = true;
      break;
    }
    if (!seeked) batch = Math.min(batch * 2, BATCH);
  }
  const truncated = !exhausted && (await meta.listLatest(bucketId, { from, inclusive, to, limit: 1 })).length > 0;
  return { objects, prefixes, truncated, last };
}
