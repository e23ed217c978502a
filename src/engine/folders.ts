/**
 * Folders over a flat key space. A folder is the zero-byte key ending in `/`
 * (what the S3, OSS and OBS consoles create); a prefix that keys exist under
 * is a folder too, as those consoles show it, even without its marker. The
 * COS front end, whose folders are real, is built on these operations.
 */
import type { MetaOps } from '../meta/store.js';
import type { BucketRecord, ObjectRecord } from '../meta/types.js';
import type { Engine } from './engine.js';
import { StorageError } from './errors.js';
import { compareKeys, prefixSuccessor } from './keys.js';
import type { Caller, CommitCheck } from './types.js';

/** The folder holding a key ('' is the bucket's root): `a/b/c` and `a/b/c/` are in `a/b/`. */
export function parentFolder(key: string): string {
  const trimmed = key.endsWith('/') ? key.slice(0, -1) : key;
  const i = trimmed.lastIndexOf('/');
  return i < 0 ? '' : trimmed.slice(0, i + 1);
}

/** Whether `folder` (ending in '/', or '' for the root) exists: its marker or anything under it. */
export async function folderExists(meta: Pick<MetaOps, 'listLatest'>, bucketId: number, folder: string): Promise<boolean> {
  if (folder === '') return true;
  return (await meta.listLatest(bucketId, { from: folder, inclusive: true, to: prefixSuccessor(folder), limit: 1 })).length > 0;
}

/** A check for a write's transaction: the folder it writes into must exist when it commits. */
export function requireFolder(folder: string): CommitCheck {
  return async (tx, b) => {
    if (!(await folderExists(tx, b.id, folder))) throw new StorageError('NoSuchFolder', undefined, { Key: folder });
  };
}

/**
 * Deletes a folder's marker, only when nothing (no object, no upload in
 * progress) is under it; checked in the deleting transaction, so a write into
 * the folder either commits first (and the delete fails) or finds it gone.
 */
export async function deleteEmptyFolder(engine: Engine, caller: Caller, bucket: string, folder: string): Promise<void> {
  await engine.deleteObject(caller, bucket, folder, {
    within: async (tx, b) => {
      const end = prefixSuccessor(folder);
      const under = await tx.listLatest(b.id, { from: folder, inclusive: false, to: end, limit: 1 });
      const uploads = await tx.listUploads(b.id, { key: folder, inclusive: true }, end, 1);
      if (under.length || uploads.length) throw new StorageError('FolderNotEmpty', undefined, { Key: folder });
      const marker = await tx.getLatest(b.id, folder);
      if (!marker || marker.isDeleteMarker) throw new StorageError('NoSuchFolder', undefined, { Key: folder });
    },
  });
}

export type FolderFilter = 'both' | 'folders' | 'files';

export interface FolderEntry {
  kind: 'file' | 'folder';
  /** The file's key, or the sub-folder's prefix (ending in '/'). */
  key: string;
  /** The file, or the sub-folder's marker when it has one. */
  object?: ObjectRecord;
  /** For a sub-folder: one object under it (its marker if any), for its times. */
  sample?: ObjectRecord;
}

export interface FolderListOptions {
  /** The folder listed ('' for the root, else ending in '/'). */
  folder: string;
  /** Only names starting with this (a key prefix beginning with `folder`). */
  prefix?: string;
  /** The last key or sub-folder of the previous page. */
  after?: string;
  limit: number;
  descending?: boolean;
  filter?: FolderFilter;
}

export interface FolderPage {
  entries: FolderEntry[];
  truncated: boolean;
  /** Where the next page starts after. */
  last?: string;
}

const BATCH = 1000;

/**
 * One page of a folder's direct children, files and sub-folders interleaved
 * in key order (or reversed). Sub-folders are found by their first key and
 * skipped over with a fresh range query, so a page costs time in proportion
 * to what it returns, not to what the sub-folders hold; a filter scans past
 * the entries it drops.
 */
