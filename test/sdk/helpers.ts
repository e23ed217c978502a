import { StratusClient, type DialectName, type StratusClientOptions } from '../../src/sdk/index.js';
import { ACCESS_KEY, SECRET_KEY } from '../helpers/server.js';

/** A StratusClient on a test server (or proxy) URL with the test root keys. */
export function sdkClient(endpoint: string, dialect: DialectName = 's3', o: Partial<StratusClientOptions> = {}): StratusClient {
  return new StratusClient({
    dialect,
    endpoint,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    retryBaseDelayMs: 5,
    ...o,
  });
}

export async function expectError(p: Promise<unknown>, check: { code?: string; status?: number }): Promise<import('../../src/sdk/index.js').StratusError> {
  try {
    await p;
  } catch (e) {
    const err = e as import('../../src/sdk/index.js').StratusError;
    if (err?.name !== 'StratusError') throw e;
    if (check.code !== undefined && err.code !== check.code) throw new Error(`expected code ${check.code}, got ${err.code}: ${err.message}`);
    if (check.status !== undefined && err.status !== check.status) throw new Error(`expected status ${check.status}, got ${err.status}: ${err.message}`);
    return err;
  }
  throw new Error(`expected an error ${JSON.stringify(check)}, got success`);
}
