/** Raw COS v4 requests for every malformed case: each gets the spec's negative code and message. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { cosPlaintext, cosSign, signMore, signOnce } from '../../src/auth/cos-v4.js';
import { SECRET_KEY, storedFiles } from '../helpers/server.js';
import { APPID, CRED, assertOk, startCosServer, type CosTestServer } from './helpers.js';

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

describe('COS malformed requests', () => {
  let t: CosTestServer;
  let b: string;
  before(async () => {
    t = await startCosServer();
    b = t.bucket;
    assertOk(await t.cos.createFolder({ bucket: b, cosPath: '/dir/' }));
    assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/dir/f.txt', data: Buffer.from('content') }));
  });
  after(() => t.stop());

  const expect = (r: { status: number; json: { code: number; message: string } }, code: number, message: string, status?: number) => {
    assert.equal(r.json.code, code, `${r.json.code} ${r.json.message}`);
    assert.equal(r.json.message, message);
    if (status) assert.equal(r.status, status);
  };

  it('answers in the JSON envelope with a request id', async () => {
    const r = await t.api(t.apiPath('/dir/f.txt'), { method: 'GET', query: 'op=stat' });
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    assert.equal(r.json.code, 0);
    assert.equal(r.json.message, 'SUCCESS');
    assert.match(String(r.json.request_id), /^[0-9A-F]{16}$/);
  });

  it('missing op', async () => {
    expect(await t.api(t.apiPath('/dir/'), { json: { biz_attr: 'x' } }), -5980, 'ERROR_CGI_PARAM_MISSING_OP', 400);
    expect(await t.api(t.apiPath('/dir/'), { method: 'GET' }), -5980, 'ERROR_CGI_PARAM_MISSING_OP');
  });

  it('unknown op', async () => {
    expect(await t.api(t.apiPath('/dir/'), { json: { op: 'explode' } }), -5992, 'ERROR_CGI_REQ_PARAM');
  });

  it('wrong method', async () => {
    expect(await t.api(t.apiPath('/dir/'), { method: 'GET', query: 'op=create' }), -5996, 'ERROR_CGI_REQ_METHOD', 405);
    expect(await t.api(t.apiPath('/dir/f.txt'), { method: 'GET', query: 'op=delete', sign: signOnce(CRED, b, '/dir/f.txt') }), -5996, 'ERROR_CGI_REQ_METHOD');
    expect(await t.api(t.apiPath('/dir/f.txt'), { method: 'PUT', body: 'x' }), -5996, 'ERROR_CGI_REQ_METHOD');
  });

  it('bad JSON', async () => {
    expect(await t.api(t.apiPath('/dir/'), { body: '{"op": "create",', headers: { 'content-type': 'application/json' } }), -5975, 'ERROR_CGI_JSON_PARSE_ERROR');
    expect(await t.api(t.apiPath('/dir/'), { body: '["op"]', headers: { 'content-type': 'application/json' } }), -5975, 'ERROR_CGI_JSON_PARSE_ERROR');
  });

  it('bad multipart', async () => {
    expect(await t.api(t.apiPath('/dir/g.txt'), { body: 'op=upload', headers: { 'content-type': 'multipart/form-data' } }), -5993, 'ERROR_CGI_FORM_ERR');
    const truncated = '--XX\r\nContent-Disposition: form-data; name="op"\r\n\r\nupload\r\n--XX\r\nContent-Disposition: form-data; name="filecontent"\r\n\r\npartial data';
    expect(await t.api(t.apiPath('/dir/g.txt'), { body: truncated, headers: { 'content-type': 'multipart/form-data; boundary=XX' } }), -5993, 'ERROR_CGI_FORM_ERR');
    const noName = '--XX\r\nContent-Disposition: form-data\r\n\r\nupload\r\n--XX--\r\n';
    expect(await t.api(t.apiPath('/dir/g.txt'), { body: noName, headers: { 'content-type': 'multipart/form-data; boundary=XX' } }), -5993, 'ERROR_CGI_FORM_ERR');
    assert.equal((await t.cos.statFile({ bucket: b, cosPath: '/dir/g.txt' })).code, -197, 'nothing was stored');
  });

  it('accepts op after the file, whatever comes before it; refuses an op that contradicts the fields before the file', async () => {
    // Nothing before the file: it is kept aside until op is read (and removed after).
    const before = (await storedFiles(t.dataDir)).length;
    assertOk((await t.api(t.apiPath('/dir/late-op.txt'), { form: [{ name: 'filecontent', value: Buffer.from('late op') }, { name: 'op', value: 'upload' }] })).json);
    assert.equal((await t.cos.statFile({ bucket: b, cosPath: '/dir/late-op.txt' })).data!.sha, sha1('late op'));
    assert.equal((await storedFiles(t.dataDir)).length, before + 1, 'one blob: the file');
    // A slice whose op, session and offset all follow its data.
    const init = assertOk((await t.api(t.apiPath('/dir/late-slice.txt'), { form: [{ name: 'op', value: 'upload_slice_init' }, { name: 'filesize', value: '5' }] })).json);
    const session = (init.data as { session: string }).session;
    const late = [
      { name: 'filecontent', value: Buffer.from('slice') },
      { name: 'op', value: 'upload_slice_data' },
      { name: 'session', value: session },
      { name: 'offset', value: '0' },
    ];
    assertOk((await t.api(t.apiPath('/dir/late-slice.txt'), { form: late })).json);
    assertOk((await t.api(t.apiPath('/dir/late-slice.txt'), { form: [{ name: 'op', value: 'upload_slice_finish' }, { name: 'session', value: session }, { name: 'filesize', value: '5' }] })).json);
    assert.equal((await t.cos.statFile({ bucket: b, cosPath: '/dir/late-slice.txt' })).data!.sha, sha1('slice'));
    // An op that takes no file, after one.
    expect(await t.api(t.apiPath('/dir/'), { form: [{ name: 'filecontent', value: Buffer.from('x') }, { name: 'op', value: 'create' }] }), -5992, 'ERROR_CGI_REQ_PARAM');
    // session and offset before the file mean a slice: a later op=upload contradicts them.
    const open = assertOk((await t.api(t.apiPath('/dir/h.txt'), { form: [{ name: 'op', value: 'upload_slice_init' }, { name: 'filesize', value: '4' }] })).json);
    const r = await t.api(t.apiPath('/dir/h.txt'), {
      form: [
        { name: 'session', value: (open.data as { session: string }).session },
        { name: 'offset', value: '0' },
        { name: 'filecontent', value: Buffer.from('data') },
        { name: 'op', value: 'upload' },
      ],
    });
    expect(r, -5993, 'ERROR_CGI_FORM_ERR');
    assert.equal((await t.cos.statFile({ bucket: b, cosPath: '/dir/h.txt' })).code, -197);
  });

  it('accepts parameters from the query string, JSON, url-encoded and multipart forms', async () => {
    assertOk((await t.api(t.apiPath('/q1/'), { query: 'op=create&biz_attr=a+b' })).json);
    assert.equal((await t.cos.statFolder({ bucket: b, cosPath: '/q1/' })).data!.biz_attr, 'a b');
    assertOk((await t.api(t.apiPath('/q2/'), { body: 'op=create&biz_attr=url%20encoded', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).json);
    assert.equal((await t.cos.statFolder({ bucket: b, cosPath: '/q2/' })).data!.biz_attr, 'url encoded');
    assertOk((await t.api(t.apiPath('/q3/'), { form: [{ name: 'op', value: 'create' }, { name: 'biz_attr', value: 'form' }] })).json);
    assert.equal((await t.cos.statFolder({ bucket: b, cosPath: '/q3/' })).data!.biz_attr, 'form');
    assertOk((await t.api(t.apiPath('/q4/'), { json: { op: 'create', biz_attr: 'json' } })).json);
    // The query string wins over the body.
    assertOk((await t.api(t.apiPath('/q5/'), { query: 'biz_attr=query', json: { op: 'create', biz_attr: 'body' } })).json);
    assert.equal((await t.cos.statFolder({ bucket: b, cosPath: '/q5/' })).data!.biz_attr, 'query');
    // Simple upload with op first, filecontent without a filename (the PHP SDK's form).
    assertOk((await t.api(t.apiPath('/dir/php.txt'), { form: [{ name: 'op', value: 'upload' }, { name: 'filecontent', value: Buffer.from('php style') }] })).json);
    assert.equal((await t.cos.statFile({ bucket: b, cosPath: '/dir/php.txt' })).data!.filesize, 9);
  });

  it('missing, malformed and mismatched signatures', async () => {
    const p = t.apiPath('/dir/f.txt');
    expect(await t.api(p, { method: 'GET', query: 'op=stat', sign: null }), -81, 'ERROR_PROXY_AUTH_SIGN_EMPTY', 401);
    expect(await t.api(p, { method: 'GET', query: 'op=stat', sign: 'not!base64' }), -5998, 'ERROR_CGI_AUTHORIZATION');
    expect(await t.api(p, { method: 'GET', query: 'op=stat', sign: signMore({ ...CRED, secretKey: 'wrong' }, b, '/dir/f.txt', 600) }), -97, 'ERROR_PROXY_AUTH_FAILED', 403);
    expect(await t.api(p, { method: 'GET', query: 'op=stat', sign: signMore({ ...CRED, secretId: 'AKIDnobody' }, b, '/dir/f.txt', 600) }), -79, 'ERROR_PROXY_AUTH_SECRETID_NOEXIST');
    expect(await t.api(p, { method: 'GET', query: 'op=stat', sign: signMore(CRED, 'otherbucket', '/dir/f.txt', 600) }), -61, 'ERROR_PROXY_SIGN_BUCKET_NOTMATCH');
    expect(await t.api(p, { method: 'GET', query: 'op=stat', sign: signMore({ ...CRED, appid: '1250000001' }, b, '/dir/f.txt', 600) }), -70, 'ERROR_PROXY_APPID_USERID_NOTMATCH');
    const foreign = `/files/v2/1250000001/${b}/dir/f.txt`;
    expect(await t.api(foreign, { method: 'GET', query: 'op=stat', sign: signMore({ ...CRED, appid: '1250000001' }, b, '/dir/f.txt', 600) }), -82, 'ERROR_PROXY_AUTH_APPID_NOEXIST');
    expect(await t.api(`/files/v2/abc/${b}/dir/f.txt`, { method: 'GET', query: 'op=stat' }), -80, 'ERROR_PROXY_INVALID_APPID');
  });

  it('an expired multi-use signature, and one valid for more than 90 days', async () => {
    const now = Math.floor(Date.now() / 1000);
    const old = signMore(CRED, b, '/dir/f.txt', now - 10, { now: now - 100 });
    expect(await t.api(t.apiPath('/dir/f.txt'), { method: 'GET', query: 'op=stat', sign: old }), -96, 'ERROR_PROXY_AUTH_EXPIRED');
    const long = signMore(CRED, b, '/dir/f.txt', now + 7_776_001, { now });
    expect(await t.api(t.apiPath('/dir/f.txt'), { method: 'GET', query: 'op=stat', sign: long }), -97, 'ERROR_PROXY_AUTH_FAILED');
  });

  it('a signature bound to another path; prefix binding and unbound signatures are accepted', async () => {
    expect(await t.api(t.apiPath('/dir/f.txt'), { method: 'GET', query: 'op=stat', sign: signMore(CRED, b, '/other/f.txt', 600) }), -63, 'ERROR_PROXY_FILEID_NOTMATCH');
    assertOk((await t.api(t.apiPath('/dir/f.txt'), { method: 'GET', query: 'op=stat', sign: signMore(CRED, b, '/dir/', 600) })).json);
    const now = Math.floor(Date.now() / 1000);
    // The reference's examples: documented field order, empty f.
    const unbound = cosSign(SECRET_KEY, cosPlaintext({ appid: APPID, bucket: b, secretId: CRED.secretId, expired: now + 180, now, rand: 42, fileid: '', order: 'documented' }));
    assertOk((await t.api(t.apiPath('/dir/f.txt'), { method: 'GET', query: 'op=stat', sign: unbound })).json);
    expect(await t.api(t.apiPath('/dir/f.txt'), { json: { op: 'delete' }, sign: signOnce(CRED, b, '/dir/other.txt') }), -63, 'ERROR_PROXY_FILEID_NOTMATCH');
  });

  it('the wrong kind of signature for the operation', async () => {
    expect(await t.api(t.apiPath('/dir/f.txt'), { json: { op: 'delete' }, sign: signMore(CRED, b, '/dir/f.txt', 600) }), -73, 'ERROR_PROXY_AUTH_ONCESIGN_EXPIREDNOTEMPTY');
    expect(await t.api(t.apiPath('/dir/f.txt'), { method: 'GET', query: 'op=stat', sign: signOnce(CRED, b, '/dir/f.txt') }), -74, 'ERROR_PROXY_AUTH_MULTISIGN_EXPIREDEMPTY');
    const now = Math.floor(Date.now() / 1000);
    const noFile = cosSign(SECRET_KEY, cosPlaintext({ appid: APPID, bucket: b, secretId: CRED.secretId, expired: 0, now, rand: 7, fileid: '' }));
    expect(await t.api(t.apiPath('/dir/f.txt'), { json: { op: 'delete' }, sign: noFile }), -76, 'ERROR_PROXY_AUTH_ONCESIGN_NOFILEID');
    // Move needs a single-use signature (the text), not the multi-use one of the reference's example.
    expect(await t.api(t.apiPath('/dir/f.txt'), { query: 'op=move&dest_fileid=g.txt', sign: signMore(CRED, b, '/dir/f.txt', 600) }), -73, 'ERROR_PROXY_AUTH_ONCESIGN_EXPIREDNOTEMPTY');
  });

  it('a single-use signature replayed', async () => {
    assertOk(await t.cos.uploadFile({ bucket: b, cosPath: '/dir/once.txt', data: Buffer.from('x') }));
    const sign = signOnce(CRED, b, '/dir/once.txt');
    assertOk((await t.api(t.apiPath('/dir/once.txt'), { json: { op: 'update', biz_attr: 'one' }, sign })).json);
    expect(await t.api(t.apiPath('/dir/once.txt'), { json: { op: 'update', biz_attr: 'two' }, sign }), -77, 'ERROR_PROXY_AUTH_REPLAY_ATTACH');
    assert.equal((await t.cos.statFile({ bucket: b, cosPath: '/dir/once.txt' })).data!.biz_attr, 'one');
    // A single-use signature made long ago is refused even unused.
    const stale = signOnce(CRED, b, '/dir/once.txt', { now: Math.floor(Date.now() / 1000) - 3600 });
    expect(await t.api(t.apiPath('/dir/once.txt'), { json: { op: 'delete' }, sign: stale }), -96, 'ERROR_PROXY_AUTH_EXPIRED');
  });

  it('a folder path without "/" and a file path with one', async () => {
    expect(await t.api(t.apiPath('/newdir'), { json: { op: 'create' } }), -161, 'ERROR_CMD_PARAM_PATH_DIR_MISSING_SLASH');
    expect(
      await t.api(t.apiPath('/dir/x/'), { form: [{ name: 'op', value: 'upload' }, { name: 'filecontent', value: Buffer.from('x') }] }),
      -160,
      'ERROR_CMD_PARAM_PAHT_FILE_SURPLUS_SLASH',
    );
    expect(await t.api(t.apiPath('/dir/'), { query: 'op=move&dest_fileid=/x.txt', sign: signOnce(CRED, b, '/dir/') }), -160, 'ERROR_CMD_PARAM_PAHT_FILE_SURPLUS_SLASH');
    expect(await t.api(t.apiPath('/dir/f.txt'), { query: 'op=move&dest_fileid=/dir/sub/', sign: signOnce(CRED, b, '/dir/f.txt') }), -160, 'ERROR_CMD_PARAM_PAHT_FILE_SURPLUS_SLASH');
    expect(await t.api(`/files/v2/${APPID}/${b}/a//b/`, { json: { op: 'create' }, sign: signMore(CRED, b, '/a//b/', 600) }), -180, 'ERROR_CMD_COS_INVALID_PATH');
    expect(await t.api(`/files/v2/${APPID}/${b}/%E6%B5`, { method: 'GET', query: 'op=stat', sign: signMore(CRED, b, '/', 600) }), -147, 'ERROR_CMD_NOT_UTF8_ENCODING');
  });

  it('an upload into a missing folder', async () => {
    const r = await t.cos.uploadFile({ bucket: b, cosPath: '/missing/f.txt', data: Buffer.from('x') });
    assert.equal(r.code, -166);
    assert.equal(r.message, 'ERROR_CMD_COS_INDEX_ERROR');
  });

  it('a simple upload whose sha does not match, and one with no file', async () => {
    expect(
      await t.api(t.apiPath('/dir/s.txt'), {
        form: [
          { name: 'op', value: 'upload' },
          { name: 'filecontent', value: Buffer.from('abc') },
          { name: 'sha', value: sha1('abd') },
        ],
      }),
      -5984,
      'ERROR_CGI_SHA_NOT_MATCH',
    );
    assert.equal((await t.cos.statFile({ bucket: b, cosPath: '/dir/s.txt' })).code, -197);
    assertOk((await t.api(t.apiPath('/dir/s.txt'), { form: [{ name: 'op', value: 'upload' }, { name: 'filecontent', value: Buffer.from('abc') }, { name: 'sha', value: sha1('abc').toUpperCase() }] })).json);
    expect(await t.api(t.apiPath('/dir/t.txt'), { form: [{ name: 'op', value: 'upload' }] }), -5990, 'ERROR_CGI_MISSING_FILECONTENT');
    expect(await t.api(t.apiPath('/dir/'), { form: [{ name: 'op', value: 'create' }, { name: 'filecontent', value: Buffer.from('x') }] }), -5992, 'ERROR_CGI_REQ_PARAM');
  });

  it('a bucket that does not exist or belongs to no one here', async () => {
    expect(await t.api(t.apiPath('/', 'nosuchbucket'), { method: 'GET', query: 'op=stat', bucket: 'nosuchbucket' }), -166, 'ERROR_CMD_COS_INDEX_ERROR');
  });

  it('bad parameter values', async () => {
    expect(await t.api(t.apiPath('/dir/'), { method: 'GET', query: 'op=list&num=abc' }), -5999, 'ERROR_CGI_PARAM');
    expect(await t.api(t.apiPath('/dir/f.txt'), { query: 'op=copy', sign: signOnce(CRED, b, '/dir/f.txt') }), -5999, 'ERROR_CGI_PARAM');
    expect(await t.api(t.apiPath('/dir/f.txt'), { query: 'op=copy&dest_fileid=f2.txt&to_over_write=2', sign: signOnce(CRED, b, '/dir/f.txt') }), -5999, 'ERROR_CGI_PARAM');
  });
});
