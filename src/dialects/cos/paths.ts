/**
 * COS addressing: `/files/v2/<appid>/<bucket>/<path>` for the API (a path
 * ending in `/` is a folder, `/` the bucket root), and the download forms
 * `<bucket>-<appid>.<domain>/<path>` and `<download path>/<bucket>-<appid>/<path>`.
 * A COS path maps onto an object key by dropping its leading `/`.
 */
import { cosEncodePath } from '../../auth/cos-v4.js';
import type { HttpContext } from '../../http/context.js';
import { CosError } from './errors.js';

export interface CosTarget {
  appid: string;
  bucket: string;
  /** Decoded COS path, starting with '/'. */
  path: string;
  /** The path ends in '/' (a folder, or the root). */
  folder: boolean;
  /** The object key ('' for the root). */
  key: string;
}

function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new CosError('ERROR_CMD_NOT_UTF8_ENCODING', 'the path is not valid percent-encoded UTF-8');
  }
}

/** Empty or blank segments (`//`, `/ /`) name nothing (the SDKs refuse them too). */
function checkSegments(path: string): void {
  const segments = path.split('/').slice(1);
  if (segments.length && segments[segments.length - 1] === '') segments.pop();
  for (const s of segments) if (s.trim() === '') throw new CosError('ERROR_CMD_COS_INVALID_PATH', 'the path has an empty segment');
}

function target(appid: string, bucket: string, path: string): CosTarget {
  checkSegments(path);
  // No key holds NUL, on any store (engine/names.ts refuseNul); COS reads its own paths from the store directly.
  if (path.includes('\0')) throw new CosError('ERROR_CMD_COS_INVALID_PATH', 'the path must not contain the NUL character');
  return { appid, bucket, path, folder: path.endsWith('/'), key: path.slice(1) };
}

export function parseApiPath(rawPath: string): CosTarget {
  const m = /^\/files\/v2\/([^/]*)(?:\/([^/]*))?(\/.*)?$/.exec(rawPath);
  if (!m) throw new CosError('ERROR_CGI_URL_NOTMATCH', 'expected /files/v2/<appid>/<bucket>/<path>');
  const appid = decodePath(m[1]!);
  if (!/^\d{1,20}$/.test(appid)) throw new CosError('ERROR_PROXY_INVALID_APPID', 'the appid must be numeric');
  const bucket = decodePath(m[2] ?? '');
  if (!bucket) throw new CosError('ERROR_CGI_URL_NOTMATCH', 'the URL names no bucket');
  return target(appid, bucket, decodePath(m[3] || '/'));
}

/** `<bucket>-<appid>` as in download hosts and paths. */
function splitBucketAppid(s: string): { bucket: string; appid: string } | undefined {
  const m = /^(.+)-(\d{1,20})$/.exec(s);
  return m ? { bucket: m[1]!, appid: m[2]! } : undefined;
}

/** The file a download request names, or undefined when it is not a download address. */
export function parseDownload(ctx: HttpContext, d: { domain: string; path: string }): CosTarget | undefined {
  if (ctx.rawPath.startsWith(d.path + '/')) {
    const rest = ctx.rawPath.slice(d.path.length + 1);
    const slash = rest.indexOf('/');
    const ba = splitBucketAppid(decodePath(slash < 0 ? rest : rest.slice(0, slash)));
    if (!ba) return undefined;
    return target(ba.appid, ba.bucket, decodePath(slash < 0 ? '/' : rest.slice(slash)));
  }
  const host = (ctx.header('host') ?? '').replace(/:\d+$/, '').toLowerCase();
  if (!host.endsWith('.' + d.domain)) return undefined;
  const ba = splitBucketAppid(host.slice(0, -(d.domain.length + 1)));
  if (!ba) return undefined;
  return target(ba.appid, ba.bucket, decodePath(ctx.rawPath || '/'));
}

/** The fileid a signature binds, decoded: `/<appid>/<bucket><path>`. */
export function fileidOf(t: CosTarget): string {
  return `/${t.appid}/${t.bucket}${t.path}`;
}

/** The addresses of a file, as COS returns them (spec §4.6): all usable against this server. */
export function fileUrls(ctx: HttpContext, d: { domain: string; path: string }, t: { appid: string; bucket: string; path: string }) {
  const host = ctx.header('host') ?? '127.0.0.1';
  const port = /:(\d+)$/.exec(host)?.[1];
  const enc = cosEncodePath(t.path);
  return {
    access_url: `http://${t.bucket}-${t.appid}.${d.domain}${port ? ':' + port : ''}${enc}`,
    resource_path: `/${t.appid}/${t.bucket}${t.path}`,
    source_url: `http://${host}${d.path}/${t.bucket}-${t.appid}${enc}`,
    url: `http://${host}/files/v2/${t.appid}/${t.bucket}${enc}`,
  };
}
