/**
 * Listings as async iterators that page transparently: objects (with
 * common prefixes merged in key order when a delimiter is given), object
 * versions, multipart uploads and the parts of one upload.
 */
import type { Dialect } from './dialects/dialect.js';
import { compareUtf8 } from './dialects/xml-bodies.js';
import { clientError } from './errors.js';
import type {
  ListObjectsOptions,
  ListPartsOptions,
  ListUploadsOptions,
  ListVersionsOptions,
  ListedObject,
  MultipartUploadInfo,
  ObjectVersion,
  PartInfo,
} from './types.js';

/** An object, or (with a delimiter) a common prefix, whose `key` is the prefix. */
export type ListEntry = (ListedObject & { isPrefix?: false }) | { key: string; isPrefix: true };

export type VersionEntry = (ObjectVersion & { isPrefix?: false }) | { key: string; isPrefix: true };

export type UploadEntry = (MultipartUploadInfo & { isPrefix?: false }) | { key: string; isPrefix: true };

function merge<T extends { key: string }>(items: T[], prefixes: string[]): Array<T | { key: string; isPrefix: true }> {
  const all: Array<T | { key: string; isPrefix: true }> = [...items, ...prefixes.map((p) => ({ key: p, isPrefix: true as const }))];
  return all.sort((a, b) => compareUtf8(a.key, b.key));
}

export async function* listObjects(d: Dialect, bucket: string, o: ListObjectsOptions = {}): AsyncGenerator<ListEntry> {
  if (d.listObjectsIter) {
    yield* d.listObjectsIter(bucket, o);
    return;
  }
  let token: string | undefined;
  for (;;) {
    const page = await d.listObjectsPage(bucket, { ...o, token });
    yield* merge(page.items, page.prefixes) as ListEntry[];
    if (!page.truncated) return;
    if (!page.nextToken || page.nextToken === token) {
      throw clientError(d.name, 'InvalidResponse', 'the listing says it is truncated but gives no way to continue');
    }
    token = page.nextToken;
  }
}

export async function* listObjectVersions(d: Dialect, bucket: string, o: ListVersionsOptions = {}): AsyncGenerator<VersionEntry> {
  let keyMarker = o.keyMarker;
  let versionIdMarker = o.versionIdMarker;
  for (;;) {
    const page = await d.listVersionsPage(bucket, { ...o, keyMarker, versionIdMarker });
    // Versions of one key stay in the server's order (newest first); prefixes slot in by key.
    const prefixes = page.prefixes.map((p) => ({ key: p, isPrefix: true as const }));
    const out: VersionEntry[] = [];
    let pi = 0;
    for (const v of page.items) {
      while (pi < prefixes.length && compareUtf8(prefixes[pi]!.key, v.key) < 0) out.push(prefixes[pi++]!);
      out.push(v);
    }
    out.push(...prefixes.slice(pi));
    yield* out;
    if (!page.truncated) return;
    if (page.nextKeyMarker === undefined || (page.nextKeyMarker === keyMarker && page.nextVersionIdMarker === versionIdMarker)) {
      throw clientError(d.name, 'InvalidResponse', 'the version listing says it is truncated but gives no next marker');
    }
    keyMarker = page.nextKeyMarker;
    versionIdMarker = page.nextVersionIdMarker;
  }
}

export async function* listMultipartUploads(d: Dialect, bucket: string, o: ListUploadsOptions = {}): AsyncGenerator<UploadEntry> {
  let keyMarker = o.keyMarker;
  let uploadIdMarker = o.uploadIdMarker;
  for (;;) {
    const page = await d.listUploadsPage(bucket, { ...o, keyMarker, uploadIdMarker });
    yield* merge(page.items, page.prefixes) as UploadEntry[];
    if (!page.truncated) return;
    if (page.nextKeyMarker === undefined || (page.nextKeyMarker === keyMarker && page.nextUploadIdMarker === uploadIdMarker)) {
      throw clientError(d.name, 'InvalidResponse', 'the upload listing says it is truncated but gives no next marker');
    }
    keyMarker = page.nextKeyMarker;
    uploadIdMarker = page.nextUploadIdMarker;
  }
}

export async function* listParts(d: Dialect, bucket: string, key: string, uploadId: string, o: ListPartsOptions = {}): AsyncGenerator<PartInfo> {
  let marker = o.partNumberMarker;
  for (;;) {
    const page = await d.listPartsPage(bucket, key, uploadId, { ...o, partNumberMarker: marker });
    yield* page.items;
    if (!page.truncated) return;
    const next = page.nextPartNumberMarker ?? page.items.at(-1)?.partNumber;
    if (next === undefined || next === marker) throw clientError(d.name, 'InvalidResponse', 'the part listing says it is truncated but gives no next marker');
    marker = next;
  }
}

/** Collects an async iterator (tests, small listings). */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
