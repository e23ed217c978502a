import type { Caller } from '../../engine/types.js';
import type { HttpContext } from '../../http/context.js';
import type { Services } from '../../http/services.js';
import type { BucketRecord } from '../../meta/types.js';
import { fileUrls, type CosTarget } from './paths.js';
import type { CosParams } from './params.js';

export const DEFAULT_DOWNLOAD = { domain: 'file.localhost', path: '/cos-download' };

/** Everything a COS operation needs. */
export interface CosOp {
  http: HttpContext;
  services: Services;
  target: CosTarget;
  params: CosParams;
  caller: Caller;
  bucket: BucketRecord;
}

/** An operation answers its `data` object, or undefined for a reply without one. */
export type CosHandler = (op: CosOp) => Promise<Record<string, unknown> | undefined>;

/**
 * The bucket a COS address names: `<bucket>` under `<appid>`, i.e. owned by
 * the account the appid names; undefined otherwise (another account's bucket
 * of that name is not there for this appid).
 */
export async function bucketUnder(services: Services, t: { appid: string; bucket: string }): Promise<BucketRecord | undefined> {
  const { engine } = services;
  const [bucket, account] = await Promise.all([engine.findBucket(t.bucket), engine.getAccountByAppid(t.appid)]);
  return bucket && account && bucket.ownerId === account.id ? bucket : undefined;
}

export function downloadSettings(services: Services) {
  return services.settings.cosDownload ?? DEFAULT_DOWNLOAD;
}

export function urlsOf(op: CosOp, path: string = op.target.path) {
  return fileUrls(op.http, downloadSettings(op.services), { appid: op.target.appid, bucket: op.target.bucket, path });
}

/** An empty request body for folder markers. */
export async function* nothing(): AsyncGenerator<Buffer> {}
