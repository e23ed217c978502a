/**
 * Fuzz: COS JSON v4 parameters wherever a client may put them: the multipart
 * form parser (upload, slice init), JSON bodies (create, update with
 * custom_headers, move, slice init with uploadparts, list), url-encoded
 * bodies, and the query string (stat, list). Each input is signed for its
 * path and must get the {code, message} envelope (a negative code with a 4xx)
 * or succeed; never a 5xx or a hang.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { assertAlive, fuzzRun, mutate, ROUNDS, rngFor, sendRaw, show, type Dialect, type Rng, type WireRequest } from './fuzz.js';
import { assertOk, CRED, signMore, signOnce, startCosServer, type CosTestServer } from '../cos/helpers.js';

type Input = { req: WireRequest; how: string; dialects: readonly Dialect[] };
const COS: readonly Dialect[] = ['cos'];

/** Values of odd JSON types and sizes for a JSON-aware mutation. */
const ODD_VALUES: unknown[] = [null, true, -1, 0, 1e309 === Infinity ? 1e308 : 0, 2 ** 64, 1.5, '', ' ', '\u0000', '中文', 'a'.repeat(70_000), [], [1, 2], {}, { a: { b: { c: 1 } } }, '../../etc', '%00', '-1', '99999999999999999999'];

