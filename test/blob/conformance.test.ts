/** The blob-store conformance suite (suite.ts) against the filesystem store and the S3 store. */
import { CreateBucketCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FsBlobStore } from '../../src/blob/fs-store.js';
import { S3BlobStore } from '../../src/blob/s3/s3-store.js';
import { ACCESS_KEY, bucketName, SECRET_KEY, startTestServer, storedFiles } from '../helpers/server.js';
import { blobStoreSuite } from './suite.js';

blobStoreSuite('filesystem', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-blob-'));
  return {
    async open() {
      const s = new FsBlobStore(path.join(dir, 'objects'), false);
      await s.init();
      return s;
    },
    stored: () => storedFiles(dir),
    cleanup: () => fs.rm(dir, { recursive: true, force: true }),
  };
});

// The other system is a second Stratus on its own port.
blobStoreSuite('S3 (another Stratus as the backend)', async () => {
  const backend = await startTestServer();
  const bucket = bucketName('blobs');
  await backend.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const prefix = 'stratus/';
  return {
    async open() {
      const s = new S3BlobStore({ endpoint: backend.url, bucket, prefix, accessKey: ACCESS_KEY, secretKey: SECRET_KEY, region: 'us-east-1', timeoutMs: 10_000 });
      await s.init();
      return s;
    },
    async stored() {
      const objects = await backend.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}blobs/` }));
      const uploads = await backend.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
      return [...(objects.Contents ?? []).map((o) => o.Key!), ...(uploads.Uploads ?? []).map((u) => `upload:${u.Key}`)].sort();
    },
    cleanup: () => backend.stop(),
  };
});
