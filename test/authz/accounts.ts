import { S3Client } from '@aws-sdk/client-s3';
import OSS from 'ali-oss';
import ObsClient from 'esdk-obs-nodejs';
import { obsClient } from '../obs/helpers.js';
import { REGION } from '../oss/helpers.js';
import type { TestServer } from '../helpers/server.js';

/** Another account with its root key pair, created in the server's store (the admin API will do this), and its official clients. */
export interface OtherAccount {
  id: string;
  accessKey: string;
  secretKey: string;
  s3: S3Client;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  oss(bucket?: string): any;
  obs(): Promise<ObsClient>;
}

export async function addAccount(srv: TestServer, id: string): Promise<OtherAccount> {
  const accessKey = `AK${id.replace(/[^A-Za-z0-9]/g, '').toUpperCase()}`.padEnd(20, '0').slice(0, 20);
  const secretKey = `secret-of-${id}-0000000000000000000000000`;
  await srv.meta.putAccount({ id, displayName: `${id}-name`, createdAt: Date.now() });
  await srv.meta.putAccessKey({ accessKeyId: accessKey, secretAccessKey: secretKey, accountId: id, sessionToken: null, expiresAt: null, createdAt: Date.now() });
  const s3 = new S3Client({ endpoint: srv.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: accessKey, secretAccessKey: secretKey } });
  return {
    id,
    accessKey,
    secretKey,
    s3,
    oss: (bucket?: string) => new OSS({ accessKeyId: accessKey, accessKeySecret: secretKey, endpoint: `http://127.0.0.1:${srv.port}`, region: REGION, timeout: 30_000, ...(bucket ? { bucket } : {}) }),
    obs: () => obsClient(srv, 'obs', { access_key_id: accessKey, secret_access_key: secretKey }),
  };
}

/** The error name and HTTP status an aws-sdk call rejects with. */
export async function s3Error(p: Promise<unknown>): Promise<[string, number | undefined]> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; Code?: string; $metadata?: { httpStatusCode?: number } };
    return [err.Code ?? err.name, err.$metadata?.httpStatusCode];
  }
  throw new Error('expected the call to fail');
}
