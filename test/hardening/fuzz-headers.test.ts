/**
 * Fuzz: the request headers operations parse (S3, OSS, OBS): PUT with
 * content headers, metadata, tagging, ACL, storage class and checksums;
 * conditional GETs; CopyObject and UploadPartCopy with their source, range,
 * directives and source conditions. One header's value (or name) is mutated
 * and the request signed as sent, so the mutation reaches the operation.
 * Besides the rule (a 4xx in the dialect's format, or success), an object a
 * mutated PUT or copy stored must stay readable: HEAD and GET never answer 5xx.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { assertAlive, fuzzRun, mutateText, ROUNDS, rngFor, sendRaw, show, type Dialect, type WireAnswer, type WireRequest } from './fuzz.js';
import { crc32b64, md5b64, signed, type Scheme } from './fuzz-sign.js';

type Input = { req: WireRequest; how: string; dialects: readonly Dialect[] };

describe('fuzz: operation headers (S3, OSS, OBS)', { timeout: 180_000 }, () => {
  let t: TestServer;
  const bucket = bucketName('fzhd');
  let uploadId: string;
  let etag: string;
  before(async () => {
    t = await startTestServer({ bodyIdleMs: 2000 });
    const ok = async (u: Parameters<typeof signed>[2]) => {
      const a = await sendRaw(t.port, signed(t.port, 'v4', u));
      assert.ok(a && a.status < 300, `${u.method} ${u.key}: ${a?.status} ${a?.body}`);
      return a;
    };
    await ok({ method: 'PUT', bucket });
    etag = (await ok({ method: 'PUT', bucket, key: 'src', body: Buffer.alloc(10_000, 7) }))!.headers.etag!;
    const init = await ok({ method: 'POST', bucket, key: 'mp', query: 'uploads' });
    uploadId = /<UploadId>([^<]+)</.exec(init!.body.toString())![1]!;
  });
  after(() => t.stop());

  const dialects: { scheme: Scheme; dialect: Dialect; p: string }[] = [
    { scheme: 'v4', dialect: 's3', p: 'x-amz-' },
    { scheme: 'oss1', dialect: 'oss', p: 'x-oss-' },
    { scheme: 'obs', dialect: 'obs', p: 'x-obs-' },
  ];
  const date = 'Wed, 21 Oct 2015 07:28:00 GMT';

  /** The requests, each with the headers that may be mutated. */
  const templates = (p: string, i: number): { method: string; key: string; query?: string; headers: Record<string, string>; body?: Buffer }[] => {
    const body = Buffer.from('header fuzz body');
    const put = {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'max-age=60',
      'content-disposition': 'attachment; filename="a b.txt"',
      'content-encoding': 'identity',
      'content-language': 'en',
      expires: date,
      'content-md5': md5b64(body),
      [`${p}meta-team`]: 'blue',
      [`${p}meta-n`]: '1',
      [`${p}tagging`]: 'a=1&b=two',
      [`${p}storage-class`]: p === 'x-obs-' ? 'STANDARD' : p === 'x-oss-' ? 'Standard' : 'STANDARD',
      [p === 'x-oss-' ? 'x-oss-object-acl' : `${p}acl`]: 'private',
    };
    if (p === 'x-amz-') put['x-amz-checksum-crc32'] = crc32b64(body);
    if (p === 'x-oss-') put['x-oss-forbid-overwrite'] = 'false';
    return [
      { method: 'PUT', key: `put-${i}`, headers: put, body },
      { method: 'GET', key: 'src', headers: { 'if-match': etag, 'if-none-match': '"other"', 'if-modified-since': date, 'if-unmodified-since': 'Fri, 01 Jan 2100 00:00:00 GMT' } },
      {
        method: 'PUT',
        key: `copy-${i}`,
        headers: {
          [`${p}copy-source`]: `/${bucket}/src`,
          [`${p}metadata-directive`]: 'REPLACE',
          [`${p}meta-copied`]: 'yes',
          [`${p}copy-source-if-match`]: etag,
          [`${p}copy-source-if-modified-since`]: date,
          ...(p === 'x-amz-' ? { 'x-amz-tagging-directive': 'COPY' } : {}),
        },
      },
      {
        method: 'PUT',
        key: 'mp',
        query: `partNumber=${1 + (i % 3)}&uploadId=${uploadId}`,
        headers: { [`${p}copy-source`]: `/${bucket}/src?versionId=null`, [`${p}copy-source-range`]: 'bytes=0-4999', [`${p}copy-source-if-none-match`]: '"nope"' },
      },
    ];
  };

  it('one mutated header per request: a 4xx in the dialect format or success, and what is stored stays readable', async () => {
    const rng = rngFor('headers');
    // The baseline: each template as is, through each scheme.
    for (const d of dialects) {
      for (const tpl of templates(d.p, 0)) {
        const req = signed(t.port, d.scheme, { ...tpl, bucket, key: `${tpl.key}-${d.dialect}`.replace(/^(src|mp)-.*/, '$1') });
        const a = await sendRaw(t.port, req);
        assert.ok(a && a.status < 300, `${d.dialect} baseline: ${a?.status} ${a?.body}\n${show(req)}`);
      }
    }
    const byTarget = new Map<string, Scheme>();
    function* inputs(): Generator<Input> {
      for (let i = 1; i <= ROUNDS * 3; i++) {
        const d = rng.pick(dialects);
        const tpl = rng.pick(templates(d.p, i));
        const headers = { ...tpl.headers };
        const names = Object.keys(headers);
        const name = rng.pick(names);
        let how: string;
        if (rng.chance(0.1)) {
          // The name instead of the value.
          const m = mutateText(rng, name);
          const v = headers[name]!;
          delete headers[name];
          headers[m.text] = v;
          how = `${d.dialect} ${tpl.method} header name ${name} ${m.how}`;
        } else {
          const m = mutateText(rng, headers[name]!);
          headers[name] = m.text;
          how = `${d.dialect} ${tpl.method} ${name} ${m.how}`;
        }
        let req: WireRequest;
        try {
          req = signed(t.port, d.scheme, { method: tpl.method, bucket, key: tpl.key, query: tpl.query, headers, body: tpl.body });
        } catch {
          continue; // our signer cannot sign this header: nothing to learn from the server
        }
        byTarget.set(req.target, d.scheme);
        yield { req, how, dialects: [d.dialect] };
      }
    }
    /** An object a mutated request stored is read back: HEAD and GET must not fail with 5xx. */
    const readable = async (req: WireRequest, a: WireAnswer): Promise<string | undefined> => {
      if (req.method !== 'PUT' || a.status >= 300 || req.target.includes('?')) return undefined;
      const key = decodeURIComponent(req.target.slice(bucket.length + 2));
      for (const method of ['HEAD', 'GET']) {
        const r = await sendRaw(t.port, signed(t.port, byTarget.get(req.target) ?? 'v4', { method, bucket, key }));
        if (!r || r.status >= 500) return `the object it stored answers ${method} with ${r?.status}: ${r?.body.toString().slice(0, 300)}`;
      }
      return undefined;
    };
    await fuzzRun('headers', t.port, inputs(), [], readable);
    await assertAlive(t.port);
  });
});
