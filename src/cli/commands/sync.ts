/**
 * stratus sync: make the destination match the source (directory <-> prefix,
 * or prefix -> prefix). A file is already there when the sizes match and
 * the content matches the ETag (an MD5, or COS's SHA-1), or, when the ETag
 * is no content hash (multipart), the destination is not older than the
 * source. --delete removes what the source lacks.
 */
import fs from 'node:fs/promises';
import type { Command } from 'commander';
import type { CliContext } from '../client/context.js';
import { action, addCommonOptions } from '../client/context.js';
import { usage } from '../client/errors.js';
import { eachLimit, fileDigest, joinKey, walk, type LocalFile } from '../client/local.js';
import { parseTarget, remoteText, type RemoteTarget } from '../client/target.js';
import { copyOne, downloadOne, isTransferLeftover, uploadOne, type TransferRecord } from '../client/transfers.js';
import { localPathFor, remoteTree } from './copy-plan.js';
import { addTransferOptions, transferOptions, type RawTransferOptions } from './options.js';

interface SyncOptions extends RawTransferOptions {
  delete?: boolean;
  dryRun?: boolean;
}

interface RemoteEntry {
  key: string;
  rel: string;
  size: number;
  etag: string;
  lastModified?: Date;
}

/** Whether a local file has the content a remote entry describes. */
async function sameContent(file: LocalFile, r: RemoteEntry, remoteNewerIsSame: boolean): Promise<boolean> {
  if (file.size !== r.size) return false;
  const etag = r.etag.toLowerCase();
  if (/^[0-9a-f]{32}$/.test(etag)) return (await fileDigest(file.abs, 'md5')) === etag;
  if (/^[0-9a-f]{40}$/.test(etag)) return (await fileDigest(file.abs, 'sha1')) === etag;
  // No content hash (a multipart ETag): go by time, to the second.
  const remoteS = Math.floor((r.lastModified?.getTime() ?? 0) / 1000);
  const localS = Math.floor(file.mtimeMs / 1000);
  return remoteNewerIsSame ? remoteS >= localS : localS >= remoteS;
}

