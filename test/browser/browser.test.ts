/**
 * CORS and website hosting proven in a real browser: Debian's chromium driven
 * headless by playwright-core (no browser is downloaded). Skipped only when
 * /usr/bin/chromium is absent and CI is unset; under CI its absence fails.
 */
import { CreateBucketCommand, PutBucketAclCommand, PutBucketCorsCommand, PutBucketWebsiteCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { bucketName, startTestServer, type TestServer } from '../helpers/server.js';

const CHROMIUM = '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
const skip = !present && !process.env.CI ? `${CHROMIUM} is not installed (install Debian's chromium; under CI this fails)` : false;
const OUTPUT = path.resolve('test-output');

/** The page of the second origin: an empty document whose scripts the tests run. */
const PAGE = '<!doctype html><html><head><title>app</title></head><body><h1>app</h1></body></html>';

describe('in a browser (chromium, headless)', { skip }, () => {
  let srv: TestServer;
  let app: http.Server;
  let appOrigin: string;
  let context: BrowserContext;
  let userDataDir: string;
  let page: Page;
  const open = bucketName('web');
  const closed = bucketName('webno');

  before(async () => {
    if (!present) throw new Error(`${CHROMIUM} is missing: CI must install chromium (apt-get install -y chromium)`);
    srv = await startTestServer();
    app = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(PAGE);
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    for (const b of [open, closed]) await srv.s3.send(new CreateBucketCommand({ Bucket: b }));
    await srv.s3.send(
      new PutBucketCorsCommand({
        Bucket: open,
        CORSConfiguration: {
          CORSRules: [{ AllowedOrigins: [appOrigin], AllowedMethods: ['GET', 'PUT', 'POST', 'HEAD'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag', 'x-amz-request-id'], MaxAgeSeconds: 60 }],
        },
      }),
    );
    await srv.s3.send(new PutBucketCorsCommand({ Bucket: closed, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['http://elsewhere.example'], AllowedMethods: ['GET', 'PUT'] }] } }));
    await srv.s3.send(new PutObjectCommand({ Bucket: closed, Key: 'x.txt', Body: 'x' }));
    userDataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(appOrigin + '/');
  });

  after(async () => {
    await context?.close();
    if (userDataDir) await fs.rm(userDataDir, { recursive: true, force: true });
    await new Promise((resolve) => app?.close(resolve));
    await srv?.stop();
  });

  it('uploads with a presigned PUT through fetch, reads it back and the exposed ETag', async () => {
    const putUrl = await srv.minio.presignedUrl('PUT', open, 'from-fetch.txt', 600);
    const getUrl = await srv.minio.presignedGetObject(open, 'from-fetch.txt', 600);
    const out = await page.evaluate(
      async ({ putUrl, getUrl }) => {
        const put = await fetch(putUrl, { method: 'PUT', body: 'uploaded by chromium' });
        const get = await fetch(getUrl);
        return { putStatus: put.status, putEtag: put.headers.get('etag'), getStatus: get.status, text: await get.text(), getEtag: get.headers.get('etag') };
      },
      { putUrl, getUrl },
    );
    assert.equal(out.putStatus, 200);
    assert.match(out.putEtag ?? '', /^"[0-9a-f]{32}"$/);
    assert.equal(out.getStatus, 200);
    assert.equal(out.text, 'uploaded by chromium');
    assert.equal(out.getEtag, out.putEtag);
  });

  it('uploads a file with a POST policy form through fetch and reads the ETag', async () => {
    const policy = srv.minio.newPostPolicy();
    policy.setBucket(open);
    policy.setKey('from-form.txt');
    policy.setExpires(new Date(Date.now() + 10 * 60_000));
    policy.setContentLengthRange(1, 1024);
    const { postURL, formData } = await srv.minio.presignedPostPolicy(policy);
    const getUrl = await srv.minio.presignedGetObject(open, 'from-form.txt', 600);
    const out = await page.evaluate(
      async ({ postURL, formData, getUrl }) => {
        const form = new FormData();
        for (const [k, v] of Object.entries(formData)) form.append(k, v);
        form.append('file', new Blob(['posted by chromium'], { type: 'text/plain' }), 'a.txt');
        const post = await fetch(postURL, { method: 'POST', body: form });
        const get = await fetch(getUrl);
        return { status: post.status, etag: post.headers.get('etag'), text: await get.text() };
      },
      { postURL, formData, getUrl },
    );
    assert.equal(out.status, 204);
    assert.match(out.etag ?? '', /^"[0-9a-f]{32}"$/);
    assert.equal(out.text, 'posted by chromium');
  });

  it('blocks the page when no rule allows its origin (fetch rejects, GET and preflighted PUT)', async () => {
    const getUrl = await srv.minio.presignedGetObject(closed, 'x.txt', 600);
    const putUrl = await srv.minio.presignedUrl('PUT', closed, 'y.txt', 600);
    const out = await page.evaluate(
      async ({ getUrl, putUrl }) => {
        // No named helper here: the bundler's __name wrapper does not exist in the page.
        const get = await fetch(getUrl).then((r) => `status ${r.status}`, (e: Error) => `rejected ${e.name}`);
        const put = await fetch(putUrl, { method: 'PUT', body: 'no' }).then((r) => `status ${r.status}`, (e: Error) => `rejected ${e.name}`);
        return { get, put };
      },
      { getUrl, putUrl },
    );
    assert.equal(out.get, 'rejected TypeError');
    assert.equal(out.put, 'rejected TypeError');
    // The blocked PUT never got past its preflight: nothing stored.
    await assert.rejects(srv.minio.statObject(closed, 'y.txt'));
  });

  describe('a static website (public-read: needs anonymous reads from the access-control merge)', () => {
    const site = bucketName('www');
    const html = (title: string, body: string) => `<!doctype html><html><head><title>${title}</title></head><body>${body}</body></html>`;
    before(async () => {
      await srv.s3.send(new CreateBucketCommand({ Bucket: site, ACL: 'public-read' }));
      await srv.s3.send(new PutBucketAclCommand({ Bucket: site, ACL: 'public-read' }));
      const put = (Key: string, Body: string) => srv.s3.send(new PutObjectCommand({ Bucket: site, Key, Body, ContentType: 'text/html', ACL: 'public-read' }));
      await put('index.html', html('Home', '<h1 id="t">Stratus site</h1><a id="docs" href="docs/">docs</a>'));
      await put('docs/index.html', html('Docs', '<h1 id="t">Documentation</h1>'));
      await put('404.html', html('Missing', '<h1 id="t">Custom not found</h1>'));
      await srv.s3.send(
        new PutBucketWebsiteCommand({
          Bucket: site,
          WebsiteConfiguration: {
            IndexDocument: { Suffix: 'index.html' },
            ErrorDocument: { Key: '404.html' },
            RoutingRules: [{ Condition: { KeyPrefixEquals: 'old-docs/' }, Redirect: { ReplaceKeyPrefixWith: 'docs/' } }],
          },
        }),
      );
    });

    it('renders the index, follows a link to a sub-folder, shows the error document with 404, follows a routing rule', async () => {
      const base = `http://${site}.s3-website.localhost:${srv.port}/`;
      const home = await page.goto(base);
      assert.equal(home?.status(), 200);
      assert.equal(await page.textContent('#t'), 'Stratus site');
      await fs.mkdir(OUTPUT, { recursive: true });
      await page.screenshot({ path: path.join(OUTPUT, 'website.png') });
      await Promise.all([page.waitForURL(base + 'docs/'), page.click('#docs')]);
      assert.equal(await page.textContent('#t'), 'Documentation');
      const missing = await page.goto(base + 'no/such/page.html');
      assert.equal(missing?.status(), 404);
      assert.equal(await page.textContent('#t'), 'Custom not found');
      const moved = await page.goto(base + 'old-docs/');
      assert.equal(page.url(), base + 'docs/');
      assert.equal(moved?.status(), 200);
      assert.equal(await page.textContent('#t'), 'Documentation');
      // The path form serves the same site.
      await page.goto(`http://127.0.0.1:${srv.port}/-/website/${site}/`);
      assert.equal(await page.textContent('#t'), 'Stratus site');
    });
  });
});
