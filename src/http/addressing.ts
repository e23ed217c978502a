import { StorageError } from '../engine/errors.js';

export interface Address {
  bucket?: string;
  key?: string;
  style: 'path' | 'virtual';
}

/**
 * Bucket and key from Host and path. A Host that is `<bucket>.<domain>` for
 * one of the configured domains is virtual-hosted style; anything else
 * (IP addresses, localhost, unknown names) is path style.
 */
export function resolveAddress(host: string | undefined, rawPath: string, domains: string[]): Address {
  const hostname = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    throw new StorageError('InvalidArgument', 'Invalid URI: malformed percent-encoding');
  }
  for (const d of domains) {
    if (hostname.endsWith('.' + d)) {
      const bucket = hostname.slice(0, -(d.length + 1));
      const key = path.startsWith('/') ? path.slice(1) : path;
      return { bucket, key: key || undefined, style: 'virtual' };
    }
  }
  const rest = path.startsWith('/') ? path.slice(1) : path;
  if (!rest) return { style: 'path' };
  const slash = rest.indexOf('/');
  if (slash < 0) return { bucket: rest, style: 'path' };
  const key = rest.slice(slash + 1);
  return { bucket: rest.slice(0, slash), key: key || undefined, style: 'path' };
}
