/** stratus append: add bytes to the end of an appendable object (OSS, OBS). */
import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { StratusError } from '../../sdk/errors.js';
import { action, addCommonOptions } from '../client/context.js';
import { usage } from '../client/errors.js';
import { parseRemote } from '../client/target.js';

export function registerAppend(program: Command): void {
  addCommonOptions(
    program
      .command('append')
      .description('append a file (or standard input) to an appendable object, creating it if needed (oss://, obs://)')
      .argument('<url>', 'scheme://BUCKET/KEY')
      .argument('[file]', 'the bytes to append (default: standard input)')
      .option('--position <n>', 'where the bytes go (default: the current end)'),
  ).action(
    action(async (ctx, url: string, file: string | undefined, o: { position?: string }) => {
      const t = parseRemote(url, 'append');
      if (!t.key) throw usage(`${t.text} is a bucket: append needs an object key`);
      ctx.errorContext = { ...ctx.errorContext, scheme: t.scheme, bucket: t.bucket, key: t.key };
      const { client } = ctx.client(t.scheme);
      let position: number;
      if (o.position !== undefined) {
        position = Number(o.position);
        if (!Number.isInteger(position) || position < 0) throw usage(`--position takes a byte offset, not "${o.position}"`);
      } else {
        try {
          const h = await client.headObject(t.bucket, t.key);
          position = h.nextAppendPosition ?? h.size;
        } catch (e) {
          if (!(e instanceof StratusError) || !e.notFound) throw e;
          position = 0;
        }
      }
      let body: Buffer;
      if (file === undefined || file === '-') {
        const chunks: Buffer[] = [];
        for await (const c of process.stdin) chunks.push(c as Buffer);
        body = Buffer.concat(chunks);
      } else body = await fs.readFile(file);
      const r = await client.appendObject(t.bucket, t.key, position, body);
      ctx.out.line(`append: ${body.length} bytes to ${t.text} at ${position}, next position ${r.nextPosition}`);
      ctx.out.emit({ url: t.text, position, bytes: body.length, nextPosition: r.nextPosition, crc64: r.crc64, etag: r.etag });
    }),
  );
}
