/**
 * The IAM query API as `stratus admin` calls it: a form-encoded POST signed
 * with SigV4 for service `iam` (src/auth, the signer the server verifies
 * with), its XML answer read back; IAM's errors become CLI errors with exit
 * codes (3 for NoSuchEntity, 1 otherwise).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { signRequestV4 } from '../../auth/sigv4.js';
import { parseXml, type XmlNode } from '../../sdk/xml.js';
import { CliError, EXIT_FAILURE, EXIT_NOT_FOUND, usage } from '../client/errors.js';
import { resolveProfile } from '../client/profiles.js';

export interface AdminTarget {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  region: string;
}

/** The endpoint and keys: the named profile (any dialect), else the s3 one, else the environment. */
export function adminTarget(flags: { profile?: string; endpoint?: string }, env: NodeJS.ProcessEnv = process.env): AdminTarget {
  const named = flags.profile ?? env.STRATUS_PROFILE;
  const { name, profile, configFile } = resolveProfile(named ? undefined : 's3', flags, env);
  if (!profile.accessKey || !profile.secretKey) {
    throw usage(`no keys for profile "${name}": add accessKey and secretKey to it in ${configFile}, or set STRATUS_ACCESS_KEY and STRATUS_SECRET_KEY`);
  }
  return {
    endpoint: profile.endpoint!,
    accessKeyId: profile.accessKey,
    secretAccessKey: profile.secretKey,
    ...(profile.sessionToken ? { sessionToken: profile.sessionToken } : {}),
    region: profile.region ?? 'us-east-1',
  };
}

/** A list of `member` elements as an array (IAM renders one as an object, none as an empty string). */
export function membersOf(v: unknown): XmlNode[] {
  if (typeof v !== 'object' || v === null) return [];
  const m = (v as { member?: unknown }).member;
  return m === undefined ? [] : ((Array.isArray(m) ? m : [m]) as XmlNode[]);
}

function post(url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method: 'POST', headers, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Calls one action; resolves with its `<ActionResult>` (an empty object for actions that return none). */
export async function callIam(t: AdminTarget, action: string, params: Record<string, string | undefined>, service: 'iam' | 'sts' = 'iam'): Promise<XmlNode> {
  const form = new URLSearchParams({ Action: action, Version: service === 'iam' ? '2010-05-08' : '2011-06-15' });
  for (const [k, v] of Object.entries(params)) if (v !== undefined) form.set(k, v);
  const body = form.toString();
  const url = new URL('/', t.endpoint);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  signRequestV4({
    method: 'POST',
    url,
    headers,
    payloadHash: createHash('sha256').update(body).digest('hex'),
    credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey, ...(t.sessionToken ? { sessionToken: t.sessionToken } : {}) },
    region: t.region,
    service,
  });
  let res;
  try {
    res = await post(url, headers, body);
  } catch (e) {
    throw new CliError(`cannot reach ${t.endpoint}: ${(e as Error).message}. Is the server running? Check the endpoint`, EXIT_FAILURE, 'NetworkError');
  }
  const doc = parseXml(res.text);
  if (res.status >= 300) {
    const err = (doc?.Error ?? {}) as { Code?: string; Message?: string };
    const code = err.Code ?? `HTTP${res.status}`;
    throw new CliError(`${action} failed: ${code}: ${err.Message ?? res.text.slice(0, 200)}`, code === 'NoSuchEntity' ? EXIT_NOT_FOUND : EXIT_FAILURE, code);
  }
  if (!doc) throw new CliError(`${action}: the server's answer is not IAM's XML (is ${t.endpoint} a Stratus server?)`, EXIT_FAILURE, 'BadResponse');
  return ((doc[`${action}Result`] ?? {}) as XmlNode) || {};
}
