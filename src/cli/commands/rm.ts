/** stratus rm: delete an object, everything under a prefix (-r), and every version (--all-versions). */
import type { Command } from 'commander';
import type { ObjectIdentifier } from '../../sdk/types.js';
import { action, addCommonOptions } from '../client/context.js';
import { failure, usage } from '../client/errors.js';
import { parseRemote, remoteText } from '../client/target.js';

export function registerRm(program: Command): void {
  addCommonOptions(
    program
      .command('rm')
      .description('delete objects')
      .argument('<url>', 'scheme://BUCKET/KEY (or a prefix with -r)')
      .option('-r, --recursive', 'delete every object under the prefix')
      .option('--all-versions', 'delete every version (and delete marker), not just the current one')
      .option('--dry-run', 'show what would be deleted'),
  ).action(
    action(async (ctx, url: string, o: { recursive?: boolean; allVersions?: boolean; dryRun?: boolean }) => {
      const t = parseRemote(url, 'rm');
      ctx.errorContext = { ...ctx.errorContext, scheme: t.scheme, bucket: t.bucket, key: t.key || undefined };
      if (!o.recursive && (!t.key || t.key.endsWith('/'))) throw usage(`${t.text} is not an object: give its key, or add -r to delete everything under it`);
      const { client } = ctx.client(t.scheme);
      const prefix = o.recursive ? (t.key === '' || t.key.endsWith('/') ? t.key : t.key + '/') : t.key;
      const targets: ObjectIdentifier[] = [];
      if (o.allVersions) {
        for await (const v of client.listObjectVersions(t.bucket, { prefix: prefix || undefined })) {
          if (v.isPrefix) continue;
          if (!o.recursive && v.key !== t.key) continue;
          targets.push({ key: v.key, versionId: v.versionId });
        }
      } else if (o.recursive) {
        for await (const e of client.listObjects(t.bucket, { prefix: prefix || undefined })) if (!e.isPrefix) targets.push({ key: e.key });
        // Folder markers (COS folders) go after what is in them.
        targets.sort((a, b) => b.key.length - a.key.length);
      } else targets.push({ key: t.key });

      const label = (x: ObjectIdentifier) => remoteText(t, x.key) + (x.versionId ? ` (version ${x.versionId})` : '');
      if (o.dryRun) {
        for (const x of targets) ctx.out.line(`(dry run) delete: ${label(x)}`);
        ctx.out.emit({ dryRun: true, deleted: targets });
        return;
      }
      let errors: Array<{ key: string; versionId?: string; code: string; message: string }> = [];
      if (targets.length === 1 && !o.recursive) {
        await client.deleteObject(t.bucket, targets[0]!.key, { versionId: targets[0]!.versionId });
      } else if (targets.length) {
        errors = (await client.deleteObjects(t.bucket, targets, { quiet: true })).errors;
      }
      const failed = new Set(errors.map((e) => `${e.key}\n${e.versionId ?? ''}`));
      const done = targets.filter((x) => !failed.has(`${x.key}\n${x.versionId ?? ''}`));
      for (const x of done) ctx.out.line(`delete: ${label(x)}`);
      for (const e of errors) ctx.out.error(`could not delete ${remoteText(t, e.key)}: ${e.code} ${e.message}`);
      ctx.out.emit({ deleted: done, errors });
      if (errors.length) throw failure(`${errors.length} of ${targets.length} deletions failed; run the command again to retry them`);
    }),
  );
}
