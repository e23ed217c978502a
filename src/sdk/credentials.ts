/**
 * Where request credentials come from: a static pair, the environment, or a
 * provider function (rotating STS tokens). Every request asks the source,
 * which caches a provider's answer until shortly before it expires.
 */
import { clientError, type DialectName } from './errors.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** STS token: sent as x-amz-security-token / x-oss-security-token / x-obs-security-token. */
  sessionToken?: string;
  /** When a provider's credentials stop being valid; the source asks again a minute before. */
  expiration?: Date;
}

export type CredentialProvider = () => Credentials | Promise<Credentials>;

/** A static pair, 'env' (read the environment on each refresh), or a provider. */
export type CredentialsInput = Credentials | CredentialProvider | 'env';

export type CredentialSource = () => Promise<Credentials>;

/** Environment variable names tried in order, per dialect, after the STRATUS_* ones. */
const ENV_NAMES: Record<DialectName, { id: string[]; secret: string[]; token: string[] }> = {
  s3: { id: ['AWS_ACCESS_KEY_ID'], secret: ['AWS_SECRET_ACCESS_KEY'], token: ['AWS_SESSION_TOKEN'] },
  oss: {
    id: ['OSS_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_ID'],
    secret: ['OSS_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
    token: ['OSS_SESSION_TOKEN', 'ALIBABA_CLOUD_SECURITY_TOKEN'],
  },
  obs: { id: ['OBS_ACCESS_KEY_ID'], secret: ['OBS_SECRET_ACCESS_KEY'], token: ['OBS_SECURITY_TOKEN'] },
  'obs-v2': { id: ['OBS_ACCESS_KEY_ID'], secret: ['OBS_SECRET_ACCESS_KEY'], token: ['OBS_SECURITY_TOKEN'] },
  cos: { id: ['COS_SECRET_ID'], secret: ['COS_SECRET_KEY'], token: [] },
};

function firstSet(env: NodeJS.ProcessEnv, names: string[]): string | undefined {
  for (const n of names) {
    const v = env[n];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

/**
 * Credentials from the environment: STRATUS_ACCESS_KEY / STRATUS_SECRET_KEY /
 * STRATUS_SESSION_TOKEN, else the dialect's usual names (AWS_ACCESS_KEY_ID,
 * OSS_ACCESS_KEY_ID, OBS_ACCESS_KEY_ID, COS_SECRET_ID...).
 */
export function credentialsFromEnv(dialect: DialectName, env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  const names = ENV_NAMES[dialect];
  const accessKeyId = firstSet(env, ['STRATUS_ACCESS_KEY', ...names.id]);
  const secretAccessKey = firstSet(env, ['STRATUS_SECRET_KEY', ...names.secret]);
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = firstSet(env, ['STRATUS_SESSION_TOKEN', ...names.token]);
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

const REFRESH_MARGIN_MS = 60_000;

/** Turns the client's credentials option into a source the signer calls per request. */
export function credentialSource(dialect: DialectName, input: CredentialsInput | undefined): CredentialSource {
  if (input === undefined || input === 'env') {
    return async () => {
      const c = credentialsFromEnv(dialect);
      if (!c) {
        throw clientError(
          dialect,
          'CredentialsError',
          `no credentials: set STRATUS_ACCESS_KEY and STRATUS_SECRET_KEY (or ${ENV_NAMES[dialect].id[0]} / ${ENV_NAMES[dialect].secret[0]}), or pass credentials to the client`,
        );
      }
      return c;
    };
  }
  if (typeof input === 'function') {
    let cached: Credentials | undefined;
    let pending: Promise<Credentials> | undefined;
    return async () => {
      if (cached && (!cached.expiration || cached.expiration.getTime() - Date.now() > REFRESH_MARGIN_MS)) return cached;
      pending ??= (async () => {
        try {
          const c = await input();
          if (!c?.accessKeyId || !c?.secretAccessKey) throw clientError(dialect, 'CredentialsError', 'the credential provider returned no access key id or secret');
          cached = c;
          return c;
        } finally {
          pending = undefined;
        }
      })();
      return pending;
    };
  }
  const fixed = input;
  if (!fixed.accessKeyId || !fixed.secretAccessKey) {
    return async () => {
      throw clientError(dialect, 'CredentialsError', 'credentials need both an access key id and a secret');
    };
  }
  return async () => fixed;
}
