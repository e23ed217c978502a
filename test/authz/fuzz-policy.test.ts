/**
 * The policy parser against mutated documents (the hardening fuzzer's
 * mutations, replayable by STRATUS_FUZZ_SEED): every input is either a
 * policy or MalformedPolicy, never another error, a hang or a crash; and a
 * policy that parses evaluates without throwing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../../src/authz/policy/evaluate.js';
import { parsePolicy } from '../../src/authz/policy/parse.js';
import { mutate, ROUNDS, rngFor, SEED } from '../hardening/fuzz.js';

const S3 = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'a', Effect: 'Allow', Principal: { AWS: ['acct-b', 'arn:aws:iam::acct-c:user/u'] }, Action: ['s3:Get*', 's3:ListBucket'], Resource: ['arn:aws:s3:::bkt', 'arn:aws:s3:::bkt/*'], Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] }, 'ForAnyValue:StringLike': { 's3:prefix': 'x*' }, NumericLessThanEquals: { 's3:max-keys': 100 } } },
    { Effect: 'Deny', NotPrincipal: { CanonicalUser: 'acct-a' }, NotAction: 's3:GetObject', NotResource: 'arn:aws:s3:::bkt/pub/?', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' }, Null: { 's3:x-amz-acl': 'true' }, BoolIfExists: { 'aws:SecureTransport': 'false' } } },
  ],
});
const OSS = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Principal: ['acct-b', 'arn:sts::acct-c:assumed-role/r/s'], Action: ['oss:GetObject', 'oss:List*'], Resource: ['acs:oss:*:*:bkt/*', 'acs:oss:*:*:bkt'], Condition: { StringEquals: { 'acs:SourceVpc': 'vpc-1' } } }] });
const OBS = JSON.stringify({ Statement: [{ Sid: 's', Effect: 'Allow', Principal: { ID: ['domain/acct-b:user/*', '*'] }, Action: ['GetObject', 'ListBucket'], Resource: ['bkt/*', 'bkt'], Condition: { StringNotEquals: { Referer: 'x' } } }] });

describe(`fuzz: bucket policies (seed ${SEED})`, () => {
  for (const [dialect, text] of [['s3', S3], ['oss', OSS], ['obs', OBS]] as const) {
    it(`${dialect}: a policy or MalformedPolicy, nothing else`, () => {
      parsePolicy(text, { dialect, bucket: 'bkt' }); // the seed document is valid
      const rng = rngFor(`policy-${dialect}`);
      for (let i = 0; i < ROUNDS * 4; i++) {
        const { data, how } = mutate(rng, Buffer.from(text));
        try {
          const p = parsePolicy(data.toString('utf8'), { dialect, bucket: 'bkt' });
          evaluate(p, { principal: { kind: 'anonymous' }, action: 's3:GetObject', resource: 'bkt/pub/a', keys: () => ['x'] });
        } catch (e) {
          assert.equal((e as { code?: string }).code, 'MalformedPolicy', `${how}: ${String(e)} (seed ${SEED})`);
        }
      }
    });
  }
});
