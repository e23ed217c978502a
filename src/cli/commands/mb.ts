/** stratus mb: make a bucket. */
import { Option, type Command } from 'commander';
import type { CannedAcl } from '../../sdk/types.js';
import { action, addCommonOptions } from '../client/context.js';
import { usage } from '../client/errors.js';
import { parseRemote } from '../client/target.js';

export function registerMb(program: Command): void {
  addCommonOptions(
    program
      .command('mb')
      .description('make a bucket')
      .argument('<url>', 'scheme://BUCKET')
      .option('--region <region>', 'where the bucket lives (its location constraint)')
      .addOption(new Option('--acl <acl>', 'canned ACL').choices(['private', 'public-read', 'public-read-write', 'authenticated-read']))
      .option('--storage-class <class>', 'default storage class'),
  ).action(
    action(async (ctx, url: string, o: { region?: string; acl?: string; storageClass?: string }) => {
      const t = parseRemote(url, 'mb');
      if (t.key) throw usage(`mb takes a bucket, not an object: ${t.scheme}://${t.bucket}`);
      ctx.errorContext = { ...ctx.errorContext, scheme: t.scheme, bucket: t.bucket };
      const { client } = ctx.client(t.scheme);
      await client.createBucket(t.bucket, { region: o.region, acl: o.acl as CannedAcl | undefined, storageClass: o.storageClass });
      ctx.out.line(`make_bucket: ${t.scheme}://${t.bucket}`);
      ctx.out.emit({ bucket: t.bucket, created: true });
    }),
  );
}
