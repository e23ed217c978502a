/** stratus cat: an object's bytes to standard output. */
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { action, addCommonOptions } from '../client/context.js';
import { usage } from '../client/errors.js';
import { parseRemote } from '../client/target.js';

export function registerCat(program: Command): void {
  addCommonOptions(
    program
      .command('cat')
      .description("write an object's contents to standard output")
      .argument('<url>', 'scheme://BUCKET/KEY')
      .option('--range <first-last>', 'only these bytes (inclusive, e.g. 0-99 or 100-)')
      .option('--version-id <id>', 'a version other than the current one'),
  ).action(
    action(async (ctx, url: string, o: { range?: string; versionId?: string }) => {
      const t = parseRemote(url, 'cat');
      if (!t.key) throw usage(`${t.text} is a bucket: cat needs an object key`);
      ctx.errorContext = { ...ctx.errorContext, scheme: t.scheme, bucket: t.bucket, key: t.key };
      let range: { start: number; end?: number } | undefined;
      if (o.range !== undefined) {
        const m = /^(\d+)-(\d*)$/.exec(o.range);
        if (!m) throw usage(`--range takes FIRST-LAST byte offsets, e.g. 0-99 or 100-, not "${o.range}"`);
        range = { start: Number(m[1]), end: m[2] ? Number(m[2]) : undefined };
      }
      const g = await ctx.client(t.scheme).client.getObject(t.bucket, t.key, { range, versionId: o.versionId });
      await pipeline(g.body, process.stdout, { end: false });
    }),
  );
}
