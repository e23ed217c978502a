import { StorageError } from '../engine/errors.js';
import type { BucketRecord, ObjectRecord } from '../meta/types.js';
import type { Reply } from '../http/reply.js';
import { readVerifiedBody } from './body.js';
import type { OpContext } from './op-context.js';
import { h } from './vocabulary.js';
import { parseXmlBody } from './xml.js';

/**
 * The version id header for a response about an object version. A `null`
 * version is announced only in a bucket whose versioning has been configured;
 * a bucket that never had versioning sends no header.
 */
export function versionHeader(op: OpContext, o: Pick<ObjectRecord, 'versionId'>, b: Pick<BucketRecord, 'versioning'>): Record<string, string> {
  return o.versionId !== 'null' || b.versioning !== 'Unversioned' ? { [h(op.vocab, 'version-id')]: o.versionId } : {};
}

/** GetBucketVersioning: Enabled or Suspended; an empty configuration for a bucket never configured. */
export async function getBucketVersioning(op: OpContext): Promise<Reply> {
  const b = await op.services.engine.getBucket(op.bucket!);
  const value: Record<string, unknown> = b.versioning === 'Unversioned' ? {} : { Status: b.versioning };
  return { status: 200, body: { root: 'VersioningConfiguration', value } };
}

/**
 * PutBucketVersioning. Status is required (IllegalVersioningConfigurationException
 * without it) and must be Enabled or Suspended (MalformedXML otherwise). MFA
 * delete cannot be turned on: this server has no MFA devices.
 */
export async function putBucketVersioning(op: OpContext): Promise<Reply> {
  const { engine } = op.services;
  await engine.getBucket(op.bucket!);
  const doc = parseXmlBody(await readVerifiedBody(op, 64 * 1024), 'VersioningConfiguration');
  const status = doc.Status;
  const mfa = doc.MfaDelete ?? doc.MFADelete;
  if (status === undefined || status === '') throw new StorageError('IllegalVersioningConfigurationException');
  if (status !== 'Enabled' && status !== 'Suspended') throw new StorageError('MalformedXML');
  if (mfa !== undefined) {
    if (mfa !== 'Enabled' && mfa !== 'Disabled') throw new StorageError('MalformedXML');
    if (mfa === 'Enabled') throw new StorageError('NotImplemented', 'MFA delete is not supported', { Header: 'MfaDelete' });
  }
  await engine.setVersioning(op.bucket!, status);
  return { status: 200 };
}