export async function listFolder(meta: MetaOps, bucketId: number, o: FolderListOptions): Promise<FolderPage> {
  const prefix = o.prefix ?? o.folder;
  const end = prefix ? prefixSuccessor(prefix) : undefined;
  const want = o.limit + 1; // one beyond the page says whether another page exists
  const entries: FolderEntry[] = [];
  const accept = (kind: FolderEntry['kind']) => !o.filter || o.filter === 'both' || (o.filter === 'folders') === (kind === 'folder');
  const batch = () => (!o.filter || o.filter === 'both' ? Math.min(BATCH, want - entries.length + 1) : BATCH);

  if (!o.descending) {
    let from: string | undefined = prefix;
    let inclusive = true;
    if (o.after !== undefined && compareKeys(o.after, prefix) >= 0) {
      // After a sub-folder, skip everything under it.
      from = o.after.endsWith('/') ? prefixSuccessor(o.after) : o.after;
      inclusive = o.after.endsWith('/');
      if (from === undefined) return { entries, truncated: false };
    }
    scan: while (entries.length < want) {
      const limit = batch();
      const rows = await meta.listLatest(bucketId, { from, inclusive, to: end, limit });
      let reseek = false;
      for (const r of rows) {
        from = r.key;
        inclusive = false;
        if (r.key === o.folder) continue;
        const cut = r.key.indexOf('/', prefix.length);
        if (cut >= 0) {
          const cp = r.key.slice(0, cut + 1);
          if (accept('folder')) entries.push({ kind: 'folder', key: cp, object: r.key === cp ? r : undefined, sample: r });
          const next = prefixSuccessor(cp);
          if (next === undefined || (end !== undefined && compareKeys(next, end) >= 0)) break scan;
          from = next;
          inclusive = true;
          reseek = true;
          break;
        }
        if (accept('file')) entries.push({ kind: 'file', key: r.key, object: r });
        if (entries.length >= want) break scan;
      }
      if (!reseek && rows.length < limit) break;
    }
  } else {
    let to = end;
    if (o.after !== undefined && (to === undefined || compareKeys(o.after, to) < 0)) to = o.after;
    scan: while (entries.length < want) {
      const limit = batch();
      const rows = await meta.listLatest(bucketId, { from: prefix, inclusive: true, to, limit, descending: true });
      let reseek = false;
      for (const r of rows) {
        to = r.key;
        if (r.key === o.folder) continue;
        const cut = r.key.indexOf('/', prefix.length);
        if (cut >= 0) {
          const cp = r.key.slice(0, cut + 1);
          if (accept('folder')) {
            // Descending, a sub-folder's marker (its smallest key) comes last: look it up.
            const marker = r.key === cp ? r : await meta.getLatest(bucketId, cp);
            entries.push({ kind: 'folder', key: cp, object: marker && !marker.isDeleteMarker ? marker : undefined, sample: r });
          }
          to = cp; // keys below cp exclude everything under it
          reseek = true;
          break;
        }
        if (accept('file')) entries.push({ kind: 'file', key: r.key, object: r });
        if (entries.length >= want) break scan;
      }
      if (!reseek && rows.length < limit) break;
    }
  }
  const truncated = entries.length > o.limit;
  if (truncated) entries.length = o.limit;
  return { entries, truncated, last: entries.length ? entries[entries.length - 1]!.key : undefined };
}

/** Folder reads for the front ends (COS), on the engine's store: `engine.folders`. */
export class Folders {
  constructor(private readonly meta: MetaOps) {}

  /** Whether `folder` exists in bucket `b` (see folderExists). */
  exists(b: BucketRecord, folder: string): Promise<boolean> {
    return folderExists(this.meta, b.id, folder);
  }

  /** One page of a folder's direct children (see listFolder). */
  list(b: BucketRecord, o: FolderListOptions): Promise<FolderPage> {
    return listFolder(this.meta, b.id, o);
  }

  /** The first latest object at or under `prefix`: a folder only implied by the keys under it has one. */
  async first(b: BucketRecord, prefix: string): Promise<ObjectRecord | undefined> {
    const [r] = await this.meta.listLatest(b.id, { from: prefix, inclusive: true, to: prefixSuccessor(prefix), limit: 1 });
    return r;
  }
}
