import type { Principal } from './principal.js';
import type { RequestFacts } from './request-facts.js';

/**
 * The request's values of the condition keys a policy may ask about
 * (canonical names, see policy/model.ts), read from the request's facts on
 * demand: a policy without conditions never reads any of them. One closure
 * per request; the readers are plain functions.
 */
export function conditionKeys(principal: Principal, facts: RequestFacts | undefined, objectTags?: () => Record<string, string> | undefined): (name: string) => readonly string[] | undefined {
  return (name) => keyValues(name, principal, facts, objectTags);
}

function header(facts: RequestFacts | undefined, name: string): string | undefined {
  const v = facts?.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** A header S3 names x-amz-*, or its dialect's own name for it (x-oss-*, x-obs-*; OSS's object ACL header). */
function dialectHeader(facts: RequestFacts | undefined, amz: string): string | undefined {
  const direct = header(facts, amz);
  if (direct !== undefined || !facts || facts.dialect === 's3' || facts.dialect === 'cos') return direct;
  const rest = amz.slice('x-amz-'.length);
  if (facts.dialect === 'obs') return header(facts, 'x-obs-' + rest);
  return header(facts, 'x-oss-' + rest) ?? (rest === 'acl' ? header(facts, 'x-oss-object-acl') : undefined);
}

const one = (v: string | undefined) => (v === undefined ? undefined : [v]);

function requestTags(facts: RequestFacts | undefined): Map<string, string> | undefined {
  const t = dialectHeader(facts, 'x-amz-tagging');
  return t === undefined ? undefined : new Map(Array.from(new URLSearchParams(t)));
}

function keyValues(name: string, principal: Principal, facts: RequestFacts | undefined, objectTags?: () => Record<string, string> | undefined): readonly string[] | undefined {
  if (name.startsWith('s3:existingobjecttag/')) return one(objectTags?.()?.[name.slice('s3:existingobjecttag/'.length)]);
  if (name.startsWith('s3:requestobjecttag/')) return one(requestTags(facts)?.get(name.slice('s3:requestobjecttag/'.length)));
  switch (name) {
    case 'aws:sourceip':
      return one(facts?.sourceIp || undefined);
    case 'aws:securetransport':
      return facts ? [String(facts.secureTransport)] : undefined;
    case 'aws:referer':
      return one(header(facts, 'referer'));
    case 'aws:useragent':
      return one(header(facts, 'user-agent'));
    case 'aws:currenttime':
      return facts ? [new Date(facts.now).toISOString()] : undefined;
    case 'aws:epochtime':
      return facts ? [String(Math.floor(facts.now / 1000))] : undefined;
    case 'aws:username':
      return principal.kind === 'user' ? [principal.userName] : undefined;
    case 'aws:userid':
      if (principal.kind === 'anonymous') return ['anonymous'];
      return [principal.kind === 'user' ? principal.userId : principal.kind === 'role' ? `${principal.roleId}:${principal.session.name ?? ''}` : principal.accountId];
    case 'aws:principalaccount':
      return principal.kind === 'anonymous' ? undefined : [principal.accountId];
    case 'aws:principaltype':
      return [principal.kind === 'root' ? 'Account' : principal.kind === 'user' ? 'User' : principal.kind === 'role' ? 'AssumedRole' : 'Anonymous'];
    case 's3:prefix':
      return one(facts?.query.get('prefix'));
    case 's3:delimiter':
      return one(facts?.query.get('delimiter'));
    case 's3:max-keys':
      return one(facts?.query.get('max-keys'));
    case 's3:versionid':
      return one(facts?.query.get('versionId'));
    case 's3:requestobjecttagkeys': {
      const t = requestTags(facts);
      return t && [...t.keys()];
    }
    case 's3:signatureversion':
      return one(signatureVersion(facts));
    case 's3:authtype':
      return facts?.authType === 'header' ? ['REST-HEADER'] : facts?.authType === 'query' ? ['REST-QUERY-STRING'] : facts?.authType === 'post' ? ['POST'] : undefined;
  }
  if (name.startsWith('s3:x-amz-')) return one(dialectHeader(facts, name.slice(3)));
  return undefined;
}

function signatureVersion(facts: RequestFacts | undefined): string | undefined {
  const authorization = header(facts, 'authorization');
  if (authorization?.startsWith('AWS4-HMAC-SHA256')) return 'AWS4-HMAC-SHA256';
  if (authorization?.startsWith('AWS ')) return 'AWS';
  if (facts?.query.has('X-Amz-Algorithm')) return 'AWS4-HMAC-SHA256';
  if (facts?.query.has('AWSAccessKeyId')) return 'AWS';
  return undefined;
}
