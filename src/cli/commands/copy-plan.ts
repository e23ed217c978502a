/**
 * What cp and mv do for a source and a destination: the list of single
 * transfers (local file -> key, key -> local file, key -> key), resolved
 * the way `cp` resolves paths (a destination ending in "/" or naming a
 * directory receives the source's name).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CliContext } from '../client/context.js';
import { notFound, usage } from '../client/errors.js';
import { isDirectory, joinKey, walk } from '../client/local.js';
import { isTransferLeftover } from '../client/transfers.js';
import type { LocalTarget, RemoteTarget, Target } from '../client/target.js';

export type Step =
  | { kind: 'upload'; abs: string; dst: RemoteTarget; key: string }
  | { kind: 'download'; src: RemoteTarget; key: string; target: string }
  | { kind: 'copy'; src: RemoteTarget; key: string; dst: RemoteTarget; dstKey: string };

const baseName = (key: string) => key.slice(key.lastIndexOf('/') + 1);

/** The keys under a remote "directory" (its key as a prefix, with "/" added), folder markers left out. */
export async function remoteTree(ctx: CliContext, t: RemoteTarget): Promise<Array<{ key: string; rel: string; size: number; etag: string; lastModified?: Date }>> {
  const prefix = t.key === '' || t.key.endsWith('/') ? t.key : t.key + '/';
  const { client } = ctx.client(t.scheme);
  const out: Array<{ key: string; rel: string; size: number; etag: string; lastModified?: Date }> = [];
  for await (const e of client.listObjects(t.bucket, { prefix: prefix || undefined })) {
    if (e.isPrefix || e.key.endsWith('/')) continue;
    out.push({ key: e.key, rel: e.key.slice(prefix.length), size: e.size, etag: e.etag, lastModified: e.lastModified });
  }
  return out;
}

/** Local path for a key below a directory (refusing keys that would climb out of it). */
export function localPathFor(dir: string, rel: string): string {
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw usage(`the key "${rel}" would write outside ${dir}; copy it by name instead`);
  return path.join(dir, ...parts);
}

export async function planCopy(ctx: CliContext, src: Target, dst: Target, recursive: boolean): Promise<Step[]> {
  if (src.kind === 'local' && dst.kind === 'local') throw usage('one side of cp / mv must be a URL (s3://, oss://, obs://, cos://); use your shell to copy local files');
  if (src.kind === 'local') return planUpload(src, dst as RemoteTarget, recursive);
  if (dst.kind === 'local') return planDownload(ctx, src, dst, recursive);
  if (recursive) {
    const dstPrefix = dst.key === '' || dst.key.endsWith('/') ? dst.key : dst.key + '/';
    return (await remoteTree(ctx, src)).map((e) => ({ kind: 'copy', src, key: e.key, dst, dstKey: dstPrefix + e.rel }));
  }
  if (!src.key) throw usage(`${src.text} names a bucket: give the object's key, or use -r to copy everything under it`);
  const dstKey = dst.key === '' || dst.key.endsWith('/') ? dst.key + baseName(src.key) : dst.key;
  return [{ kind: 'copy', src, key: src.key, dst, dstKey }];
}

async function planUpload(src: LocalTarget, dst: RemoteTarget, recursive: boolean): Promise<Step[]> {
  let st;
  try {
    st = await fs.stat(src.path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`local path ${src.path} does not exist: check the path`);
    throw e;
  }
  if (st.isDirectory()) {
    if (!recursive) throw usage(`${src.path} is a directory: add -r to copy what is in it`);
    const files = (await walk(src.path)).filter((f) => !isTransferLeftover(f.rel));
    return files.map((f) => ({ kind: 'upload', abs: f.abs, dst, key: joinKey(dst.key, f.rel) }));
  }
  const key = dst.key === '' || dst.key.endsWith('/') ? dst.key + path.basename(src.path) : dst.key;
  return [{ kind: 'upload', abs: path.resolve(src.path), dst, key }];
}

async function planDownload(ctx: CliContext, src: RemoteTarget, dst: LocalTarget, recursive: boolean): Promise<Step[]> {
  if (recursive) {
    return (await remoteTree(ctx, src)).map((e) => ({ kind: 'download', src, key: e.key, target: localPathFor(dst.path, e.rel) }));
  }
  if (!src.key || src.key.endsWith('/')) throw usage(`${src.text} is not an object: give its key, or use -r to copy everything under it`);
  const intoDir = dst.path.endsWith('/') || dst.path.endsWith(path.sep) || (await isDirectory(dst.path));
  return [{ kind: 'download', src, key: src.key, target: intoDir ? path.join(dst.path, baseName(src.key)) : dst.path }];
}
