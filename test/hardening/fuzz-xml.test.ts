/**
 * Fuzz: every XML request body of S3, OSS and OBS (DeleteObjects,
 * CompleteMultipartUpload, object and bucket tagging, ACL, versioning,
 * CreateBucket configuration, CORS and website configuration, OBS quota and
 * storage policy). Each valid body
 * is mutated (bytes, and XML-aware: entities, CDATA, comments, DOCTYPE,
 * attributes, namespaces, duplicated or reordered elements), signed as sent,
 * and must get a 4xx XML Error of its own dialect, or succeed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';
import { assertAlive, fuzzRun, mutate, ROUNDS, rngFor, sendRaw, show, type Dialect, type Rng, type WireRequest } from './fuzz.js';
import { signed, type Scheme, type Unsigned } from './fuzz-sign.js';

/** The document with a DOCTYPE after its declaration and `ref` as its first text. */
function withDoctype(xml: string, doctype: string, ref: string): string {
  const used = xml.replace(/>([^<]+)</, `>${ref}<`);
  return used.replace(/^(<\?xml[^>]*\?>)?/, (d) => d + doctype);
}

/** XML-aware mutations: what a byte flip rarely produces. */
function mutateXml(rng: Rng, xml: string): { data: Buffer; how: string } {
  const m = mutateXmlText(rng, xml);
  return 'data' in m ? m : { data: Buffer.from(m.text, 'utf8'), how: m.how };
}

function mutateXmlText(rng: Rng, xml: string): { text: string; how: string } | { data: Buffer; how: string } {
  const tags = [...xml.matchAll(/<([A-Za-z][\w:.-]*)[^>]*>/g)];
  const at = () => rng.pick(tags).index!;
  const inserts = [
    '&#0;',
    '&#xD800;',
    '&#x110000;',
    '&#99999999999999;',
    '&amp;',
    '&lt;&gt;&quot;&apos;',
    '&bogus;',
    '&',
    '<![CDATA[cdata]]>',
    '<!-- comment -->',
    '<?pi data?>',
    '&#xA;&#x9;&#xD;',
    ']]>',
    '<',
    '</Unopened>',
  ];
  const choice = rng.int(11);
  switch (choice) {
    case 0: {
      const s = rng.pick(inserts);
      const p = rng.int(xml.length + 1);
      return { text: xml.slice(0, p) + s + xml.slice(p), how: `insert ${JSON.stringify(s)}@${p}` };
    }
    case 1: {
      // Text inside an element: replace one element's text with an insert.
      const m = [...xml.matchAll(/>([^<]+)</g)];
      if (!m.length) break;
      const t = rng.pick(m);
      const s = rng.pick(inserts) + (rng.chance(0.5) ? '  padded  ' : '');
      return { text: xml.slice(0, t.index! + 1) + s + xml.slice(t.index! + 1 + t[1]!.length), how: `text ${JSON.stringify(t[1])}->${JSON.stringify(s)}` };
    }
    case 2: {
      const doctype = rng.pick([
        '<!DOCTYPE x [<!ENTITY e "expanded">]>',
        '<!DOCTYPE x SYSTEM "file:///etc/passwd">',
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>',
        '<!DOCTYPE x>',
      ]);
      return { text: withDoctype(xml, doctype, '&e;'), how: `doctype ${doctype}` };
    }
    case 3: {
      // Attributes and namespaces on a random element.
      const p = at();
      const end = xml.indexOf('>', p);
      const attr = rng.pick([' a="1"', ' xmlns="urn:x"', ' xmlns:p="urn:p"', ' a="1" a="2"', " b='<'", ' c', ' xml:space="preserve"']);
      const self = xml[end - 1] === '/' ? end - 1 : end;
      return { text: xml.slice(0, self) + attr + xml.slice(self), how: `attribute ${attr}` };
    }
    case 4: {
      // Duplicate a whole element.
      const m = [...xml.matchAll(/<(\w+)>[^<]*<\/\1>/g)];
      if (!m.length) break;
      const e = rng.pick(m);
      const times = rng.pick([1, 2, 1000]);
      return { text: xml.slice(0, e.index!) + e[0].repeat(times + 1) + xml.slice(e.index! + e[0].length), how: `duplicate <${e[1]}> x${times}` };
    }
    case 5: {
      // An unknown element, or a prefixed one.
      const p = rng.pick(tags).index!;
      const end = xml.indexOf('>', p) + 1;
      const el = rng.pick(['<Unknown>1</Unknown>', '<p:Key xmlns:p="urn:p">k</p:Key>', '<Key/>', '<Key></Key>', '<Object/>', '<Part><PartNumber>1</PartNumber></Part>']);
      return { text: xml.slice(0, end) + el + xml.slice(end), how: `element ${el}` };
    }
    case 6: {
      // Wrong root, or no declaration, or another encoding.
      const v = rng.pick([
        xml.replace(/<\?xml[^>]*\?>/, ''),
        xml.replace(/<\?xml[^>]*\?>/, '<?xml version="1.1" encoding="ISO-8859-1"?>'),
        xml.replace(/<(\w+)/, '<Wrong').replace(/<\/(\w+)>\s*$/, '</Wrong>'),
        '\uFEFF' + xml,
        xml + '<Trailing/>',
        xml + 'text after',
      ]);
      return { text: v, how: 'root/declaration' };
    }
    case 7: {
      // Deeper nesting (under the parser's limit: deeper is a known class below).
      const p = at();
      const d = rng.int(40) + 2;
      return { text: xml.slice(0, p) + '<N>'.repeat(d) + '</N>'.repeat(d) + xml.slice(p), how: `nesting +${d}` };
    }
    case 8: {
      // The inputs of finding 9 (owned by h-xml): prototype names, nesting past 100, a large entity.
      const p = at();
      const v = rng.pick([
        { s: '<__proto__><polluted>1</polluted></__proto__>', how: '__proto__ element' },
        { s: '<constructor>x</constructor>', how: 'constructor element' },
        { s: '<N>'.repeat(150) + '</N>'.repeat(150), how: 'nesting 150' },
      ]);
      if (rng.chance(0.3)) {
        const big = '<!DOCTYPE x [<!ENTITY big "' + 'A'.repeat(12_000) + '">]>';
        return { text: withDoctype(xml, big, '&big;'), how: 'entity of 12 KB' };
      }
      return { text: xml.slice(0, p) + v.s + xml.slice(p), how: v.how };
    }
    default:
      break;
  }
  const m = mutate(rng, Buffer.from(xml, 'utf8'));
  return { data: m.data, how: m.how + ' (bytes)' };
}

