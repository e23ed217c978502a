/** stratus ls: buckets, or the objects and common prefixes under a URL. */
import type { Command } from 'commander';
import type { ListEntry } from '../../sdk/listing.js';
import { action, addCommonOptions } from '../client/context.js';
import { formatBytes } from '../client/output.js';
import { SCHEMES, type Scheme } from '../client/profiles.js';
import { parseRemote } from '../client/target.js';

const stamp = (d?: Date) => (d ? d.toISOString().replace('T', ' ').slice(0, 19) : '                   ');

export function registerLs(program: Command): void {
  addCommonOptions(
    program
      .command('ls')
      .description('list buckets, or the objects under scheme://BUCKET[/PREFIX]')
      .argument('[url]', 'scheme://BUCKET[/PREFIX], or scheme:// for the buckets of that profile')
      .option('-r, --recursive', 'list every object under the prefix (no grouping by "/")')
      .option('-H, --human-readable', 'sizes in KiB, MiB...'),
  ).action(
    action(async (ctx, url: string | undefined, o: { recursive?: boolean; humanReadable?: boolean }) => {
      const bare = url ? /^([a-z0-9]+):\/\/$/i.exec(url) : null;
      if (!url || bare) {
        const scheme = bare ? (bare[1]!.toLowerCase() as Scheme) : undefined;
        if (scheme && !SCHEMES.includes(scheme)) parseRemote(url!); // throws the usage error
        const { client } = ctx.client(scheme);
        const buckets = await client.listBuckets();
        for (const b of buckets) ctx.out.line(`${stamp(b.creationDate)}  ${b.name}`);
        ctx.out.emit({ buckets: buckets.map((b) => ({ name: b.name, creationDate: b.creationDate, region: b.region })) });
        return;
      }
      const t = parseRemote(url, 'ls');
      ctx.errorContext = { ...ctx.errorContext, scheme: t.scheme, bucket: t.bucket };
      const { client } = ctx.client(t.scheme);
      const objects: ListEntry[] = [];
      const size = (n: number) => (o.humanReadable ? formatBytes(n) : String(n)).padStart(12);
      for await (const e of client.listObjects(t.bucket, { prefix: t.key || undefined, delimiter: o.recursive ? undefined : '/' })) {
        if (e.isPrefix) ctx.out.line(`${' '.repeat(19)}  ${'PRE'.padStart(12)} ${e.key}`);
        else ctx.out.line(`${stamp(e.lastModified)}  ${size(e.size)} ${e.key}`);
        if (ctx.out.json) objects.push(e);
      }
      ctx.out.emit({
        objects: objects.filter((e) => !e.isPrefix),
        prefixes: objects.filter((e) => e.isPrefix).map((e) => e.key),
      });
    }),
  );
}
