import type { Principal } from './principal.js';
import type { RequestFacts } from './request-facts.js';

/**
 * The request's values of the condition keys a policy may ask about
 * (canonical names, see policy/model.ts), read from the request's facts on
 * demand: a policy without conditions never builds any of them.
 */
export function conditionKeys(principal: Principal, facts: RequestFacts | undefined, objectTags?: () => Record<string, string> | undefined): (name: string) => readonly string[] | undefined {
  const header = (name: string): string | undefined => {
    const v = facts?.headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  };
  /** A header S3 names x-amz-*, in the dialect's own prefix when it has one. */
  const dialectHeader = (amz: string): string | undefined => {
    const rest = amz.slice('x-amz-'.length);
    const own = facts?.dialect === 'oss' ? ['x-oss-' + rest, ...(rest === 'acl' ? ['x-oss-object-acl'] : [])] : facts?.dialect === 'obs' ? ['x-obs-' + rest] : [];
    for (const h of [amz, ...own]) {
      const v = header(h);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  const one = (v: string | undefined) => (v === undefined ? undefined : [v]);
  const query = (k: string) => one(facts?.query.get(k));
  const requestTags = (): Map<string, string> | undefined => {
    const t = dialectHeader('x-amz-tagging');
    if (t === undefined) return undefined;
    return new Map(Array.from(new URLSearchParams(t)));
  };

  return (name) => {
    if (name.startsWith('s3:existingobjecttag/')) return one(objectTags?.()?.[name.slice('s3:existingobjecttag/'.length)]);
    if (name.startsWith('s3:requestobjecttag/')) return one(requestTags()?.get(name.slice('s3:requestobjecttag/'.length)));
    switch (name) {
      case 'aws:sourceip':
        return one(facts?.sourceIp || undefined);
      case 'aws:securetransport':
        return facts ? [String(facts.secureTransport)] : undefined;
      case 'aws:referer':
        return one(header('referer'));
      case 'aws:useragent':
        return one(header('user-agent'));
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
      case 'aws:tokenissuetime':
        return undefined;
      case 's3:prefix':
        return query('prefix');
      case 's3:delimiter':
        return query('delimiter');
      case 's3:max-keys':
        return query('max-keys');
      case 's3:versionid':
        return query('versionId');
      case 's3:requestobjecttagkeys': {
        const t = requestTags();
        return t && [...t.keys()];
      }
      case 's3:signatureversion':
        return one(signatureVersion(header('authorization'), facts));
      case 's3:authtype':
        return facts?.authType === 'header' ? ['REST-HEADER'] : facts?.authType === 'query' ? ['REST-QUERY-STRING'] : facts?.authType === 'post' ? ['POST'] : undefined;
    }
    if (name.startsWith('s3:x-amz-')) return one(dialectHeader(name.slice(3)));
    return undefined;
  };
}

function signatureVersion(authorization: string | undefined, facts: RequestFacts | undefined): string | undefined {
  if (authorization?.startsWith('AWS4-HMAC-SHA256')) return 'AWS4-HMAC-SHA256';
  if (authorization?.startsWith('AWS ')) return 'AWS';
  if (facts?.query.has('X-Amz-Algorithm')) return 'AWS4-HMAC-SHA256';
  if (facts?.query.has('AWSAccessKeyId')) return 'AWS';
  return undefined;
}
