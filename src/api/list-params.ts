import { StorageError } from '../engine/errors.js';

// Query parameters of the listings (objects V1 / V2, versions, uploads, parts), read in one place.
// An empty value counts as absent everywhere: oss2 sends every marker on every page, empty on the
// first one (part-number-marker=, key-marker=, continuation-token=...), and S3 lists from the start
// for an empty continuation token (echoing it) and takes an empty marker as none. An empty count
// (max-keys=) takes the default, as MinIO and RGW do.

/** The parameter's value, or undefined when it is absent or empty. */
export function listParam(q: Map<string, string>, name: string): string | undefined {
  const v = q.get(name);
  return v === '' ? undefined : v;
}

/** max-keys of the object and version listings: a non-negative integer, capped at 1000. */
export function parseMaxKeys(v: string | undefined, name = 'max-keys'): number {
  if (v === undefined || v === '') return 1000;
  if (!/^-?\d+$/.test(v) || Number(v) < 0)
    throw new StorageError('InvalidArgument', `Provided ${name} not an integer or within integer range`, { ArgumentName: name, ArgumentValue: v });
  return Math.min(Number(v), 1000);
}

/** max-parts / max-uploads: a non-negative integer query parameter, capped at 1000 as S3 does. */
export function countParam(q: Map<string, string>, name: string): number {
  const v = listParam(q, name);
  if (v === undefined) return 1000;
  if (!/^\d+$/.test(v) || Number(v) > 2147483647)
    throw new StorageError('InvalidArgument', `Argument ${name} must be an integer between 0 and 2147483647`, { ArgumentName: name, ArgumentValue: v });
  return Math.min(Number(v), 1000);
}

/** ListParts' part-number-marker: the part number after which the page starts (0: from the first). */
export function partNumberMarker(q: Map<string, string>): number {
  const v = listParam(q, 'part-number-marker');
  if (v === undefined) return 0;
  if (!/^\d+$/.test(v) || Number(v) > 2147483647)
    throw new StorageError('InvalidArgument', 'Argument partNumberMarker must be an integer.', { ArgumentName: 'part-number-marker', ArgumentValue: v });
  return Number(v);
}
