import { randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 32 alphanumeric characters: the shape validateVersionId accepts. */
export function newVersionId(): string {
  const bytes = randomBytes(32);
  let s = '';
  for (const b of bytes) s += ALNUM[b % 62];
  return s;
}

export function newUploadId(): string {
  return randomBytes(24).toString('hex');
}
