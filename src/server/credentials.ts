import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface RootKeys {
  accessKey: string;
  secretKey: string;
  generated: boolean;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomString(n: number, alphabet: string): string {
  const bytes = randomBytes(n);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/**
 * The root key pair: as configured, else the one kept in the data directory,
 * else a new one written there (mode 0600) on first start.
 */
export async function rootKeys(dataDir: string, accessKey?: string, secretKey?: string): Promise<RootKeys> {
  if (accessKey && secretKey) return { accessKey, secretKey, generated: false };
  const file = path.join(dataDir, 'credentials.json');
  try {
    const doc = JSON.parse(await fs.readFile(file, 'utf8')) as { accessKey: string; secretKey: string };
    return { accessKey: doc.accessKey, secretKey: doc.secretKey, generated: false };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const keys = { accessKey: 'STRATUS' + randomString(13, ALNUM), secretKey: randomBytes(30).toString('base64').replace(/[+/=]/g, 'x').slice(0, 40) };
  await fs.writeFile(file, JSON.stringify(keys, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  return { ...keys, generated: true };
}
