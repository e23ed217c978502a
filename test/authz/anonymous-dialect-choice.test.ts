/**
 * Which dialect answers a request that names none: the front door's rules
 * (http/front-door.ts) and the per-dialect domain settings, on their own.
 * The end-to-end behaviour is in anonymous-door.test.ts.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import pino from 'pino';
import { HttpContext } from '../../src/http/context.js';
import { bucketNamed, chooseDialect, dialectOfHost, markedDialect, type DialectName } from '../../src/http/front-door.js';
import { fromEnv, resolveConfig } from '../../src/server/config.js';

function ctx(method: string, url: string, headers: Record<string, string> = {}): HttpContext {
  const req = { method, url, headers } as unknown as IncomingMessage;
  return new HttpContext(req, {} as ServerResponse, pino({ level: 'silent' }));
}

const DOMAINS = { s3: ['s3.example.net'], oss: ['oss.example.net'], obs: ['obs.example.net'] };
const COS = { domain: 'file.localhost', path: '/cos-download' };

/** chooseDialect over a table of bucket dialects, recording which buckets were looked up. */
async function choose(c: HttpContext, buckets: Record<string, DialectName>): Promise<{ name: DialectName; lookedUp: string[] }> {
  const lookedUp: string[] = [];
  const name = await chooseDialect(
    c,
    { cosDownload: COS, dialectDomains: DOMAINS, bucketOf: (x) => bucketNamed(x, ['localhost', ...DOMAINS.s3, ...DOMAINS.oss, ...DOMAINS.obs]) },
    async (b) => {
      lookedUp.push(b);
      return buckets[b];
    },
  );
  return { name, lookedUp };
}

describe('choosing the dialect of an unsigned request', () => {
  it("a dialect's domains claim their host and its subdomains; OSS endpoint names are always OSS's", () => {
    assert.equal(dialectOfHost('oss.example.net', DOMAINS), 'oss');
    assert.equal(dialectOfHost('bucket.OBS.example.net:9000', DOMAINS), 'obs');
    assert.equal(dialectOfHost('b.s3.example.net', DOMAINS), 's3');
    assert.equal(dialectOfHost('b.oss-cn-hangzhou.aliyuncs.com', {}), 'oss');
    assert.equal(dialectOfHost('oss-cn-hangzhou-internal.aliyuncs.com', {}), 'oss');
    assert.equal(dialectOfHost('evil-oss.example.net', DOMAINS), undefined, 'a suffix that is not a label boundary');
    assert.equal(dialectOfHost('127.0.0.1:9000', DOMAINS), undefined);
    assert.equal(dialectOfHost(undefined, DOMAINS), undefined);
  });

  it('the host first, then the bucket creator, then S3', async () => {
    const buckets: Record<string, DialectName> = { ossmade: 'oss', obsmade: 'obs' };
    assert.deepEqual(await choose(ctx('GET', '/ossmade/k', { host: '127.0.0.1:9000' }), buckets), { name: 'oss', lookedUp: ['ossmade'] });
    assert.deepEqual(await choose(ctx('GET', '/obsmade', { host: 'localhost' }), buckets), { name: 'obs', lookedUp: ['obsmade'] });
    assert.deepEqual(await choose(ctx('GET', '/k', { host: 'ossmade.localhost' }), buckets), { name: 'oss', lookedUp: ['ossmade'] });
    assert.deepEqual(await choose(ctx('GET', '/unknown/k', { host: 'localhost' }), buckets), { name: 's3', lookedUp: ['unknown'] });
    assert.deepEqual(await choose(ctx('GET', '/', { host: 'localhost' }), buckets), { name: 's3', lookedUp: [] }, 'no bucket named');
    assert.deepEqual(await choose(ctx('GET', '/k', { host: 'ossmade.s3.example.net' }), buckets), { name: 's3', lookedUp: [] }, 'the host wins');
    assert.deepEqual(await choose(ctx('GET', '/obsmade/k', { host: 'oss.example.net' }), buckets), { name: 'oss', lookedUp: [] });
    // A malformed path: no bucket to look up, S3 refuses it.
    assert.deepEqual(await choose(ctx('GET', '/%E0%A4%A/k', { host: 'localhost' }), buckets), { name: 's3', lookedUp: [] });
  });

  it('a request that names its dialect never waits on a lookup, whatever its host or bucket', async () => {
    const buckets: Record<string, DialectName> = { ossmade: 'oss' };
    const cases: [HttpContext, DialectName][] = [
      [ctx('GET', '/ossmade/k', { authorization: 'AWS4-HMAC-SHA256 Credential=x' }), 's3'],
      [ctx('GET', '/ossmade/k', { authorization: 'garbage' }), 's3'],
      [ctx('GET', '/ossmade/k', { authorization: '' }), 's3'],
      [ctx('GET', '/ossmade/k?X-Amz-Signature=00'), 's3'],
      [ctx('GET', '/ossmade/k', { 'x-obs-acl': 'private', host: 'oss.example.net' }), 'obs'],
      [ctx('HEAD', '/ossmade?apiversion'), 'obs'],
      [ctx('GET', '/cos-download/ossmade-1250000000/k'), 'cos'],
    ];
    for (const [c, want] of cases) {
      assert.equal(markedDialect(c, COS), want, c.rawPath);
      assert.deepEqual(await choose(c, buckets), { name: want, lookedUp: [] }, `${c.rawPath} ${c.header('authorization') ?? ''}`);
    }
  });

  it('per-dialect domains are configured by file, environment and flags', () => {
    const c = resolveConfig({ ossDomains: ['OSS.Example.net'], obsDomains: 'a.example, b.example' }, fromEnv({ STRATUS_S3_DOMAINS: 's3.example.net' }));
    assert.deepEqual([c.ossDomains, c.obsDomains, c.s3Domains], [['oss.example.net'], ['a.example', 'b.example'], ['s3.example.net']]);
    const d = resolveConfig();
    assert.deepEqual([d.ossDomains, d.obsDomains, d.s3Domains], [[], [], []], 'none by default');
  });
});
