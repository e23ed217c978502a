import { authenticateCos, type CosAuthenticated } from '../../auth/cos-v4.js';
import { principalOfKey } from '../../auth/s3-verify.js';
import type { Services } from '../../http/services.js';
import type { CosTarget } from './paths.js';

/**
 * Verifies a COS signature for the target's appid and bucket: the SecretID is
 * an access key, its secret the HMAC key, and its account must be the one the
 * appid names; an IAM user's key acts as that user. Temporary (session)
 * credentials have no place in a v4 signature and are not accepted.
 */
export function authenticate(services: Services, t: CosTarget, sign: string | undefined): Promise<CosAuthenticated> {
  const { engine } = services;
  return authenticateCos(
    sign,
    { appid: t.appid, bucket: t.bucket, appidExists: async () => !!(await engine.getAccountByAppid(t.appid)) },
    async (secretId) => {
      const cred = await services.lookupCredential(secretId);
      if (!cred || cred.sessionToken) return undefined;
      const account = await engine.getAccount(cred.owner);
      return { secretKey: cred.secretAccessKey, appid: account?.appid ?? undefined, accountId: cred.owner, principal: principalOfKey(cred) };
    },
  );
}