export function registerSync(program: Command): void {
  addTransferOptions(
    addCommonOptions(
      program
        .command('sync')
        .description('make a prefix match a directory, a directory match a prefix, or a prefix match a prefix')
        .argument('<source>', 'a directory or scheme://BUCKET/PREFIX')
        .argument('<destination>', 'a directory or scheme://BUCKET/PREFIX')
        .option('--delete', 'delete what the destination has and the source lacks')
        .option('--dry-run', 'show what would be done'),
    ),
  ).action(
    action(async (ctx, srcText: string, dstText: string, o: SyncOptions) => {
      const src = parseTarget(srcText);
      const dst = parseTarget(dstText);
      const t = transferOptions(o);
      if (src.kind === 'local' && dst.kind === 'local') throw usage('one side of sync must be a URL (s3://, oss://, obs://, cos://)');
      if ((src.kind === 'local' && src.stdio) || (dst.kind === 'local' && dst.stdio)) throw usage('sync works on directories, not "-"');
      const remote = (src.kind === 'remote' ? src : dst) as RemoteTarget;
      ctx.errorContext = { ...ctx.errorContext, scheme: remote.scheme, bucket: remote.bucket };
      const records: TransferRecord[] = [];
      let skipped = 0;
      const note = (r: TransferRecord) => records.push(r);
      const dry = (r: TransferRecord) => {
        ctx.out.line(`(dry run) ${r.op}: ${r.from ? `${r.from} to ` : ''}${r.to}`);
        note(r);
      };

      if (src.kind === 'local' && dst.kind === 'remote') {
        const st = await fs.stat(src.path).catch(() => undefined);
        if (!st?.isDirectory()) throw usage(`${src.path} is not a directory: sync copies directories (use cp for one file)`);
        const local = (await walk(src.path)).filter((f) => !isTransferLeftover(f.rel));
        const dstPrefix = dst.key === '' || dst.key.endsWith('/') ? dst.key : dst.key + '/';
        const there = new Map((await remoteTree(ctx, dst)).map((e) => [e.rel, e]));
        const todo: LocalFile[] = [];
        for (const f of local) {
          const r = there.get(f.rel);
          if (r && (await sameContent(f, r, true))) skipped++;
          else todo.push(f);
        }
        await eachLimit(todo, t.jobs, async (f) => {
          const key = joinKey(dstPrefix, f.rel);
          if (o.dryRun) return dry({ op: 'upload', from: f.abs, to: remoteText(dst, key) });
          note(await uploadOne(ctx, f.abs, dst, key, t));
        });
        if (o.delete) {
          const keep = new Set(local.map((f) => f.rel));
          const gone = [...there.values()].filter((e) => !keep.has(e.rel));
          if (o.dryRun) gone.forEach((e) => dry({ op: 'delete', to: remoteText(dst, e.key) }));
          else if (gone.length) {
            const { client } = ctx.client(dst.scheme);
            const r = await client.deleteObjects(dst.bucket, gone.map((e) => ({ key: e.key })), { quiet: true });
            if (r.errors.length) throw new Error(`could not delete ${r.errors[0]!.key}: ${r.errors[0]!.code} ${r.errors[0]!.message}`);
            for (const e of gone) {
              ctx.out.line(`delete: ${remoteText(dst, e.key)}`);
              note({ op: 'delete', to: remoteText(dst, e.key) });
            }
          }
        }
      } else if (src.kind === 'remote' && dst.kind === 'local') {
        await fs.mkdir(dst.path, { recursive: true });
        const objects = await remoteTree(ctx, src);
        const local = new Map((await walk(dst.path)).filter((f) => !isTransferLeftover(f.rel)).map((f) => [f.rel, f]));
        const todo: RemoteEntry[] = [];
        for (const e of objects) {
          const f = local.get(e.rel);
          if (f && (await sameContent(f, e, false))) skipped++;
          else todo.push(e);
        }
        await eachLimit(todo, t.jobs, async (e) => {
          const target = localPathFor(dst.path, e.rel);
          if (o.dryRun) return dry({ op: 'download', from: remoteText(src, e.key), to: target });
          note(await downloadOne(ctx, src, e.key, target, t));
        });
        if (o.delete) {
          const keep = new Set(objects.map((e) => e.rel));
          for (const f of local.values()) {
            if (keep.has(f.rel)) continue;
            if (o.dryRun) dry({ op: 'delete', to: f.abs });
            else {
              await fs.unlink(f.abs);
              ctx.out.line(`delete: ${f.abs}`);
              note({ op: 'delete', to: f.abs });
            }
          }
        }
      } else {
        const s = src as RemoteTarget;
        const d = dst as RemoteTarget;
        const dstPrefix = d.key === '' || d.key.endsWith('/') ? d.key : d.key + '/';
        const there = new Map((await remoteTree(ctx, d)).map((e) => [e.rel, e]));
        const objects = await remoteTree(ctx, s);
        const todo = objects.filter((e) => {
          const r = there.get(e.rel);
          const same = r !== undefined && r.size === e.size && r.etag.toLowerCase() === e.etag.toLowerCase();
          if (same) skipped++;
          return !same;
        });
        await eachLimit(todo, t.jobs, async (e) => {
          if (o.dryRun) return dry({ op: 'copy', from: remoteText(s, e.key), to: remoteText(d, dstPrefix + e.rel) });
          note(await copyOne(ctx, s, e.key, d, dstPrefix + e.rel, t));
        });
        if (o.delete) {
          const keep = new Set(objects.map((e) => e.rel));
          const gone = [...there.values()].filter((e) => !keep.has(e.rel));
          if (o.dryRun) gone.forEach((e) => dry({ op: 'delete', to: remoteText(d, e.key) }));
          else if (gone.length) {
            await ctx.client(d.scheme).client.deleteObjects(d.bucket, gone.map((e) => ({ key: e.key })), { quiet: true });
            for (const e of gone) {
              ctx.out.line(`delete: ${remoteText(d, e.key)}`);
              note({ op: 'delete', to: remoteText(d, e.key) });
            }
          }
        }
      }
      const count = (op: string) => records.filter((r) => r.op === op).length;
      ctx.out.emit({
        dryRun: o.dryRun === true,
        uploaded: count('upload'),
        downloaded: count('download'),
        copied: count('copy'),
        deleted: count('delete'),
        unchanged: skipped,
        transfers: records,
      });
    }),
  );
}
