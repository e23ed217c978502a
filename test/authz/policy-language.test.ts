/**
 * The policy language: parsing (and refusing, with a message saying where)
 * S3 / IAM, OBS and OSS documents into the one compiled model, and
 * evaluating it: wildcards, Not* elements, principals, every condition
 * operator family with IfExists and the set qualifiers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate, isPublicPolicy } from '../../src/authz/policy/evaluate.js';
import type { PolicyRequest } from '../../src/authz/policy/model.js';
import { parsePolicy } from '../../src/authz/policy/parse.js';
import type { Principal } from '../../src/authz/principal.js';

const ROOT_A: Principal = { kind: 'root', accountId: 'acct-a' };
const ROOT_B: Principal = { kind: 'root', accountId: 'acct-b' };
const USER_B: Principal = { kind: 'user', accountId: 'acct-b', userId: 'AIDUSERB', userName: 'bob' };
const ROLE_B: Principal = { kind: 'role', accountId: 'acct-b', roleId: 'AROAB', roleName: 'reader', session: { accessKeyId: 'ASIA', expiresAt: 0, name: 'sess1' } };
const ANON: Principal = { kind: 'anonymous' };

const doc = (statements: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ Version: '2012-10-17', Statement: statements, ...extra });
const stmt = (s: Record<string, unknown>) => ({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bkt/*', ...s });
const bucketPolicy = (statements: unknown) => parsePolicy(doc(statements), { dialect: 's3', bucket: 'bkt' });

function req(over: Partial<PolicyRequest> & { values?: Record<string, string[]> } = {}): PolicyRequest {
  const values = over.values ?? {};
  return { principal: over.principal ?? ROOT_B, action: over.action ?? 's3:GetObject', resource: over.resource ?? 'bkt/photos/a.jpg', keys: over.keys ?? ((k) => values[k]) };
}

function malformed(text: string, message: RegExp, opts: { dialect?: 's3' | 'oss' | 'obs'; bucket?: string | null } = {}) {
  const bucket = opts.bucket === null ? undefined : (opts.bucket ?? 'bkt');
  assert.throws(() => parsePolicy(text, { dialect: opts.dialect ?? 's3', ...(bucket !== undefined ? { bucket } : {}) }), (e: { code: string; message: string }) => {
    assert.equal(e.code, 'MalformedPolicy');
    assert.match(e.message, message);
    return true;
  });
}

describe('policy documents: refused with a message saying where', () => {
  it('not JSON, or not an object first', () => {
    malformed('', /first byte must be '\{'/);
    malformed('[{"Statement": []}]', /first byte must be '\{'/);
    malformed('{"Statement": [', /valid JSON/);
    malformed('  {"Version": "2012-10-17"}', /Missing required field Statement/);
  });
  it('missing and invalid elements', () => {
    malformed(doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bkt/*' }]), /^Missing required field Principal$/);
    malformed(doc([{ Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bkt/*' }]), /Missing required field Effect/);
    malformed(doc([stmt({ Effect: 'Maybe' })]), /Invalid effect: Maybe/);
    malformed(doc([{ Effect: 'Allow', Principal: '*', Resource: 'arn:aws:s3:::bkt/*' }]), /Missing required field Action in statement 1/);
    malformed(doc([{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }]), /Missing required field Resource/);
    malformed(doc([stmt({ Sid: 'mine', Bogus: 1 })]), /Unknown field Bogus in statement "mine"/);
    malformed(doc([]), /Statement is empty/);
    malformed(doc([stmt({})], { Version: '2020-01-01' }), /Invalid policy version/);
  });
  it('principals', () => {
    malformed(doc([stmt({ Principal: { AWS: 'arn:aws:iam::' } })]), /^Invalid principal in policy$/);
    malformed(doc([stmt({ Principal: { Nobody: 'x' } })]), /Invalid principal in policy/);
    malformed(doc([stmt({ Principal: 'someone' })]), /Invalid principal in policy/);
    malformed(doc([stmt({ Principal: undefined, NotPrincipal: { AWS: 'acct-b' } })]), /NotPrincipal is only allowed with Effect Deny/);
    malformed(doc([stmt({ NotPrincipal: { AWS: 'acct-b' } })]), /both Principal and NotPrincipal/);
    // An identity policy names no principal.
    malformed(doc([stmt({})]), /should not specify a principal/, { bucket: null });
  });
  it('actions and resources', () => {
    malformed(doc([stmt({ Action: 'GetObject' })]), /invalid action: GetObject/);
    malformed(doc([stmt({ Action: 'iam:CreateUser' })]), /invalid action: iam:CreateUser/);
    malformed(doc([stmt({ Resource: 'arn:aws:s3:::bkt' })]), /^Action does not apply to any resource\(s\) in statement$/);
    malformed(doc([stmt({ Action: 's3:ListBucket', Resource: 'arn:aws:s3:::bkt/*' })]), /Action does not apply/);
    malformed(doc([stmt({ Resource: 'arn:aws:s3:::other-bucket/*' })]), /invalid resource: arn:aws:s3:::other-bucket\/\*/);
    malformed(doc([stmt({ Resource: 'bkt/*' })]), /invalid resource/);
    malformed(doc([stmt({ Resource: [] })]), /Resource must not be empty/);
  });
  it('conditions', () => {
    malformed(doc([stmt({ Condition: { StringSorta: { 's3:prefix': 'a' } } })]), /unknown condition operator StringSorta/);
    malformed(doc([stmt({ Condition: { StringEquals: { 'foo:bar': 'a' } } })]), /invalid condition key: foo:bar/);
    malformed(doc([stmt({ Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.300/8' } } })]), /invalid IP address/);
    // Prefixes node's BlockList would abort the process on are refused first.
    for (const cidr of ['10.0.0.0/-0', '10.0.0.0/1e1', '10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/ 8'])
      malformed(doc([stmt({ Condition: { IpAddress: { 'aws:SourceIp': cidr } } })]), /invalid CIDR/);
    malformed(doc([stmt({ Condition: { NumericLessThan: { 's3:max-keys': 'ten' } } })]), /invalid number/);
    malformed(doc([stmt({ Condition: { DateGreaterThan: { 'aws:CurrentTime': 'tomorrow' } } })]), /invalid date/);
    malformed(doc([stmt({ Condition: { Bool: { 'aws:SecureTransport': 'yes' } } })]), /invalid boolean/);
    malformed(doc([stmt({ Condition: 'x' })]), /Condition must be an object/);
  });
  it('accepts S3s own forms: a single statement object, wildcard buckets, principals of every kind', () => {
    const p = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: stmt({ Resource: ['arn:aws:s3:::*', 'arn:aws:s3:::*/*'] }) }), { dialect: 's3', bucket: 'bkt' });
    assert.equal(p.statements.length, 1);
    const principals = { AWS: ['acct-a', 'arn:aws:iam::acct-b:root', 'arn:aws:iam::acct-c:user/path/carol', 'arn:aws:sts::acct-d:assumed-role/r/s'], CanonicalUser: 'acct-e', Service: 'logging.s3.amazonaws.com' };
    assert.equal(bucketPolicy([stmt({ Principal: principals })]).statements.length, 1);
  });
});

