import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  DeleteBucketWebsiteCommand,
  GetBucketWebsiteCommand,
  HeadObjectCommand,
  PutBucketPolicyCommand,
  PutBucketCorsCommand,
  PutBucketWebsiteCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { rawRequest, signedRequest, xmlField } from '../helpers/raw.js';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';

type SdkError = Error & { $metadata?: { httpStatusCode?: number } };
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('S3 website configuration and the website endpoint', () => {
  let srv: TestServer;
  const site = bucketName('site');
  const priv = bucketName('priv');
  const moved = bucketName('moved');
  /** The website host form: `<bucket>.s3-website.localhost`, connected to the test server. */
  const viaHost = (bucket: string, path: string, method = 'GET') =>
    rawRequest(`http://${bucket}.s3-website.localhost:${srv.port}${path}`, { method, connectTo: { host: '127.0.0.1', port: srv.port } });
  const put = (Bucket: string, Key: string, Body: string, extra: Record<string, string> = {}) =>
    srv.s3.send(new PutObjectCommand({ Bucket, Key, Body, ContentType: 'text/html', ...extra }));

  before(async () => {
    srv = await startTestServer();
    for (const b of [site, priv, moved]) await srv.s3.send(new CreateBucketCommand({ Bucket: b }));
    await put(site, 'index.html', '<h1>home</h1>');
    await put(site, 'docs/index.html', '<h1>docs</h1>');
    await put(site, 'error.html', '<h1>custom error</h1>');
    await put(site, 'old.html', 'old', { WebsiteRedirectLocation: '/new.html' });
    await put(priv, 'index.html', '<h1>secret</h1>');
  });
  after(() => srv.stop());

  it('stores and returns the configuration (@aws-sdk/client-s3); none: NoSuchWebsiteConfiguration', async () => {
    await assert.rejects(srv.s3.send(new GetBucketWebsiteCommand({ Bucket: site })), (e: SdkError) => e.name === 'NoSuchWebsiteConfiguration' && e.$metadata?.httpStatusCode === 404);
    await srv.s3.send(
      new PutBucketWebsiteCommand({
        Bucket: site,
        WebsiteConfiguration: {
          IndexDocument: { Suffix: 'index.html' },
          ErrorDocument: { Key: 'error.html' },
          RoutingRules: [
            { Condition: { KeyPrefixEquals: 'blog/' }, Redirect: { ReplaceKeyPrefixWith: 'docs/', HttpRedirectCode: '302' } },
            { Condition: { HttpErrorCodeReturnedEquals: '404', KeyPrefixEquals: 'gone/' }, Redirect: { HostName: 'archive.example', Protocol: 'https' } },
          ],
        },
      }),
    );
    const got = await srv.s3.send(new GetBucketWebsiteCommand({ Bucket: site }));
    assert.equal(got.IndexDocument?.Suffix, 'index.html');
    assert.equal(got.ErrorDocument?.Key, 'error.html');
    assert.equal(got.RoutingRules?.length, 2);
    assert.equal(got.RoutingRules![0].Redirect?.ReplaceKeyPrefixWith, 'docs/');
    assert.equal(got.RoutingRules![1].Condition?.HttpErrorCodeReturnedEquals, '404');
    await srv.s3.send(new PutBucketWebsiteCommand({ Bucket: priv, WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' } } }));
    await srv.s3.send(new PutBucketWebsiteCommand({ Bucket: moved, WebsiteConfiguration: { RedirectAllRequestsTo: { HostName: 'www.example.com', Protocol: 'https' } } }));
    // The object's redirect location is kept and shown on the REST endpoint too.
    assert.equal((await srv.s3.send(new HeadObjectCommand({ Bucket: site, Key: 'old.html' }))).WebsiteRedirectLocation, '/new.html');
  });

  it('refuses bad configurations with S3 errors, storing nothing', async () => {
    const putXml = (xml: string) => signedRequest(srv.url, `/${priv}?website`, { method: 'PUT', body: xml, payloadHash: sha(xml) });
    const cases: [string, string][] = [
      ['<WebsiteConfiguration><IndexDocument>', 'MalformedXML'],
      ['<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><RedirectAllRequestsTo><HostName>a.example</HostName></RedirectAllRequestsTo></WebsiteConfiguration>', 'InvalidArgument'],
      ['<WebsiteConfiguration><ErrorDocument><Key>e.html</Key></ErrorDocument></WebsiteConfiguration>', 'InvalidArgument'],
      ['<WebsiteConfiguration><IndexDocument><Suffix>a/b.html</Suffix></IndexDocument></WebsiteConfiguration>', 'InvalidArgument'],
      ['<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix></IndexDocument><RoutingRules><RoutingRule><Redirect><HttpRedirectCode>200</HttpRedirectCode></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>', 'InvalidArgument'],
      ['<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix></IndexDocument><Bogus/></WebsiteConfiguration>', 'MalformedXML'],
    ];
    for (const [xml, code] of cases) {
      const r = await putXml(xml);
      assert.equal(r.status, 400, xml);
      assert.equal(xmlField(r.body.toString(), 'Code'), code, xml);
    }
    const got = await srv.s3.send(new GetBucketWebsiteCommand({ Bucket: priv }));
    assert.equal(got.IndexDocument?.Suffix, 'index.html');
    assert.equal(got.RedirectAllRequestsTo, undefined);
  });

  it('keeps x-amz-website-redirect-location from PutObject and multipart uploads; refuses one that is no path or URL', async () => {
    const up = await srv.s3.send(new CreateMultipartUploadCommand({ Bucket: priv, Key: 'mpu.html', WebsiteRedirectLocation: 'https://elsewhere.example/' }));
    const part = await srv.s3.send(new UploadPartCommand({ Bucket: priv, Key: 'mpu.html', UploadId: up.UploadId, PartNumber: 1, Body: 'x' }));
    await srv.s3.send(new CompleteMultipartUploadCommand({ Bucket: priv, Key: 'mpu.html', UploadId: up.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    assert.equal((await srv.s3.send(new HeadObjectCommand({ Bucket: priv, Key: 'mpu.html' }))).WebsiteRedirectLocation, 'https://elsewhere.example/');
    await assert.rejects(put(priv, 'bad.html', 'x', { WebsiteRedirectLocation: 'elsewhere' }), (e: SdkError) => e.name === 'InvalidArgument' && e.$metadata?.httpStatusCode === 400);
    await assert.rejects(srv.s3.send(new HeadObjectCommand({ Bucket: priv, Key: 'bad.html' })));
  });

  it('the REST endpoint keeps answering XML', async () => {
    const r = await rawRequest(`${srv.url}/${site}/index.html`);
    assert.equal(r.status, 403);
    assert.match(String(r.headers['content-type']), /xml/);
  });

  it('a private bucket’s site answers 403 as an HTML page', async () => {
    for (const r of [await viaHost(priv, '/'), await rawRequest(`${srv.url}/-/website/${priv}/`)]) {
      assert.equal(r.status, 403);
      assert.match(String(r.headers['content-type']), /^text\/html/);
      assert.match(r.body.toString(), /<h1>403 Forbidden<\/h1>/);
      assert.match(r.body.toString(), /Code: AccessDenied/);
      assert.equal(r.headers['x-amz-error-code'], 'AccessDenied');
    }
  });

  it('pages for a missing bucket, a bucket without a website and a method other than GET or HEAD', async () => {
    const none = await viaHost('no-such-bucket-here', '/');
    assert.equal(none.status, 404);
    assert.match(none.body.toString(), /Code: NoSuchBucket/);
    const bare = bucketName('bare');
    await srv.s3.send(new CreateBucketCommand({ Bucket: bare }));
    const noSite = await viaHost(bare, '/');
    assert.equal(noSite.status, 404);
    assert.match(noSite.body.toString(), /Code: NoSuchWebsiteConfiguration/);
    const post = await viaHost(site, '/index.html', 'POST');
    assert.equal(post.status, 405);
    const head = await viaHost(priv, '/', 'HEAD');
    assert.equal(head.status, 403);
    assert.equal(head.body.length, 0);
  });

  it('RedirectAllRequestsTo and key-prefix routing rules redirect before anything is read', async () => {
    const all = await viaHost(moved, '/a/b.html?x=1');
    assert.equal(all.status, 301);
    assert.equal(all.headers.location, 'https://www.example.com/a/b.html');
    const blog = await viaHost(site, '/blog/post.html');
    assert.equal(blog.status, 302);
    assert.equal(blog.headers.location, `http://${site}.s3-website.localhost:${srv.port}/docs/post.html`);
    const path = await rawRequest(`${srv.url}/-/website/${site}/blog/x`);
    assert.equal(path.status, 302);
    assert.equal(path.headers.location, `http://127.0.0.1:${srv.port}/-/website/${site}/docs/x`);
  });

  describe('a public site (a bucket policy lets anyone read its objects, as S3 documents for websites)', () => {
    before(async () => {
      const Policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${site}/*` }],
      });
      await srv.s3.send(new PutBucketPolicyCommand({ Bucket: site, Policy }));
    });

    it('serves the index document, a sub-folder’s index, and 302s a folder without its slash', async () => {
      const home = await viaHost(site, '/');
      assert.equal(home.status, 200);
      assert.equal(home.body.toString(), '<h1>home</h1>');
      assert.equal(home.headers['content-type'], 'text/html');
      const docs = await rawRequest(`${srv.url}/-/website/${site}/docs/`);
      assert.equal(docs.status, 200);
      assert.equal(docs.body.toString(), '<h1>docs</h1>');
      const bare = await viaHost(site, '/docs');
      assert.equal(bare.status, 302);
      assert.equal(bare.headers.location, '/docs/');
    });

    it('a missing page: the error document with 404; an error-code rule redirects; an object redirect location', async () => {
      const missing = await viaHost(site, '/nope.html');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.toString(), '<h1>custom error</h1>');
      const gone = await viaHost(site, '/gone/page.html');
      assert.equal(gone.status, 301);
      assert.equal(gone.headers.location, 'https://archive.example/gone/page.html');
      const old = await viaHost(site, '/old.html');
      assert.equal(old.status, 301);
      assert.equal(old.headers.location, '/new.html');
    });
  });

  it('answers preflights from the bucket’s CORS rules, and carries them on its answers', async () => {
    await srv.s3.send(new PutBucketCorsCommand({ Bucket: priv, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['http://app.example'], AllowedMethods: ['GET'] }] } }));
    const pre = await rawRequest(`${srv.url}/-/website/${priv}/index.html`, { method: 'OPTIONS', headers: { origin: 'http://app.example', 'access-control-request-method': 'GET' } });
    assert.equal(pre.status, 200);
    assert.equal(pre.headers['access-control-allow-origin'], 'http://app.example');
    const refused = await rawRequest(`${srv.url}/-/website/${priv}/index.html`, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'GET' } });
    assert.equal(refused.status, 403);
    assert.match(refused.body.toString(), /Code: AccessForbidden/);
    const get = await rawRequest(`${srv.url}/-/website/${priv}/`, { headers: { origin: 'http://app.example' } });
    assert.equal(get.status, 403);
    assert.equal(get.headers['access-control-allow-origin'], 'http://app.example');
  });

  it('delete removes the configuration', async () => {
    await srv.s3.send(new DeleteBucketWebsiteCommand({ Bucket: moved }));
    await assert.rejects(srv.s3.send(new GetBucketWebsiteCommand({ Bucket: moved })), (e: SdkError) => e.name === 'NoSuchWebsiteConfiguration');
    assert.equal((await viaHost(moved, '/')).status, 404);
  });
});
