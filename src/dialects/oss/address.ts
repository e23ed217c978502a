import { resolveAddress, type Address } from '../../http/addressing.js';

/** `[bucket.]oss-<region>[-internal].aliyuncs.com`: OSS's public endpoint names. */
const OSS_HOST = /^(?:([^.]*)\.)?oss-([a-z0-9-]+?)(-internal)?\.aliyuncs\.com$/;

export interface OssAddress extends Address {
  /** The region an OSS endpoint name carries (cn-hangzhou for oss-cn-hangzhou.aliyuncs.com). */
  hostRegion?: string;
}

/**
 * Bucket and key of an OSS request. Besides Stratus's own rules (path
 * style, or `<bucket>.<configured domain>`), a Host that is an OSS endpoint
 * name is virtual-hosted: ali-oss pointed at an IP address sends
 * `Host: <bucket>.oss-<region>.aliyuncs.com` with the key alone in the path
 * (and `.oss-<region>.aliyuncs.com` for service requests).
 */
export function ossAddress(host: string | undefined, rawPath: string, domains: string[]): OssAddress {
  const hostname = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  const m = OSS_HOST.exec(hostname);
  if (!m) return resolveAddress(host, rawPath, domains);
  let addr: OssAddress;
  if (m[1] === undefined) addr = resolveAddress(host, rawPath, []); // the bare endpoint: path style
  else if (m[1] === '') addr = { style: 'virtual' }; // ".oss-<region>...": a service request
  else addr = resolveAddress(host, rawPath, [hostname.slice(m[1].length + 1)]);
  addr.hostRegion = m[2];
  return addr;
}

/** The region an OSS endpoint Host names, if any. */
export function hostRegion(host: string | undefined): string | undefined {
  const m = OSS_HOST.exec((host ?? '').replace(/:\d+$/, '').toLowerCase());
  return m?.[2];
}
