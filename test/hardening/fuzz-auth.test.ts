/**
 * Fuzz: the signature of every scheme. Header authentication (SigV4, V2,
 * OSS V1 and V4, OBS, COS v4): the Authorization value and the headers it
 * relies on (dates, payload hash) are mutated after signing. Presigned URLs
 * (SigV4, V2, OSS V1 and V4, OBS): their query parameters are mutated. A
 * mutated signature may move a request to another XML dialect (the front door
 * chooses by signature), so any of S3 / OSS / OBS may answer, each in its own
 * format; a COS path is answered by COS. Never a 5xx or a hang.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { presignObsUrl } from '../../src/auth/obs.js';
import { presignUrlOssV1 } from '../../src/auth/oss-v1.js';
import { presignUrlOssV4 } from '../../src/auth/oss-v4.js';
import { presignUrlV2 } from '../../src/auth/sigv2.js';
import { presignUrlV4 } from '../../src/auth/sigv4.js';
import { assertOk, CRED, signMore, startCosServer, type CosTestServer } from '../cos/helpers.js';
import { assertAlive, fuzzRun, mutateText, ROUNDS, rngFor, sendRaw, show, type Dialect, type WireRequest } from './fuzz.js';
import { CREDENTIALS, signed, type Scheme } from './fuzz-sign.js';

type Input = { req: WireRequest; how: string; dialects: readonly Dialect[] };
const XML_DIALECTS: readonly Dialect[] = ['s3', 'oss', 'obs'];

describe('fuzz: signatures of every scheme (headers and presigned URLs)', { timeout: 180_000 }, () => {
  let t: CosTestServer;
  let bucket: string;
  before(async () => {
    t = await startCosServer();
    bucket = t.bucket;
    const put = await sendRaw(t.port, signed(t.port, 'v4', { method: 'PUT', bucket, key: 'obj', body: Buffer.from('object body') }));
    assert.equal(put?.status, 200);
    assertOk(await t.cos.uploadFile({ bucket, cosPath: '/cosfile.txt', data: Buffer.from('cos body') }));
  });
  after(() => t.stop());

  it('Authorization and the headers it signs (SigV4, V2, OSS V1/V4, OBS, COS)', async () => {
    const rng = rngFor('auth-headers');
    const schemes: Scheme[] = ['v4', 'v2', 'oss1', 'oss4', 'obs'];
    // The baseline: each scheme's unmutated request is accepted.
    for (const s of schemes) {
      const req = signed(t.port, s, { method: 'GET', bucket, key: 'obj' });
      const a = await sendRaw(t.port, req);
      assert.equal(a?.status, 200, `${s} baseline: ${a?.body}\n${show(req)}`);
    }
    const cosReq = (): WireRequest => ({
      method: 'GET',
      target: `${t.apiPath('/cosfile.txt')}?op=stat`,
      headers: { host: `127.0.0.1:${t.port}`, authorization: signMore(CRED, bucket, '/cosfile.txt', 600) },
    });
    const base = await sendRaw(t.port, cosReq());
    assert.equal(base?.status, 200, `cos baseline: ${base?.body}`);

    function* inputs(): Generator<Input> {
      for (let i = 0; i < ROUNDS * 3; i++) {
        if (rng.chance(1 / 6)) {
          const req = cosReq();
          const m = mutateText(rng, req.headers.authorization!);
          req.headers.authorization = m.text;
          yield { req, how: `cos authorization ${m.how}`, dialects: ['cos'] };
          continue;
        }
        const scheme = rng.pick(schemes);
        const req = signed(t.port, scheme, { method: rng.pick(['GET', 'HEAD', 'PUT']), bucket, key: 'obj', body: Buffer.alloc(0) });
        // Mostly the Authorization value; otherwise a header the signature relies on.
        const names = Object.keys(req.headers).filter((h) => h !== 'host' && h !== 'authorization');
        const name = rng.chance(0.7) || !names.length ? 'authorization' : rng.pick(names);
        const m = mutateText(rng, req.headers[name]!);
        req.headers[name] = m.text;
        yield { req, how: `${scheme} ${name} ${m.how}`, dialects: XML_DIALECTS };
      }
    }
    await fuzzRun('auth headers', t.port, inputs());
    await assertAlive(t.port);
  });

  it('presigned URLs: mutated query parameters (SigV4, V2, OSS V1/V4, OBS)', async () => {
    const rng = rngFor('auth-presigned');
    const url = () => new URL(`http://127.0.0.1:${t.port}/${bucket}/obj`);
    const presigners: Record<string, () => string> = {
      v4: () => presignUrlV4({ method: 'GET', url: url(), credentials: CREDENTIALS, region: 'us-east-1', expiresSeconds: 600 }),
      v2: () => presignUrlV2({ method: 'GET', url: url(), credentials: CREDENTIALS, expiresSeconds: 600 }),
      oss1: () => presignUrlOssV1({ method: 'GET', url: url(), bucket, key: 'obj', credentials: CREDENTIALS, expiresSeconds: 600 }),
      oss4: () => presignUrlOssV4({ method: 'GET', url: url(), bucket, key: 'obj', credentials: CREDENTIALS, region: 'us-east-1', expiresSeconds: 600 }),
      obs: () => presignObsUrl({ method: 'GET', url: url(), credentials: CREDENTIALS, expiresSeconds: 600 }),
    };
    const request = (u: string): WireRequest => {
      const p = new URL(u);
      return { method: 'GET', target: p.pathname + p.search, headers: { host: p.host } };
    };
    for (const [name, presign] of Object.entries(presigners)) {
      const req = request(presign());
      const a = await sendRaw(t.port, req);
      assert.equal(a?.status, 200, `${name} presigned baseline: ${a?.body}\n${show(req)}`);
    }
    function* inputs(): Generator<Input> {
      for (let i = 0; i < ROUNDS * 3; i++) {
        const name = rng.pick(Object.keys(presigners));
        const req = request(presigners[name]!());
        const [path, query] = req.target.split('?') as [string, string];
        const params = query.split('&');
        let how: string;
        if (rng.chance(0.6)) {
          // One parameter's value (decoded, mutated, encoded again as a client would).
          const i2 = rng.int(params.length);
          const [k, v = ''] = params[i2]!.split('=');
          const m = mutateText(rng, decodeURIComponent(v));
          params[i2] = `${k}=${encodeURIComponent(m.text)}`;
          how = `${name} ${k} ${m.how}`;
        } else {
          const m = mutateText(rng, query);
          params.splice(0, params.length, m.text);
          how = `${name} query ${m.how}`;
        }
        // Sent as the URL parser would put it on the wire.
        const search = new URL(`http://x/?${params.join('&')}`).search;
        yield { req: { ...req, target: path + search }, how, dialects: XML_DIALECTS };
      }
    }
    await fuzzRun('presigned', t.port, inputs());
    await assertAlive(t.port);
  });
});