describe('policy evaluation', () => {
  it('wildcards in actions (case-insensitive) and resources (* and ?)', () => {
    const p = bucketPolicy([stmt({ Action: 's3:get*', Resource: 'arn:aws:s3:::bkt/photos/??.jpg' })]);
    assert.equal(evaluate(p, req({ resource: 'bkt/photos/ab.jpg' })), 'Allow');
    assert.equal(evaluate(p, req({ resource: 'bkt/photos/a.jpg' })), 'none');
    assert.equal(evaluate(p, req({ action: 's3:GetObjectAcl', resource: 'bkt/photos/ab.jpg' })), 'Allow');
    assert.equal(evaluate(p, req({ action: 's3:PutObject', resource: 'bkt/photos/ab.jpg' })), 'none');
    const star = bucketPolicy([stmt({ Action: '*', Resource: 'arn:aws:s3:::bkt*' })]);
    assert.equal(evaluate(star, req({ action: 's3:DeleteBucket', resource: 'bkt' })), 'Allow');
    assert.equal(evaluate(star, req({ resource: 'bkt/any/depth/key' })), 'Allow', '* crosses /');
  });
  it('an applicable Deny wins over any Allow', () => {
    const p = bucketPolicy([stmt({ Resource: 'arn:aws:s3:::bkt/*' }), stmt({ Effect: 'Deny', Resource: 'arn:aws:s3:::bkt/private/*' })]);
    assert.equal(evaluate(p, req({ resource: 'bkt/public/x' })), 'Allow');
    assert.equal(evaluate(p, req({ resource: 'bkt/private/x' })), 'Deny');
  });
  it('NotAction, NotResource, NotPrincipal', () => {
    const notAction = bucketPolicy([stmt({ Action: undefined, NotAction: 's3:Delete*', Resource: 'arn:aws:s3:::bkt/*' })]);
    assert.equal(evaluate(notAction, req({ action: 's3:PutObject' })), 'Allow');
    assert.equal(evaluate(notAction, req({ action: 's3:DeleteObject' })), 'none');
    const notResource = bucketPolicy([stmt({ Effect: 'Deny', Resource: undefined, NotResource: 'arn:aws:s3:::bkt/public/*' })]);
    assert.equal(evaluate(notResource, req({ resource: 'bkt/secret' })), 'Deny');
    assert.equal(evaluate(notResource, req({ resource: 'bkt/public/x' })), 'none');
    const notPrincipal = bucketPolicy([stmt({ Effect: 'Deny', Principal: undefined, NotPrincipal: { AWS: 'arn:aws:iam::acct-a:root' } })]);
    assert.equal(evaluate(notPrincipal, req({ principal: ROOT_A })), 'none');
    assert.equal(evaluate(notPrincipal, req({ principal: ROOT_B })), 'Deny');
    assert.equal(evaluate(notPrincipal, req({ principal: ANON })), 'Deny');
  });
  it('principals: everyone, accounts, users, role sessions, canonical ids; anonymous only as everyone', () => {
    const is = (principal: unknown, p: Principal) => evaluate(bucketPolicy([stmt({ Principal: principal })]), req({ principal: p })) === 'Allow';
    assert.ok(is('*', ANON) && is({ AWS: '*' }, ANON));
    assert.ok(is({ AWS: 'acct-b' }, ROOT_B) && is({ AWS: 'acct-b' }, USER_B) && is({ AWS: 'arn:aws:iam::acct-b:root' }, ROLE_B));
    assert.ok(!is({ AWS: 'acct-b' }, ROOT_A) && !is({ AWS: 'acct-b' }, ANON));
    assert.ok(is({ AWS: 'arn:aws:iam::acct-b:user/bob' }, USER_B) && !is({ AWS: 'arn:aws:iam::acct-b:user/alice' }, USER_B));
    assert.ok(!is({ AWS: 'arn:aws:iam::acct-b:user/bob' }, ROOT_B));
    assert.ok(is({ AWS: 'arn:aws:sts::acct-b:assumed-role/reader/sess1' }, ROLE_B) && !is({ AWS: 'arn:aws:sts::acct-b:assumed-role/reader/other' }, ROLE_B));
    assert.ok(is({ AWS: 'arn:aws:iam::acct-b:role/reader' }, ROLE_B));
    assert.ok(is({ CanonicalUser: 'acct-b' }, ROOT_B) && !is({ CanonicalUser: 'acct-b' }, ROOT_A));
  });
  it('identity policies apply to their holder and may name other services', () => {
    const p = parsePolicy(doc([{ Effect: 'Allow', Action: ['s3:GetObject', 'iam:GetUser'], Resource: ['arn:aws:s3:::bkt/reports/*', 'arn:aws:iam::acct-b:user/bob'] }]), { dialect: 's3' });
    assert.equal(evaluate(p, req({ principal: USER_B, resource: 'bkt/reports/q1' })), 'Allow');
    assert.equal(evaluate(p, req({ principal: USER_B, resource: 'bkt/other' })), 'none');
  });
});

