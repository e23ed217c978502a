/** stratus rb: remove a bucket (with --force, everything in it first). */
import type { Command } from 'commander';
import type { StratusClient } from '../../sdk/client.js';
import { StratusError } from '../../sdk/errors.js';
import type { ObjectIdentifier } from '../../sdk/types.js';
import { action, addCommonOptions } from '../client/context.js';
import { failure, usage } from '../client/errors.js';
import { parseRemote } from '../client/target.js';

/** Deletes every object (every version where the dialect keeps them) and every unfinished upload. */
export async function emptyBucket(client: StratusClient, bucket: string): Promise<number> {
  let removed = 0;
  const flush = async (batch: ObjectIdentifier[]) => {
    if (!batch.length) return;
    const r = await client.deleteObjects(bucket, batch, { quiet: true });
    if (r.errors.length) throw failure(`could not delete ${r.errors.length} objects, e.g. ${r.errors[0]!.key}: ${r.errors[0]!.code} ${r.errors[0]!.message}`);
    removed += batch.length;
  };
  let batch: ObjectIdentifier[] = [];
  let versioned = true;
  try {
    for await (const v of client.listObjectVersions(bucket)) {
      if (v.isPrefix) continue;
      batch.push({ key: v.key, versionId: v.versionId });
      if (batch.length === 1000) await flush(batch.splice(0));
    }
  } catch (e) {
    if (!(e instanceof StratusError) || e.notFound || (e.status === 0 && e.code !== 'NotSupported')) throw e;
    versioned = false; // no version listing in this dialect: plain objects
  }
  await flush(batch.splice(0));
  if (!versioned) {
    const keys: string[] = [];
    for await (const o of client.listObjects(bucket)) if (!o.isPrefix) keys.push(o.key);
    // COS folders go after their files, deepest first.
    keys.sort((a, b) => b.length - a.length);
    for (let i = 0; i < keys.length; i += 1000) await flush(keys.slice(i, i + 1000).map((key) => ({ key })));
  }
  try {
    for await (const u of client.listMultipartUploads(bucket)) if (!u.isPrefix) await client.abortMultipartUpload(bucket, u.key, u.uploadId);
  } catch (e) {
    if (!(e instanceof StratusError) || e.code !== 'NotSupported') throw e;
  }
  return removed;
}

export function registerRb(program: Command): void {
  addCommonOptions(
    program
      .command('rb')
      .description('remove a bucket')
      .argument('<url>', 'scheme://BUCKET')
      .option('--force', 'first delete every object, version and unfinished upload in it'),
  ).action(
    action(async (ctx, url: string, o: { force?: boolean }) => {
      const t = parseRemote(url, 'rb');
      if (t.key) throw usage(`rb takes a bucket, not an object: ${t.scheme}://${t.bucket}`);
      ctx.errorContext = { ...ctx.errorContext, scheme: t.scheme, bucket: t.bucket };
      const { client } = ctx.client(t.scheme);
      const removed = o.force ? await emptyBucket(client, t.bucket) : 0;
      await client.deleteBucket(t.bucket);
      ctx.out.line(`remove_bucket: ${t.scheme}://${t.bucket}${removed ? ` (${removed} objects deleted first)` : ''}`);
      ctx.out.emit({ bucket: t.bucket, removed: true, objectsDeleted: removed });
    }),
  );
}
