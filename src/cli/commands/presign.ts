/** stratus presign: a URL that grants one operation on an object until it expires. */
import type { Command } from 'commander';
import { action, addCommonOptions } from '../client/context.js';
import { usage } from '../client/errors.js';
import { parseRemote } from '../client/target.js';

export function registerPresign(program: Command): void {
  addCommonOptions(
    program
      .command('presign')
      .description('print a signed URL that anyone can use until it expires')
      .argument('<url>', 'scheme://BUCKET/KEY')
      .option('--expires <seconds>', 'validity in seconds (default 3600)', '3600')
      .option('--method <method>', 'GET (default), PUT, DELETE or HEAD', 'GET')
      .option('--version-id <id>', 'a version other than the current one'),
  ).action(
    action(async (ctx, url: string, o: { expires: string; method: string; versionId?: string }) => {
      const t = parseRemote(url, 'presign');
      if (!t.key) throw usage(`${t.text} is a bucket: presign needs an object key`);
      const expires = Number(o.expires);
      if (!Number.isInteger(expires) || expires < 1) throw usage(`--expires takes whole seconds (at least 1), not "${o.expires}"`);
      const method = o.method.toUpperCase();
      if (!['GET', 'PUT', 'DELETE', 'HEAD'].includes(method)) throw usage(`--method must be GET, PUT, DELETE or HEAD, not "${o.method}"`);
      ctx.errorContext = { ...ctx.errorContext, scheme: t.scheme, bucket: t.bucket, key: t.key };
      const signed = await ctx.client(t.scheme).client.presignUrl(t.bucket, t.key, { method, expiresSeconds: expires, versionId: o.versionId });
      ctx.out.line(signed);
      ctx.out.emit({ url: signed, method, expiresSeconds: expires, expiresAt: new Date(Date.now() + expires * 1000).toISOString() });
    }),
  );
}
