import { StorageError } from '../engine/errors.js';
import type { OpContext } from './op-context.js';

/**
 * Stratus' bound on x-obs-expires: OBS documents a positive integer without
 * a maximum; beyond about 27,000 years the due time would leave the dates a
 * header can carry.
 */
export const MAX_EXPIRE_DAYS = 10_000_000;

/**
 * The per-object expiry a write asks for, in days (OBS `x-obs-expires` on
 * PUT, copy and multipart initiation; engine/lifecycle/object-expiry.ts),
 * undefined when the dialect has no such header or the request does not
 * carry it. Anything but a positive integer is InvalidArgument, refused
 * before the body is read.
 */
export function expireDaysFrom(op: OpContext): number | undefined {
  const name = op.vocab.objectExpiresHeader;
  if (!name) return undefined;
  const raw = op.http.header(name);
  if (raw === undefined) return undefined;
  const days = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!(days >= 1 && days <= MAX_EXPIRE_DAYS))
    throw new StorageError('InvalidArgument', `${name} must be a whole number of days between 1 and ${MAX_EXPIRE_DAYS}`, { ArgumentName: name, ArgumentValue: raw });
  return days;
}