interface XmlOp {
  name: string;
  /** Runs before each input (set-up the operation needs). */
  before?: () => Promise<void>;
  /** Builds the valid request around a body (the bucket/key/upload it needs exist). */
  request(body: Buffer): Unsigned;
  body: string;
}

const DECL = '<?xml version="1.0" encoding="UTF-8"?>';

describe('fuzz: XML request bodies (S3, OSS, OBS)', { timeout: 180_000 }, () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ bodyIdleMs: 2000 });
  });
  after(() => t.stop());

  const send = (scheme: Scheme, u: Unsigned) => sendRaw(t.port, signed(t.port, scheme, u));

  /** Sets up a bucket, an object and a multipart upload for one dialect, and returns its XML operations. */
  async function opsFor(scheme: Scheme, dialect: Dialect): Promise<XmlOp[]> {
    const bucket = bucketName(`fx${dialect}`);
    const vbucket = bucketName(`fxv${dialect}`);
    for (const b of [bucket, vbucket]) assert.equal((await send(scheme, { method: 'PUT', bucket: b }))?.status, 200, `create ${b}`);
    assert.equal((await send(scheme, { method: 'PUT', bucket, key: 'obj', body: Buffer.from('x') }))?.status, 200);
    // A fresh multipart upload with one part for every few inputs (a mutation that still completes it uses it up).
    let upload: { id: string; etag: string; uses: number } | undefined;
    const freshUpload = async () => {
      const init = await send(scheme, { method: 'POST', bucket, key: 'mp', query: 'uploads' });
      const id = /<UploadId>([^<]+)<\/UploadId>/.exec(init?.body.toString() ?? '')?.[1];
      assert.ok(id, `initiate: ${init?.body}`);
      const part = await send(scheme, { method: 'PUT', bucket, key: 'mp', query: `partNumber=1&uploadId=${id}`, body: Buffer.from('part one') });
      assert.equal(part?.status, 200);
      upload = { id, etag: part!.headers.etag!, uses: 0 };
    };
    await freshUpload();
    let n = 0;
    const ops: XmlOp[] = [
      {
        name: 'DeleteObjects',
        body: `${DECL}<Delete><Quiet>false</Quiet><Object><Key>gone-1</Key></Object><Object><Key>gone/2</Key><VersionId>null</VersionId></Object></Delete>`,
        request: (body) => ({ method: 'POST', bucket, query: 'delete', body, md5: true }),
      },
      {
        name: 'CompleteMultipartUpload',
        // A mutation that still completes the upload uses it up: every eighth input gets a fresh one.
        before: async () => {
          if (++upload!.uses >= 8) await freshUpload();
        },
        get body() {
          return `${DECL}<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${upload!.etag}</ETag></Part></CompleteMultipartUpload>`;
        },
        request: (body) => ({ method: 'POST', bucket, key: 'mp', query: `uploadId=${upload!.id}`, body }),
      },
      {
        name: 'PutObjectTagging',
        body: `${DECL}<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b c</Key><Value></Value></Tag></TagSet></Tagging>`,
        request: (body) => ({ method: 'PUT', bucket, key: 'obj', query: 'tagging', body }),
      },
      {
        name: 'PutBucketTagging',
        body: `${DECL}<Tagging><TagSet><Tag><Key>team</Key><Value>x</Value></Tag></TagSet></Tagging>`,
        request: (body) => ({ method: 'PUT', bucket, query: 'tagging', body }),
      },
      {
        name: 'PutBucketVersioning',
        body: `${DECL}<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>`,
        request: (body) => ({ method: 'PUT', bucket: vbucket, query: 'versioning', body }),
      },
      {
        name: 'CreateBucket',
        body:
          dialect === 'obs'
            ? `${DECL}<CreateBucketConfiguration><Location>us-east-1</Location></CreateBucketConfiguration>`
            : dialect === 'oss'
              ? `${DECL}<CreateBucketConfiguration><StorageClass>Standard</StorageClass></CreateBucketConfiguration>`
              : `${DECL}<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>`,
        request: (body) => ({ method: 'PUT', bucket: `fz-${dialect}-${process.pid}-${++n}`, body }),
      },
    ];
    ops.push(
      {
        name: 'PutBucketCors',
        body: `${DECL}<CORSConfiguration><CORSRule><ID>r</ID><AllowedOrigin>http://*.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>x-*</AllowedHeader><MaxAgeSeconds>5</MaxAgeSeconds></CORSRule></CORSConfiguration>`,
        request: (body) => ({ method: 'PUT', bucket: vbucket, query: 'cors', body, md5: true }),
      },
      {
        name: 'PutBucketWebsite',
        body: `${DECL}<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument><Key>e.html</Key></ErrorDocument><RoutingRules><RoutingRule>${dialect === 'oss' ? '<RuleNumber>1</RuleNumber>' : ''}<Condition><KeyPrefixEquals>a/</KeyPrefixEquals></Condition><Redirect><ReplaceKeyPrefixWith>b/</ReplaceKeyPrefixWith></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>`,
        request: (body) => ({ method: 'PUT', bucket: vbucket, query: 'website', body }),
      },
    );
    if (dialect !== 'oss') {
      ops.push({
        name: 'PutObjectAcl',
        body:
          dialect === 'obs'
            ? `${DECL}<AccessControlPolicy><Owner><ID>root</ID></Owner><AccessControlList><Grant><Grantee><ID>root</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant><Grant><Grantee><Canned>Everyone</Canned></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`
            : `${DECL}<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>root</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>root</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`,
        request: (body) => ({ method: 'PUT', bucket, key: 'obj', query: 'acl', body }),
      });
    }
    if (dialect === 'obs') {
      ops.push(
        { name: 'SetBucketQuota', body: `${DECL}<Quota><StorageQuota>1048576</StorageQuota></Quota>`, request: (body) => ({ method: 'PUT', bucket: vbucket, query: 'quota', body }) },
        {
          name: 'SetBucketStoragePolicy',
          body: `${DECL}<StoragePolicy><DefaultStorageClass>STANDARD</DefaultStorageClass></StoragePolicy>`,
          request: (body) => ({ method: 'PUT', bucket: vbucket, query: 'storagePolicy', body }),
        },
      );
    }
    // OSS has no tagging or versioning API and sets ACLs by header.
    return dialect === 'oss' ? ops.filter((o) => ['DeleteObjects', 'CompleteMultipartUpload', 'CreateBucket', 'PutBucketCors', 'PutBucketWebsite'].includes(o.name)) : ops;
  }

  const cases: { scheme: Scheme; dialect: Dialect }[] = [
    { scheme: 'v4', dialect: 's3' },
    { scheme: 'oss1', dialect: 'oss' },
    { scheme: 'obs', dialect: 'obs' },
  ];
  for (const { scheme, dialect } of cases) {
    it(`${dialect}: mutated XML bodies get a 4xx ${dialect} XML Error or succeed`, async () => {
      const ops = await opsFor(scheme, dialect);
      // The unmutated bodies are accepted: the fuzz reaches the parsers, not a signature check.
      for (const op of ops) {
        await op.before?.();
        const req = signed(t.port, scheme, op.request(Buffer.from(op.body)));
        const a = await sendRaw(t.port, req);
        assert.ok(a && a.status < 300, `${dialect} ${op.name} baseline: ${a?.status} ${a?.body}\n${show(req)}`);
      }
      const rng = rngFor(`xml-${dialect}`);
      const perOp = Math.ceil((ROUNDS * 2) / ops.length);
      async function* inputs(): AsyncGenerator<{ req: WireRequest; how: string; dialects: readonly Dialect[] }> {
        for (let i = 0; i < perOp; i++) {
          for (const op of ops) {
            await op.before?.();
            const m = rng.chance(0.5) ? mutateXml(rng, op.body) : mutate(rng, Buffer.from(op.body));
            yield { req: signed(t.port, scheme, op.request(m.data)), how: `${op.name}: ${m.how}`, dialects: [dialect] };
          }
        }
      }
      await fuzzRun(`xml ${dialect}`, t.port, inputs());
      await assertAlive(t.port);
    });
  }
});
