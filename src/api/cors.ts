import type { CorsConfig, CorsRule } from '../cors/rules.js';
import { validateCors } from '../cors/rules.js';
import { forgetCors } from '../cors/cache.js';
import { StorageError } from '../engine/errors.js';
import type { Reply } from '../http/reply.js';
import { readVerifiedBody } from './body.js';
import type { OpContext } from './op-context.js';
import { asArray, parseXmlBody } from './xml.js';

const MAX_BODY = 64 * 1024;
/** OSS documents at most 10 CORS rules per bucket; S3 and OBS 100. */
const OSS_MAX_RULES = 10;

const text = (v: unknown): string => {
  if (typeof v !== 'string') throw new StorageError('MalformedXML');
  return v;
};
const texts = (v: unknown): string[] => asArray(v as unknown[] | undefined).map(text);

/** `<CORSConfiguration><CORSRule>...</CORSRule>...[<ResponseVary>]</CORSConfiguration>` (S3, OBS; OSS adds ResponseVary). */
function readCors(body: Buffer, oss: boolean): CorsConfig {
  const doc = parseXmlBody(body, 'CORSConfiguration');
  const known = new Set(oss ? ['CORSRule', 'ResponseVary'] : ['CORSRule']);
  if (Object.keys(doc).some((k) => !known.has(k) && k !== '#text')) throw new StorageError('MalformedXML');
  const rules = asArray(doc.CORSRule as unknown[] | undefined).map((r): CorsRule => {
    if (typeof r !== 'object' || r === null) throw new StorageError('MalformedXML');
    const { ID, AllowedOrigin, AllowedMethod, AllowedHeader, ExposeHeader, MaxAgeSeconds, ...rest } = r as Record<string, unknown>;
    if (Object.keys(rest).some((k) => k !== '#text')) throw new StorageError('MalformedXML');
    const rule: CorsRule = { allowedOrigins: texts(AllowedOrigin), allowedMethods: texts(AllowedMethod), allowedHeaders: texts(AllowedHeader), exposeHeaders: texts(ExposeHeader) };
    if (ID !== undefined) rule.id = text(ID);
    if (MaxAgeSeconds !== undefined) {
      const s = text(MaxAgeSeconds).trim();
      if (!/^\d{1,10}$/.test(s)) throw new StorageError('MalformedXML');
      rule.maxAgeSeconds = Number(s);
    }
    return rule;
  });
  const config: CorsConfig = { rules };
  if (oss && doc.ResponseVary !== undefined) {
    const v = text(doc.ResponseVary);
    if (v !== 'true' && v !== 'false') throw new StorageError('MalformedXML');
    config.responseVary = v === 'true';
  }
  return config;
}

function corsDoc(c: CorsConfig, oss: boolean) {
  const rules = c.rules.map((r) => ({
    ...(r.id !== undefined ? { ID: r.id } : {}),
    AllowedOrigin: r.allowedOrigins,
    AllowedMethod: r.allowedMethods,
    ...(r.allowedHeaders.length ? { AllowedHeader: r.allowedHeaders } : {}),
    ...(r.exposeHeaders.length ? { ExposeHeader: r.exposeHeaders } : {}),
    ...(r.maxAgeSeconds !== undefined ? { MaxAgeSeconds: r.maxAgeSeconds } : {}),
  }));
  return { root: 'CORSConfiguration', value: { CORSRule: rules, ...(oss ? { ResponseVary: c.responseVary ? 'true' : 'false' } : {}) } };
}

/** S3 PutBucketCors, OSS PutBucketCors, OBS setBucketCors: the whole configuration replaced. */
export async function putBucketCors(op: OpContext): Promise<Reply> {
  const { engine } = op.services;
  await engine.getBucket(op.bucket!);
  const oss = op.vocab.dialect === 'oss';
  // S3 and OBS require an integrity header on this request (Content-MD5 or, on S3, a flexible checksum).
  const config = readCors(await readVerifiedBody(op, MAX_BODY, { requireIntegrity: !oss }), oss);
  if (oss) validateCors(config, OSS_MAX_RULES);
  await engine.setBucketSetting(op.bucket!, 'cors', config);
  forgetCors(engine, op.bucket!);
  return { status: 200 };
}

export async function getBucketCors(op: OpContext): Promise<Reply> {
  const config = await op.services.engine.bucketSetting(op.bucket!, 'cors');
  if (!config) throw new StorageError('NoSuchCORSConfiguration', undefined, { BucketName: op.bucket! });
  return { status: 200, body: corsDoc(config, op.vocab.dialect === 'oss') };
}

export async function deleteBucketCors(op: OpContext): Promise<Reply> {
  const { engine } = op.services;
  await engine.setBucketSetting(op.bucket!, 'cors', null);
  forgetCors(engine, op.bucket!);
  return { status: 204 };
}
