import pg from 'pg';
import { CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { startTestServer } from './helpers/server.js';
const seen: string[] = [];
const proto = pg.Client.prototype as any;
const orig = proto.query;
proto.query = function (this: unknown, q: unknown, ...rest: unknown[]) {
  seen.push(typeof q === 'string' ? q.slice(0, 100).replace(/\s+/g, ' ') : String((q as any)?.text ?? q).slice(0, 100).replace(/\s+/g, ' '));
  return orig.call(this, q, ...rest);
};
const s = await startTestServer({ meta: 'postgres://127.0.0.1:5432/test', pgSchema: 'cnt_' + process.pid });
await s.s3.send(new CreateBucketCommand({ Bucket: 'cnt' }));
await s.s3.send(new PutObjectCommand({ Bucket: 'cnt', Key: 'warm', Body: Buffer.alloc(4096) }));
for (const [name, cmd] of [['PUT', new PutObjectCommand({ Bucket: 'cnt', Key: 'k', Body: Buffer.alloc(4096) })], ['GET', new GetObjectCommand({ Bucket: 'cnt', Key: 'k' })], ['HEAD', new HeadObjectCommand({ Bucket: 'cnt', Key: 'k' })]] as const) {
  await s.s3.send(cmd as any);
  seen.length = 0;
  const r: any = await s.s3.send(cmd as any);
  if (r.Body) await r.Body.transformToByteArray();
  console.log(name, seen.length, 'statements (warm)'); for (const q of seen) console.log('   ', q);
}
await s.stop();