describe('condition operators', () => {
  const cond = (Condition: unknown) => bucketPolicy([stmt({ Condition })]);
  const allows = (Condition: unknown, values: Record<string, string[]>) => evaluate(cond(Condition), req({ values })) === 'Allow';

  it('String*: exact, case-insensitive, wildcard, negated; absent keys', () => {
    assert.ok(allows({ StringEquals: { 's3:prefix': ['a/', 'b/'] } }, { 's3:prefix': ['b/'] }));
    assert.ok(!allows({ StringEquals: { 's3:prefix': 'a/' } }, { 's3:prefix': ['A/'] }));
    assert.ok(allows({ StringEqualsIgnoreCase: { 's3:prefix': 'a/' } }, { 's3:prefix': ['A/'] }));
    assert.ok(allows({ StringNotEqualsIgnoreCase: { 's3:prefix': 'a/' } }, { 's3:prefix': ['b/'] }));
    assert.ok(allows({ StringLike: { 'aws:Referer': 'https://*.example.com/?' } }, { 'aws:referer': ['https://www.example.com/x'] }));
    assert.ok(!allows({ StringLike: { 'aws:Referer': 'https://*.example.com/?' } }, { 'aws:referer': ['https://www.example.com/xy'] }));
    assert.ok(allows({ StringNotLike: { 'aws:Referer': '*.evil.*' } }, { 'aws:referer': ['http://good.org/'] }));
    assert.ok(!allows({ StringNotEquals: { 's3:prefix': ['a/', 'b/'] } }, { 's3:prefix': ['a/'] }), 'negated: none of the values may match');
    assert.ok(!allows({ StringEquals: { 's3:prefix': 'a/' } }, {}), 'absent key: positive operator is false');
    assert.ok(allows({ StringNotEquals: { 's3:prefix': 'a/' } }, {}), 'absent key: negated operator is true');
    assert.ok(allows({ StringEqualsIfExists: { 's3:prefix': 'a/' } }, {}), 'IfExists: absent is true');
    assert.ok(!allows({ StringEqualsIfExists: { 's3:prefix': 'a/' } }, { 's3:prefix': ['b/'] }), 'IfExists: present is tested');
  });
  it('Numeric*', () => {
    const n = (op: string, v: string, actual: string) => allows({ [op]: { 's3:max-keys': v } }, { 's3:max-keys': [actual] });
    assert.ok(n('NumericEquals', '10', '10') && !n('NumericEquals', '10', '11'));
    assert.ok(n('NumericNotEquals', '10', '11') && !n('NumericNotEquals', '10', '10'));
    assert.ok(n('NumericLessThan', '10', '9') && !n('NumericLessThan', '10', '10'));
    assert.ok(n('NumericLessThanEquals', '10', '10') && !n('NumericLessThanEquals', '10', '11'));
    assert.ok(n('NumericGreaterThan', '10', '11') && !n('NumericGreaterThan', '10', '10'));
    assert.ok(n('NumericGreaterThanEquals', '10', '10') && !n('NumericGreaterThanEquals', '10', '9'));
    assert.ok(!n('NumericEquals', '10', 'ten'), 'a request value that is no number matches nothing');
  });
  it('Date* against ISO dates and epoch seconds', () => {
    const now = '2026-06-01T12:00:00.000Z';
    const d = (op: string, v: string) => allows({ [op]: { 'aws:CurrentTime': v } }, { 'aws:currenttime': [now] });
    assert.ok(d('DateGreaterThan', '2026-01-01T00:00:00Z') && !d('DateGreaterThan', '2027-01-01T00:00:00Z'));
    assert.ok(d('DateLessThan', '2027-01-01') && !d('DateLessThan', '2026-06-01T12:00:00Z'));
    assert.ok(d('DateLessThanEquals', '2026-06-01T12:00:00Z') && d('DateGreaterThanEquals', '2026-06-01T12:00:00Z'));
    assert.ok(d('DateEquals', String(Date.parse(now) / 1000)) && d('DateNotEquals', '2020-01-01'));
  });
  it('Bool, Null, Binary', () => {
    assert.ok(allows({ Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:securetransport': ['false'] }));
    assert.ok(!allows({ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:securetransport': ['false'] }));
    assert.ok(allows({ Null: { 's3:x-amz-server-side-encryption': 'true' } }, {}), 'Null true: the key is absent');
    assert.ok(!allows({ Null: { 's3:x-amz-server-side-encryption': 'true' } }, { 's3:x-amz-server-side-encryption': ['AES256'] }));
    assert.ok(allows({ Null: { 's3:x-amz-server-side-encryption': 'false' } }, { 's3:x-amz-server-side-encryption': ['AES256'] }));
    assert.ok(allows({ BinaryEquals: { 's3:x-amz-meta-blob': 'QUJD' } }, { 's3:x-amz-meta-blob': ['QUJD'] }));
  });
  it('IpAddress and NotIpAddress, IPv4 and IPv6, CIDR and single addresses', () => {
    const ip = (op: string, v: string | string[], actual: string) => allows({ [op]: { 'aws:SourceIp': v } }, { 'aws:sourceip': [actual] });
    assert.ok(ip('IpAddress', '10.1.0.0/16', '10.1.200.3') && !ip('IpAddress', '10.1.0.0/16', '10.2.0.1'));
    assert.ok(ip('IpAddress', ['192.0.2.1', '127.0.0.0/8'], '127.0.0.1'));
    assert.ok(ip('IpAddress', '2001:db8::/32', '2001:db8:1::5') && !ip('IpAddress', '2001:db8::/32', '2001:db9::1'));
    assert.ok(ip('IpAddress', '127.0.0.1/32', '::ffff:127.0.0.1'), 'an IPv4-mapped peer address is its IPv4 address');
    assert.ok(ip('NotIpAddress', '10.0.0.0/8', '127.0.0.1') && !ip('NotIpAddress', '10.0.0.0/8', '10.9.9.9'));
  });
  it('ArnLike and ArnEquals', () => {
    const arn = (op: string, v: string, actual: string) => allows({ [op]: { 'aws:SourceArn': v } }, { 'aws:sourcearn': [actual] });
    assert.ok(arn('ArnLike', 'arn:aws:s3:::logs-*', 'arn:aws:s3:::logs-2026') && !arn('ArnLike', 'arn:aws:s3:::logs-*', 'arn:aws:s3:::data'));
    assert.ok(arn('ArnEquals', 'arn:aws:iam::acct-b:user/bob', 'arn:aws:iam::acct-b:user/bob'));
    assert.ok(arn('ArnNotLike', 'arn:aws:s3:::logs-*', 'arn:aws:s3:::data'));
  });
  it('ForAnyValue and ForAllValues over multi-valued keys', () => {
    const keys = { 's3:requestobjecttagkeys': ['project', 'owner'] };
    assert.ok(allows({ 'ForAnyValue:StringEquals': { 's3:RequestObjectTagKeys': ['owner', 'cost'] } }, keys));
    assert.ok(!allows({ 'ForAnyValue:StringEquals': { 's3:RequestObjectTagKeys': ['cost'] } }, keys));
    assert.ok(!allows({ 'ForAnyValue:StringEquals': { 's3:RequestObjectTagKeys': ['cost'] } }, {}), 'ForAnyValue: absent is false');
    assert.ok(allows({ 'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['project', 'owner', 'cost'] } }, keys));
    assert.ok(!allows({ 'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['project'] } }, keys));
    assert.ok(allows({ 'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['project'] } }, {}), 'ForAllValues: absent is true');
    assert.ok(allows({ 'ForAllValues:StringLike': { 's3:RequestObjectTagKeys': ['p*', 'o*'] } }, keys));
  });
  it('several operators and keys must all hold; tag keys keep their case', () => {
    const c = { StringEquals: { 's3:ExistingObjectTag/Team': 'blue', 's3:prefix': 'x' }, IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } };
    const ok = { 's3:existingobjecttag/Team': ['blue'], 's3:prefix': ['x'], 'aws:sourceip': ['127.0.0.1'] };
    assert.ok(allows(c, ok));
    assert.ok(!allows(c, { ...ok, 'aws:sourceip': ['10.0.0.1'] }));
    assert.ok(!allows(c, { ...ok, 's3:existingobjecttag/Team': undefined as unknown as string[], 's3:existingobjecttag/team': ['blue'] }));
    assert.ok(cond(c).readsObjectTags);
  });
});

describe('the other languages: OBS and OSS compile into the same model', () => {
  it('OBS: bare actions, bucket/key resources, domain principals, unprefixed keys', () => {
    const text = JSON.stringify({
      Statement: [{ Sid: 's', Effect: 'Allow', Principal: { ID: ['domain/acct-b:user/bob', 'domain/acct-c'] }, Action: ['GetObject', 'ListBucket'], Resource: ['bkt/*', 'bkt'], Condition: { IpAddress: { SourceIp: '127.0.0.0/8' }, StringEquals: { prefix: 'p/' } } }],
    });
    const p = parsePolicy(text, { dialect: 'obs', bucket: 'bkt' });
    const keys = { 'aws:sourceip': ['127.0.0.1'], 's3:prefix': ['p/'] };
    assert.equal(evaluate(p, req({ principal: USER_B, values: keys })), 'Allow');
    assert.equal(evaluate(p, req({ principal: { kind: 'root', accountId: 'acct-c' }, action: 's3:ListBucket', resource: 'bkt', values: keys })), 'Allow');
    assert.equal(evaluate(p, req({ principal: ROOT_B, values: keys })), 'none', 'a named user is not its account');
    assert.throws(() => parsePolicy(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { ID: ['acct-b'] }, Action: 'GetObject', Resource: 'bkt/*' }] }), { dialect: 'obs', bucket: 'bkt' }), /Invalid principal/);
    // OBS's AWS-compatible form is S3's.
    assert.equal(evaluate(parsePolicy(doc([stmt({})]), { dialect: 'obs', bucket: 'bkt' }), req()), 'Allow');
  });
  it('OSS: acs: resources, oss: actions mapped onto the s3: vocabulary, principal lists, acs:/oss: keys', () => {
    const text = JSON.stringify({
      Version: '1',
      Statement: [
        { Effect: 'Allow', Principal: ['acct-b'], Action: ['oss:GetObject', 'oss:ListObjects'], Resource: ['acs:oss:*:*:bkt/*', 'acs:oss:*:*:bkt'], Condition: { StringLike: { 'oss:Prefix': 'docs/*' } } },
        { Effect: 'Deny', Principal: ['*'], Action: ['oss:*'], Resource: ['acs:oss:*:acct-a:bkt/secret/*'], Condition: { NotIpAddress: { 'acs:SourceIp': '192.0.2.0/24' } } },
      ],
    });
    const p = parsePolicy(text, { dialect: 'oss', bucket: 'bkt' });
    assert.equal(evaluate(p, req({ action: 's3:ListBucket', resource: 'bkt', values: { 's3:prefix': ['docs/a'] } })), 'Allow');
    assert.equal(evaluate(p, req({ action: 's3:ListBucket', resource: 'bkt', values: { 's3:prefix': ['img/'] } })), 'none');
    assert.equal(evaluate(p, req({ resource: 'bkt/secret/x', values: { 'aws:sourceip': ['127.0.0.1'] } })), 'Deny');
    assert.equal(evaluate(p, req({ resource: 'bkt/secret/x', values: { 'aws:sourceip': ['192.0.2.7'] } })), 'none', 'not denied from the listed network (nor allowed: no prefix)');
    assert.throws(() => parsePolicy(JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Principal: ['*'], Action: 's3:GetObject', Resource: 'acs:oss:*:*:bkt/*' }] }), { dialect: 'oss', bucket: 'bkt' }), /invalid action/);
    assert.throws(() => parsePolicy(JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Principal: ['*'], Action: 'oss:GetObject', Resource: 'arn:aws:s3:::bkt/*' }] }), { dialect: 'oss', bucket: 'bkt' }), /invalid resource/);
    // An empty principal list is everyone.
    const empty = parsePolicy(JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Principal: [], Action: 'oss:GetObject', Resource: 'acs:oss:*:*:bkt/*' }] }), { dialect: 'oss', bucket: 'bkt' });
    assert.equal(evaluate(empty, req({ principal: ANON })), 'Allow');
  });
});

