/** Options shared by the transfer commands (cp, mv, sync) and their parsing. */
import { Option, type Command } from 'commander';
import type { CannedAcl } from '../../sdk/types.js';
import { usage } from '../client/errors.js';
import { parseSize } from '../client/local.js';
import type { TransferOptions } from '../client/transfers.js';

export interface RawTransferOptions {
  partSize?: string;
  concurrency?: string;
  jobs?: string;
  contentType?: string;
  meta?: string[];
  acl?: string;
  storageClass?: string;
}

export function addTransferOptions(cmd: Command): Command {
  return cmd
    .option('--part-size <size>', 'part size of multipart transfers (default 8MiB)')
    .option('--concurrency <n>', 'parts in flight per file (default 4)')
    .option('--jobs <n>', 'files in flight at once (default 4)')
    .option('--content-type <type>', 'Content-Type of uploaded objects')
    .option('--meta <key=value...>', 'user metadata of uploaded objects')
    .addOption(new Option('--acl <acl>', 'canned ACL of uploaded objects').choices(['private', 'public-read', 'public-read-write', 'authenticated-read', 'default']))
    .option('--storage-class <class>', 'storage class of uploaded objects');
}

function positiveInt(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw usage(`${name} must be a whole number of at least 1, not "${v}"`);
  return n;
}

export function transferOptions(o: RawTransferOptions): TransferOptions & { jobs: number } {
  let partSize: number | undefined;
  if (o.partSize !== undefined) {
    try {
      partSize = parseSize(o.partSize);
    } catch (e) {
      throw usage(`--part-size: ${(e as Error).message}`);
    }
  }
  let metadata: Record<string, string> | undefined;
  for (const kv of o.meta ?? []) {
    const eq = kv.indexOf('=');
    if (eq < 1) throw usage(`--meta takes key=value, not "${kv}"`);
    (metadata ??= {})[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return {
    partSize,
    concurrency: positiveInt(o.concurrency, '--concurrency'),
    jobs: positiveInt(o.jobs, '--jobs') ?? 4,
    contentType: o.contentType,
    metadata,
    acl: o.acl as CannedAcl | undefined,
    storageClass: o.storageClass,
  };
}
