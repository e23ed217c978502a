import type { Engine } from '../engine/engine.js';
import { isStorageError, StorageError } from '../engine/errors.js';
import type { Action } from './actions.js';
import type { Resource } from './authorizer.js';
import { cosAuthorityGate } from './cos-authority.js';
import type { Principal } from './principal.js';
import type { RequestFacts } from './request-facts.js';
import { refererVerdict } from './referer.js';

/** OSS's answer to a request its hotlink protection refuses, with the error-centre code for each reason. */
function refererDenied(ec: string): StorageError {
  return new StorageError('AccessDenied', 'You are denied by bucket referer policy.', { EC: ec });
}

/**
 * OSS hotlink protection: checked, as OSS documents, only for requests that
 * are anonymous or signed in the URL; a request signed in its Authorization
 * header is never refused for its Referer.
 */
async function ossRefererGate(engine: Engine, principal: Principal, bucket: string, facts: RequestFacts): Promise<void> {
  if (principal.kind !== 'anonymous' && facts.authType !== 'query') return;
  let config;
  try {
    config = await engine.bucketSetting(await engine.lookupBucket(bucket), 'referer');
  } catch (e) {
    if (isStorageError(e) && (e.code === 'NoSuchBucket' || e.code === 'InvalidBucketName')) return;
    throw e;
  }
  const referer = facts.headers.referer;
  const verdict = refererVerdict(config, Array.isArray(referer) ? referer[0] : referer);
  if (verdict === 'blacklisted') throw refererDenied('0003-00000502');
  if (verdict === 'not-allowed') throw refererDenied('0003-00000503');
}

/**
 * The rules one dialect adds to the shared decision, run by the authorizer
 * before it decides: they can only refuse (a gate never grants). OSS: the
 * bucket's Referer lists. COS: its appid rule and download-only anonymous
 * access (cos-authority.ts).
 */
export async function dialectGates(engine: Engine, principal: Principal, action: Action, resource: Resource, facts: RequestFacts | undefined): Promise<void> {
  if (!facts || resource.bucket === undefined) return;
  if (facts.dialect === 'oss') await ossRefererGate(engine, principal, resource.bucket, facts);
  else if (facts.dialect === 'cos') await cosAuthorityGate(engine, principal, action, resource.bucket);
}
