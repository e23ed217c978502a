/** Identifiers and secrets of identities, in the shapes AWS gives them. */
import { randomBytes } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(n: number): string {
  return Array.from(randomBytes(n), (b) => BASE32[b & 31]).join('');
}

/** A new account's id: S3's canonical user id, 64 hex digits. */
export const newAccountId = () => randomBytes(32).toString('hex');
/** IAM unique ids: AIDA… for users, AROA… for roles. */
export const newUserId = () => 'AIDA' + base32(17);
export const newRoleId = () => 'AROA' + base32(17);
/** Access key ids: AKIA… long-term, ASIA… temporary, as AWS tells them apart. */
export const newAccessKeyId = () => 'AKIA' + base32(16);
export const newSessionKeyId = () => 'ASIA' + base32(16);
/** A 40-character secret of the characters AWS secrets use. */
export const newSecret = () => randomBytes(30).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'B');
/** An opaque session token (compared whole, in constant time). */
export const newSessionToken = () => 'STS' + randomBytes(96).toString('base64url');
