import { PAB_FLAGS, type PublicAccessBlock } from '../engine/settings.js';
import { StorageError } from '../engine/errors.js';
import type { Reply } from '../http/reply.js';
import { readVerifiedBody } from './body.js';
import type { OpContext } from './op-context.js';
import { parseXmlBody } from './xml.js';

/** S3's bucket-level public access block (PUT / GET / DELETE ?publicAccessBlock); enforced by the authorizer. */
const WIRE: Record<(typeof PAB_FLAGS)[number], string> = {
  blockPublicAcls: 'BlockPublicAcls',
  ignorePublicAcls: 'IgnorePublicAcls',
  blockPublicPolicy: 'BlockPublicPolicy',
  restrictPublicBuckets: 'RestrictPublicBuckets',
};

export async function putPublicAccessBlock(op: OpContext): Promise<Reply> {
  await op.services.engine.getBucket(op.bucket!);
  const doc = parseXmlBody(await readVerifiedBody(op, 64 * 1024), 'PublicAccessBlockConfiguration');
  const conf = {} as PublicAccessBlock;
  for (const flag of PAB_FLAGS) {
    const v = doc[WIRE[flag]];
    // Absent flags are false, as S3 reads them; anything but true / false is not the schema.
    if (v !== undefined && v !== 'true' && v !== 'false' && v !== true && v !== false) throw new StorageError('MalformedXML');
    conf[flag] = v === true || v === 'true';
  }
  await op.services.engine.setBucketSetting(op.bucket!, 'publicAccessBlock', conf);
  return { status: 200 };
}

export async function getPublicAccessBlock(op: OpContext): Promise<Reply> {
  const conf = await op.services.engine.bucketSetting(op.bucket!, 'publicAccessBlock');
  if (!conf) throw new StorageError('NoSuchPublicAccessBlockConfiguration', undefined, { BucketName: op.bucket! });
  const value = Object.fromEntries(PAB_FLAGS.map((f) => [WIRE[f], conf[f]]));
  return { status: 200, body: { root: 'PublicAccessBlockConfiguration', value } };
}

export async function deletePublicAccessBlock(op: OpContext): Promise<Reply> {
  await op.services.engine.setBucketSetting(op.bucket!, 'publicAccessBlock', null);
  return { status: 204 };
}
