import { putLogging, type LoggingConfig } from '../engine/access-log.js';
import { StorageError } from '../engine/errors.js';
import type { Reply } from '../http/reply.js';
import { readVerifiedBody } from './body.js';
import { node, text, type XmlNode } from './lifecycle-xml.js';
import type { OpContext } from './op-context.js';
import { parseXmlBody } from './xml.js';

/**
 * S3 Put/GetBucketLogging, OSS Put/Get/DeleteBucketLogging and OBS
 * setBucketLogging / getBucketLogging: one document, `BucketLoggingStatus`
 * with an optional `LoggingEnabled` (TargetBucket, TargetPrefix; S3's
 * TargetObjectKeyFormat; OBS's Agency beside it). No LoggingEnabled turns
 * logging off.
 */
const MAX_BODY = 64 * 1024;

export function parseLogging(body: Buffer): LoggingConfig | null {
  const doc = parseXmlBody(body, 'BucketLoggingStatus');
  const enabled = node(doc.LoggingEnabled);
  if (!enabled) return null;
  const targetBucket = text(enabled.TargetBucket);
  if (targetBucket === undefined) throw new StorageError('MalformedXML');
  const c: LoggingConfig = { targetBucket, targetPrefix: text(enabled.TargetPrefix) ?? '', keyFormat: 'simple' };
  const format = node(enabled.TargetObjectKeyFormat);
  if (format?.PartitionedPrefix !== undefined) {
    c.keyFormat = 'partitioned';
    const source = text(node(format.PartitionedPrefix)?.PartitionDateSource) ?? 'EventTime';
    if (source !== 'EventTime' && source !== 'DeliveryTime') throw new StorageError('MalformedXML');
    c.partitionDateSource = source;
  }
  const agency = text(doc.Agency);
  if (agency !== undefined) c.agency = agency;
  return c;
}

function loggingXml(c: LoggingConfig | null): XmlNode {
  if (!c) return {};
  const enabled: XmlNode = { TargetBucket: c.targetBucket, TargetPrefix: c.targetPrefix };
  // The key format is reported even when it was not given (SimplePrefix, the default), as RGW does.
  enabled.TargetObjectKeyFormat =
    c.keyFormat === 'partitioned' ? { PartitionedPrefix: { PartitionDateSource: c.partitionDateSource ?? 'EventTime' } } : { SimplePrefix: {} };
  return { ...(c.agency !== undefined ? { Agency: c.agency } : {}), LoggingEnabled: enabled };
}

export async function putBucketLogging(op: OpContext): Promise<Reply> {
  const { engine } = op.services;
  await engine.getBucket(op.bucket!);
  const body = await readVerifiedBody(op, MAX_BODY);
  const c = parseLogging(body);
  // Configured through OSS: the log is in OSS's format and named as OSS names log objects.
  if (c && op.vocab.dialect === 'oss') c.format = 'oss';
  await putLogging(engine, op.caller, op.bucket!, c);
  return { status: 200 };
}

export async function getBucketLogging(op: OpContext): Promise<Reply> {
  const c = await op.services.engine.bucketSetting(op.bucket!, 'logging');
  return { status: 200, body: { root: 'BucketLoggingStatus', value: loggingXml(c) } };
}

/** OSS DeleteBucketLogging. */
export async function deleteBucketLogging(op: OpContext): Promise<Reply> {
  await putLogging(op.services.engine, op.caller, op.bucket!, null);
  return { status: 204 };
}
