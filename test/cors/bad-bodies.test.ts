import { CreateBucketCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { signedRequest, xmlField } from '../helpers/raw.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';

const md5 = (s: string) => createHash('md5').update(s).digest('base64');
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const CORS = '<CORSConfiguration><CORSRule><ID>a</ID><AllowedOrigin>http://*.a</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>10</MaxAgeSeconds></CORSRule></CORSConfiguration>';
const WEBSITE =
  '<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix></IndexDocument><ErrorDocument><Key>e.html</Key></ErrorDocument><RoutingRules><RoutingRule><Condition><KeyPrefixEquals>a/</KeyPrefixEquals><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><Protocol>https</Protocol><HostName>h</HostName><ReplaceKeyWith>x</ReplaceKeyWith><HttpRedirectCode>302</HttpRedirectCode></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>';

/** Deterministic mutations of a valid document: cuts, dropped and doubled characters, elements emptied or swapped for text. */
function* mutations(doc: string, n: number): Generator<string> {
  let x = 12345;
  const rnd = (m: number) => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) % m;
  for (let i = 0; i < n; i++) {
    const p = rnd(doc.length);
    switch (i % 5) {
      case 0: yield doc.slice(0, p); break;
      case 1: yield doc.slice(0, p) + doc.slice(p + 1 + rnd(8)); break;
      case 2: yield doc.slice(0, p) + doc.slice(p - rnd(6), p) + doc.slice(p); break;
      case 3: yield doc.replace(/>[^<]+</g, (m) => (rnd(3) === 0 ? '><' : m)); break;
      default: yield doc.replace(/<(\w+)>[^<]*<\/\1>/, (_m, t: string) => `<${t}><Bogus>1</Bogus></${t}>`);
    }
  }
}

describe('CORS and website bodies, mangled: always a 4xx or a success, never a 500', () => {
  let srv: TestServer;
  const bucket = bucketName('badbody');
  before(async () => {
    srv = await startTestServer();
    await srv.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => srv.stop());

  for (const [sub, doc] of [['cors', CORS], ['website', WEBSITE]] as const) {
    it(`?${sub}: 300 mutations`, async () => {
      for (const body of mutations(doc, 300)) {
        const r = await signedRequest(srv.url, `/${bucket}?${sub}`, { method: 'PUT', body, payloadHash: sha(body), headers: { 'content-md5': md5(body) } });
        assert.ok(r.status === 200 || (r.status >= 400 && r.status < 500 && xmlField(r.body, 'Code')), `${r.status} for ${body}`);
        const back = await signedRequest(srv.url, `/${bucket}?${sub}`);
        assert.ok(back.status === 200 || back.status === 404, `GET ?${sub} after ${body}: ${back.status}`);
      }
    });
  }
});