/** A JSON body with one value replaced by an odd one, a key added, or a key dropped. */
function mutateJson(rng: Rng, doc: Record<string, unknown>): { data: Buffer; how: string } {
  const copy: Record<string, unknown> = JSON.parse(JSON.stringify(doc));
  const keys = Object.keys(copy);
  const k = rng.pick(keys);
  switch (rng.int(4)) {
    case 0: {
      const v = rng.pick(ODD_VALUES);
      copy[k] = v;
      return { data: Buffer.from(JSON.stringify(copy)), how: `${k}=${JSON.stringify(v)?.slice(0, 40)}` };
    }
    case 1:
      delete copy[k];
      return { data: Buffer.from(JSON.stringify(copy)), how: `drop ${k}` };
    case 2: {
      const extra = rng.pick(['__proto__', 'constructor', 'op', 'custom_headers', 'sign', 'filecontent', 'to_over_write', 'insertOnly']);
      const text = JSON.stringify(copy).replace(/^\{/, `{${JSON.stringify(extra)}:${JSON.stringify(rng.pick(ODD_VALUES))},`);
      return { data: Buffer.from(text), how: `add ${extra}` };
    }
    default: {
      const m = mutate(rng, Buffer.from(JSON.stringify(copy)));
      return { data: m.data, how: m.how + ' (bytes)' };
    }
  }
}

describe('fuzz: COS parameters (multipart form, JSON, url-encoded, query)', { timeout: 180_000 }, () => {
  let t: CosTestServer;
  let b: string;
  before(async () => {
    t = await startCosServer();
    b = t.bucket;
    assertOk(await t.cos.createFolder({ bucket: b, cosPath: '/fz/' }));
  });
  after(() => t.stop());

  const head = (cosPath: string, sign: string, contentType?: string): Record<string, string> => ({
    host: `127.0.0.1:${t.port}`,
    authorization: sign,
    ...(contentType ? { 'content-type': contentType } : {}),
  });
  const multi = (cosPath: string) => signMore(CRED, b, cosPath, 600);
  /** A fresh file for the operations that may move or delete it. */
  let serial = 0;
  const freshFile = async () => {
    const p = `/fz/f${++serial}.txt`;
    assertOk(await t.cos.uploadFile({ bucket: b, cosPath: p, data: Buffer.from('file body') }), `upload ${p}`);
    return p;
  };

  const boundary = '----cosfuzzAaB03x';
  const form = (fields: [string, string | Buffer, string?][]) =>
    Buffer.concat([
      ...fields.map(([name, value, filename]) =>
        Buffer.concat([
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n\r\n`),
          Buffer.from(value),
          Buffer.from('\r\n'),
        ]),
      ),
      Buffer.from(`--${boundary}--\r\n`),
    ]);

  it('multipart forms (upload, slice init): mutated bodies get the envelope or succeed', async () => {
    const rng = rngFor('cos-form');
    const data = Buffer.from('cos form file body '.repeat(8));
    const sha = createHash('sha1').update(data).digest('hex');
    const forms = [
      (p: string) => form([['op', 'upload'], ['insertOnly', '0'], ['sha', sha], ['biz_attr', 'attr'], ['filecontent', data, 'blob']]),
      (p: string) => form([['filecontent', data, 'blob'], ['op', 'upload'], ['insertOnly', '0']]), // the Python SDK sends op last
      (p: string) => form([['op', 'upload_slice_init'], ['filesize', String(data.length)], ['slice_size', '1048576'], ['sha', sha], ['biz_attr', p]]),
    ];
    const baseline: WireRequest = { method: 'POST', target: t.apiPath('/fz/base.txt'), headers: head('/fz/base.txt', multi('/fz/base.txt'), `multipart/form-data; boundary=${boundary}`), body: forms[0]!('/fz/base.txt') };
    const a = await sendRaw(t.port, baseline);
    assert.equal(a?.status, 200, `baseline: ${a?.body}\n${show(baseline)}`);
    function* inputs(): Generator<Input> {
      for (let i = 0; i < ROUNDS * 2; i++) {
        const p = `/fz/form-${i}.bin`;
        const m = mutate(rng, rng.pick(forms)(p));
        const ct = rng.chance(0.9) ? `multipart/form-data; boundary=${boundary}` : rng.pick(['multipart/form-data', `multipart/form-data; boundary="${boundary}"`, 'multipart/form-data; boundary=', `multipart/mixed; boundary=${boundary}`]);
        yield { req: { method: 'POST', target: t.apiPath(p), headers: head(p, multi(p), ct), body: m.data }, how: `form ${m.how} (${ct})`, dialects: COS };
      }
    }
    await fuzzRun('cos form', t.port, inputs());
    await assertAlive(t.port);
  });

  it('JSON and url-encoded bodies (create, update with custom_headers, move, slice init, list)', async () => {
    const rng = rngFor('cos-json');
    let file = await freshFile();
    type Doc = { path: () => string; once: boolean; doc: () => Record<string, unknown> };
    const docs: Doc[] = [
      { path: () => `/fz/d${serial}-${rng.int(1e6)}/`, once: false, doc: () => ({ op: 'create', biz_attr: 'folder attr' }) },
      {
        path: () => file,
        once: true,
        doc: () => ({ op: 'update', biz_attr: 'new', authority: 'eWRPrivate', custom_headers: { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache', 'x-cos-meta-team': 'blue' } }),
      },
      { path: () => file, once: true, doc: () => ({ op: 'move', dest_fileid: `/fz/moved-${rng.int(1e6)}.txt`, to_over_write: 0 }) },
      { path: () => `/fz/slice-${rng.int(1e6)}.bin`, once: false, doc: () => ({ op: 'upload_slice_init', filesize: 3 * 1048576, slice_size: 1048576, uploadparts: JSON.stringify([{ offset: 0, datalen: 1048576, datasha: 'a'.repeat(40) }]) }) },
      { path: () => '/fz/', once: false, doc: () => ({ op: 'list', num: 5, context: '', pattern: 'eListBoth', order: 0 }) },
      { path: () => file, once: false, doc: () => ({ op: 'stat' }) },
    ];
    const urlencoded = (d: Record<string, unknown>) =>
      Object.entries(d)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : String(v))}`)
        .join('&');
    async function* inputs(): AsyncGenerator<Input> {
      for (let i = 0; i < ROUNDS * 2; i++) {
        // A move that succeeded took the file away: use a fresh one now and then.
        if (i % 25 === 24) file = await freshFile();
        const d = rng.pick(docs);
        const p = d.path();
        const sign = d.once ? signOnce(CRED, b, p) : multi(p);
        const asForm = rng.chance(0.25);
        const m = asForm ? mutate(rng, Buffer.from(urlencoded(d.doc()))) : mutateJson(rng, d.doc());
        const ct = asForm ? 'application/x-www-form-urlencoded' : rng.chance(0.9) ? 'application/json' : rng.pick(['application/json; charset=utf-16', 'text/plain', 'application/json;;']);
        yield { req: { method: 'POST', target: t.apiPath(p), headers: head(p, sign, ct), body: m.data }, how: `${d.doc().op} ${asForm ? 'urlencoded' : 'json'}: ${m.how}`, dialects: COS };
      }
    }
    await fuzzRun('cos json', t.port, inputs());
    await assertAlive(t.port);
  });

  it('query-string parameters (stat, list, slice list)', async () => {
    const rng = rngFor('cos-query');
    const file = await freshFile();
    const queries = [
      { p: file, q: 'op=stat' },
      { p: '/fz/', q: 'op=list&num=3&context=&pattern=eListBoth&order=0' },
      { p: '/fz/', q: 'op=list&num=2&context=Zi%2F&order=1&pattern=eListFileOnly' },
      { p: file, q: 'op=upload_slice_list' },
      { p: '/fz/', q: 'op=stat' },
    ];
    function* inputs(): Generator<Input> {
      for (let i = 0; i < ROUNDS * 2; i++) {
        const base = rng.pick(queries);
        const m = mutate(rng, Buffer.from(base.q));
        // Sent as the URL parser would send it (percent-encoded), so the query parser sees the mutation.
        const search = new URL(`http://x/?${m.data.toString('latin1')}`).search;
        yield { req: { method: 'GET', target: t.apiPath(base.p) + search, headers: head(base.p, multi(base.p)) }, how: `query ${m.how}`, dialects: COS };
      }
    }
    await fuzzRun('cos query', t.port, inputs());
    await assertAlive(t.port);
  });
});
