import type { MetaOps } from '../meta/store.js';
import type { VersionCursor } from '../meta/types.js';
import { compareKeys, prefixSuccessor } from './keys.js';
import type { VersionListOptions, VersionPage } from './types.js';

const BATCH = 1000;
/**
 * With a delimiter, rows past the first common prefix of a batch are thrown
 * away by the seek, so batches start small and grow only while no prefix
 * turns up: a seek costs at most this many rows.
 */
const FIRST_BATCH = 16;

/**
 * One page of ListObjectVersions: every version and delete marker, keys in
 * byte order and each key's versions newest first, with common prefixes
 * rolled up. As with the latest-object listing, the cost is proportional to
 * the page: rows come from the (bucket, key, id) index from the cursor on, and
 * once a common prefix is emitted the scan seeks past everything under it.
 */
export async function listVersions(meta: MetaOps, bucketId: number, opts: VersionListOptions): Promise<VersionPage> {
  const prefix = opts.prefix ?? '';
  const delimiter = opts.delimiter ?? '';
  const to = prefix ? prefixSuccessor(prefix) : undefined;
  const page: VersionPage = { versions: [], prefixes: [], truncated: false };
  if (opts.maxKeys <= 0) return page;

  const keyMarker = opts.keyMarker || undefined;
  let cursor: VersionCursor | undefined;
  if (keyMarker !== undefined) {
    // After one version of the marker key, or (beforeId 0) after all of them.
    let beforeId = 0;
    if (opts.versionIdMarker) {
      const v = await meta.getVersion(bucketId, keyMarker, opts.versionIdMarker);
      // A marker version deleted since the previous page: list the key again from its newest version.
      beforeId = v ? v.id : Number.MAX_SAFE_INTEGER;
    }
    cursor = { key: keyMarker, beforeId };
  }
  if (prefix && (cursor === undefined || compareKeys(cursor.key, prefix) < 0)) cursor = { key: prefix };

  let count = 0;
  let exhausted = false;
  let last: { key: string; versionId?: string } | undefined;
  let batch = delimiter ? FIRST_BATCH : BATCH;
  while (count < opts.maxKeys) {
    const limit = Math.min(opts.maxKeys - count, batch);
    const rows = await meta.listVersions(bucketId, cursor, to, limit);
    let seeked = false;
    for (const r of rows) {
      const cut = delimiter ? r.key.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const cp = r.key.slice(0, cut + delimiter.length);
        // A prefix at or before the key marker was returned by an earlier page.
        if (keyMarker === undefined || compareKeys(cp, keyMarker) > 0) {
          page.prefixes.push(cp);
          last = { key: cp };
          count++;
        }
        const next = prefixSuccessor(cp);
        if (next === undefined || (to !== undefined && compareKeys(next, to) >= 0)) exhausted = true;
        else cursor = { key: next };
        seeked = true;
        break;
      }
      page.versions.push(r);
      last = { key: r.key, versionId: r.versionId };
      cursor = { key: r.key, beforeId: r.id };
      count++;
    }
    if (exhausted || (!seeked && rows.length < limit)) {
      exhausted = true;
      break;
    }
    if (delimiter) batch = seeked ? FIRST_BATCH : Math.min(batch * 2, BATCH);
  }
  page.truncated = !exhausted && (await meta.listVersions(bucketId, cursor, to, 1)).length > 0;
  if (page.truncated && last) {
    page.nextKeyMarker = last.key;
    page.nextVersionIdMarker = last.versionId;
  }
  return page;
}
