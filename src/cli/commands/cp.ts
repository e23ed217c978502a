/** stratus cp (and mv): local to remote, remote to local, remote to remote; -r for trees; "-" for stdin / stdout. */
import fs from 'node:fs/promises';
import type { Command } from 'commander';
import type { CliContext } from '../client/context.js';
import { action, addCommonOptions } from '../client/context.js';
import { usage } from '../client/errors.js';
import { eachLimit } from '../client/local.js';
import { parseTarget, remoteText } from '../client/target.js';
import { copyOne, downloadOne, uploadOne, type TransferRecord } from '../client/transfers.js';
import { planCopy, type Step } from './copy-plan.js';
import { addTransferOptions, transferOptions, type RawTransferOptions } from './options.js';

interface CpOptions extends RawTransferOptions {
  recursive?: boolean;
}

export async function runCopy(ctx: CliContext, srcText: string, dstText: string, o: CpOptions, move: boolean): Promise<void> {
  const src = parseTarget(srcText);
  const dst = parseTarget(dstText);
  const t = transferOptions(o);
  const remote = src.kind === 'remote' ? src : dst.kind === 'remote' ? dst : undefined;
  if (remote) ctx.errorContext = { ...ctx.errorContext, scheme: remote.scheme, bucket: remote.bucket, key: remote.key || undefined };

  // Streams: stdin to an object, an object to stdout.
  if (src.kind === 'local' && src.stdio) {
    if (dst.kind !== 'remote' || !dst.key || dst.key.endsWith('/')) throw usage('cp - needs a destination object URL, e.g. s3://BUCKET/KEY');
    if (move) throw usage('mv cannot read standard input');
    const r = await ctx.client(dst.scheme).client.putObject(dst.bucket, dst.key, process.stdin, { contentType: t.contentType, metadata: t.metadata, acl: t.acl, storageClass: t.storageClass });
    ctx.out.line(`upload: - to ${dst.text}`);
    ctx.out.emit({ transfers: [{ op: 'upload', from: '-', to: dst.text, etag: r.etag }] });
    return;
  }
  if (dst.kind === 'local' && dst.stdio) {
    if (src.kind !== 'remote' || !src.key) throw usage('cp URL - needs a source object URL');
    const g = await ctx.client(src.scheme).client.getObject(src.bucket, src.key);
    const { pipeline } = await import('node:stream/promises');
    await pipeline(g.body, process.stdout, { end: false });
    return;
  }

  const steps = await planCopy(ctx, src, dst, o.recursive === true);
  const records: TransferRecord[] = [];
  await eachLimit(steps, t.jobs, async (s: Step) => {
    let r: TransferRecord;
    if (s.kind === 'upload') r = await uploadOne(ctx, s.abs, s.dst, s.key, t);
    else if (s.kind === 'download') r = await downloadOne(ctx, s.src, s.key, s.target, t);
    else r = await copyOne(ctx, s.src, s.key, s.dst, s.dstKey, t);
    records.push(r);
    if (move) {
      if (s.kind === 'upload') await fs.unlink(s.abs);
      else await ctx.client(s.src.scheme).client.deleteObject(s.src.bucket, s.key);
      records.push({ op: 'delete', to: s.kind === 'upload' ? s.abs : remoteText(s.src, s.key) });
    }
  });
  ctx.out.emit({ transfers: records });
}

export function registerCp(program: Command): void {
  addTransferOptions(
    addCommonOptions(
      program
        .command('cp')
        .description('copy files and objects: local to remote, remote to local, remote to remote')
        .argument('<source>', 'a local path, "-" (stdin) or scheme://BUCKET/KEY')
        .argument('<destination>', 'a local path, "-" (stdout) or scheme://BUCKET/KEY (ending in "/" to keep the name)')
        .option('-r, --recursive', 'copy a directory tree or everything under a prefix'),
    ),
  ).action(action(async (ctx, src: string, dst: string, o: CpOptions) => runCopy(ctx, src, dst, o, false)));
}

export function registerMv(program: Command): void {
  addTransferOptions(
    addCommonOptions(
      program
        .command('mv')
        .description('move files and objects (copy, then delete the source)')
        .argument('<source>', 'a local path or scheme://BUCKET/KEY')
        .argument('<destination>', 'a local path or scheme://BUCKET/KEY')
        .option('-r, --recursive', 'move a directory tree or everything under a prefix'),
    ),
  ).action(action(async (ctx, src: string, dst: string, o: CpOptions) => runCopy(ctx, src, dst, o, true)));
}
