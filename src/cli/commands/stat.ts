/** stratus stat: an object's attributes (or whether a bucket exists and where). */
import type { Command } from 'commander';
import { action, addCommonOptions } from '../client/context.js';
import { parseRemote } from '../client/target.js';

export function registerStat(program: Command): void {
  addCommonOptions(
    program
      .command('stat')
      .description('show the attributes of an object, or of a bucket')
      .argument('<url>', 'scheme://BUCKET[/KEY]')
      .option('--version-id <id>', 'a version other than the current one'),
  ).action(
    action(async (ctx, url: string, o: { versionId?: string }) => {
      const t = parseRemote(url, 'stat');
      ctx.errorContext = { ...ctx.errorContext, scheme: t.scheme, bucket: t.bucket, key: t.key || undefined };
      const { client } = ctx.client(t.scheme);
      if (!t.key) {
        await client.headBucket(t.bucket);
        const location = await client.getBucketLocation(t.bucket).catch(() => undefined);
        ctx.out.line(`bucket:   ${t.bucket}`);
        if (location !== undefined) ctx.out.line(`location: ${location || '(default)'}`);
        ctx.out.emit({ bucket: t.bucket, location });
        return;
      }
      const h = await client.headObject(t.bucket, t.key, { versionId: o.versionId });
      const rows: Array<[string, string | number | undefined]> = [
        ['key', h.key],
        ['size', h.size],
        ['etag', h.etag],
        ['last modified', h.lastModified?.toISOString()],
        ['content type', h.contentType],
        ['version id', h.versionId],
        ['storage class', h.storageClass],
        ['object type', h.objectType],
        ['crc64', h.crc64],
        ['sha1', h.sha1],
        ['cache control', h.cacheControl],
        ['content disposition', h.contentDisposition],
        ['content encoding', h.contentEncoding],
        ['next append position', h.nextAppendPosition],
        ['tags', h.tagCount],
      ];
      for (const [k, v] of rows) if (v !== undefined && v !== '') ctx.out.line(`${(k + ':').padEnd(22)}${v}`);
      for (const [k, v] of Object.entries(h.metadata)) ctx.out.line(`${('meta ' + k + ':').padEnd(22)}${v}`);
      const { headers: _h, ...info } = h;
      ctx.out.emit(Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined)));
    }),
  );
}