describe('public policies (S3 definition)', () => {
  it('an Allow to everyone is public unless a condition pins the caller', () => {
    assert.ok(isPublicPolicy(bucketPolicy([stmt({})])));
    assert.ok(isPublicPolicy(bucketPolicy([stmt({ Principal: { AWS: '*' }, Condition: { StringLike: { 's3:prefix': 'x*' } } })])));
    assert.ok(!isPublicPolicy(bucketPolicy([stmt({ Principal: { AWS: 'arn:aws:iam::s3tenant1:root' } })])));
    assert.ok(!isPublicPolicy(bucketPolicy([stmt({ Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/32' } } })])));
    assert.ok(!isPublicPolicy(bucketPolicy([stmt({ Effect: 'Deny' })])));
  });
});

describe('wildcards', () => {
  it('match * and ? by characters, literally otherwise, without backtracking blow-ups', async () => {
    const { wildcard } = await import('../../src/authz/policy/wildcard.js');
    assert.ok(wildcard('a*b?c')('a/x/yb中c'));
    assert.ok(!wildcard('a*b?c')('abc'));
    assert.ok(wildcard('a.c')('a.c') && !wildcard('a.c')('abc'), 'regex characters are literal');
    assert.ok(wildcard('[x]+(y)')('[x]+(y)'));
    assert.ok(wildcard('**')('') && wildcard('a*')('a') && !wildcard('?')(''));
    assert.ok(wildcard('😀?')('😀😀'), '? is one whole character');
    assert.ok(wildcard('S3:get*', true)('s3:GetObject') && !wildcard('S3:get*')('s3:GetObject'));
    // A pattern that is exponential for a backtracking regex: answered at once.
    const evil = wildcard('*a'.repeat(40) + 'b');
    assert.equal(evil('a'.repeat(1024)), false);
  });
});
