/** The IAM / STS query API on the wire: its XML (namespaces, ResponseMetadata, ErrorResponse) and the errors of malformed requests. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { signRequestV4 } from '../../src/auth/sigv4.js';
import { rawRequest } from '../helpers/raw.js';
import { startIdentityServer, type IdentityServer } from './helpers.js';

describe('IAM and STS on the wire', { timeout: 60_000 }, () => {
  let t: IdentityServer;
  before(async () => {
    t = await startIdentityServer();
  });
  after(async () => {
    await t.stop();
  });

  /** A signed call: body as given, SigV4 for `service`. */
  function call(body: string, o: { service?: string; method?: string; secret?: string; headers?: Record<string, string>; query?: string; region?: string } = {}) {
    const url = new URL('/' + (o.query ? `?${o.query}` : ''), t.url);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...o.headers };
    signRequestV4({
      method: o.method ?? 'POST',
      url,
      headers,
      payloadHash: createHash('sha256').update(body).digest('hex'),
      credentials: { accessKeyId: t.keys.accessKey, secretAccessKey: o.secret ?? t.keys.secretKey },
      region: o.region ?? 'us-east-1',
      service: o.service ?? 'iam',
    });
    return rawRequest(url.toString(), { method: o.method ?? 'POST', headers, body });
  }
  const text = (r: { body: Buffer }) => r.body.toString();

  it("answers in IAM's and STS's XML", async () => {
    const r = await call('Action=CreateUser&Version=2010-05-08&UserName=wire');
    assert.equal(r.status, 200);
    assert.match(text(r), /^<\?xml version="1.0" encoding="UTF-8"\?>\n<CreateUserResponse xmlns="https:\/\/iam.amazonaws.com\/doc\/2010-05-08\/"><CreateUserResult><User><Path>\/<\/Path><UserName>wire<\/UserName><UserId>AIDA\w{17}<\/UserId><Arn>arn:aws:iam::root:user\/wire<\/Arn><CreateDate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/CreateDate><\/User><\/CreateUserResult><ResponseMetadata><RequestId>\w+<\/RequestId><\/ResponseMetadata><\/CreateUserResponse>$/);
    const none = await call('Action=DeleteUser&Version=2010-05-08&UserName=wire');
    assert.match(text(none), /^<\?xml[^>]*>\n<DeleteUserResponse xmlns="https:\/\/iam.amazonaws.com\/doc\/2010-05-08\/"><ResponseMetadata><RequestId>\w+<\/RequestId><\/ResponseMetadata><\/DeleteUserResponse>$/);
    const who = await call('Action=GetCallerIdentity&Version=2011-06-15', { service: 'sts' });
    assert.match(text(who), /<GetCallerIdentityResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/"><GetCallerIdentityResult><Arn>arn:aws:iam::root:root<\/Arn><UserId>root<\/UserId><Account>root<\/Account>/);
    // IAM is global: botocore clients made with region_name='' (as ceph/s3-tests makes them) sign an empty region.
    const global = await call('Action=GetUser&Version=2010-05-08', { region: '' });
    assert.equal(global.status, 200, text(global));
    assert.match(text(global), /<GetUserResult><User><UserId>root<\/UserId><Arn>arn:aws:iam::root:root<\/Arn>/);
    // Parameters may come in the query too (IAM accepts GET).
    const listed = await call('', { method: 'GET', query: 'Action=ListUsers&Version=2010-05-08' });
    assert.equal(listed.status, 200, text(listed));
    assert.match(text(listed), /<ListUsersResponse [^>]*><ListUsersResult><Users><\/Users><IsTruncated>false<\/IsTruncated><\/ListUsersResult>/);
  });

  it('lets S3 take an empty-region signature too, where no region is configured', async () => {
    const url = new URL('/', t.url);
    const headers: Record<string, string> = {};
    signRequestV4({ method: 'GET', url, headers, credentials: { accessKeyId: t.keys.accessKey, secretAccessKey: t.keys.secretKey }, region: '', service: 's3' });
    const r = await rawRequest(url.toString(), { headers });
    assert.equal(r.status, 200, text(r));
    assert.match(text(r), /<ListAllMyBucketsResult/);
  });

  it('refuses malformed requests with IAM error documents', async () => {
    const err = async (r: Promise<{ status: number; body: Buffer }>, status: number, code: string) => {
      const got = await r;
      assert.equal(got.status, status, text(got));
      assert.match(text(got), new RegExp(`^<\\?xml[^>]*>\\n<ErrorResponse xmlns="https://(iam|sts).amazonaws.com/doc/\\d{4}-\\d\\d-\\d\\d/"><Error><Type>Sender</Type><Code>${code}</Code><Message>[^<]*</Message></Error><RequestId>\\w+</RequestId></ErrorResponse>$`));
    };
    await err(call('Version=2010-05-08'), 400, 'MissingAction');
    await err(call('Action=Frobnicate&Version=2010-05-08'), 400, 'InvalidAction');
    await err(call('Action=GetCallerIdentity&Version=2010-05-08'), 400, 'InvalidAction');
    await err(call('Action=CreateUser&Version=2011-06-15&UserName=x', { service: 'sts' }), 400, 'InvalidAction');
    await err(call('Action=__proto__&Version=2010-05-08'), 400, 'InvalidAction');
    await err(call('Action=CreateUser&Version=2010-05-08'), 400, 'ValidationError');
    await err(call('Action=CreateUser&Version=2010-05-08&UserName=' + 'x'.repeat(65)), 400, 'ValidationError');
    await err(call('Action=ListUsers&Version=2010-05-08&MaxItems=0'), 400, 'ValidationError');
    await err(call('Action=ListUsers&Version=2010-05-08', { secret: 'wrong' }), 403, 'SignatureDoesNotMatch');
    await err(call('Action=ListUsers&Version=2010-05-08', { method: 'DELETE' }), 400, 'InvalidAction');
    await err(call('Action=GetSessionToken&Version=2011-06-15&DurationSeconds=abc', { service: 'sts' }), 400, 'ValidationError');
    await err(call('Action=AssumeRole&Version=2011-06-15&RoleArn=nope&RoleSessionName=xx', { service: 'sts' }), 400, 'ValidationError');
    await err(call('Action=CreateUser&Version=2010-05-08&UserName=big&Padding=' + 'x'.repeat(70_000)), 400, 'ValidationError');
    // A forged token on a long-term key.
    await err(call('Action=ListUsers&Version=2010-05-08', { headers: { 'x-amz-security-token': 'forged' } }), 403, 'InvalidClientTokenId');
  });
});
