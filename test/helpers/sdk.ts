import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

interface SdkError extends Error {
  Code?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** Awaits an @aws-sdk/client-s3 call that must fail with this error code and HTTP status. */
export async function sdkRejects(p: Promise<unknown>, code: string, status: number): Promise<SdkError> {
  let err: SdkError | undefined;
  try {
    await p;
  } catch (e) {
    err = e as SdkError;
  }
  assert.ok(err, `expected ${code}, the call succeeded`);
  assert.equal(err.$metadata?.httpStatusCode, status, `status of ${err.name}: ${err.message}`);
  // HEAD replies have no body: the SDK names the error by status then.
  if (code) assert.equal(err.name, code, err.message);
  return err;
}

interface MinioError extends Error {
  code?: string;
}

/** Awaits a minio call that must fail with this S3 error code. */
export async function minioRejects(p: Promise<unknown>, code: string): Promise<MinioError> {
  let err: MinioError | undefined;
  try {
    await p;
  } catch (e) {
    err = e as MinioError;
  }
  assert.ok(err, `expected ${code}, the call succeeded`);
  assert.equal(err.code, code, err.message);
  return err;
}

export const md5hex = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
export const md5b64 = (b: Buffer | string) => createHash('md5').update(b).digest('base64');
export const sha256hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export async function readAll(s: Readable | AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/** Deterministic pseudo-random bytes (a seed gives the same bytes every run). */
export function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}
