import { StorageError } from '../engine/errors.js';
import type { Reply } from '../http/reply.js';
import type { RoutingRule, WebsiteConfig, WebsiteRedirect } from '../website/config.js';
import { readVerifiedBody } from './body.js';
import type { OpContext } from './op-context.js';
import { asArray, parseXmlBody } from './xml.js';

const MAX_BODY = 128 * 1024;

type Node = Record<string, unknown>;
const malformed = () => new StorageError('MalformedXML');

/** An element holding child elements (nothing else than the names allowed). */
function node(v: unknown, allowed: readonly string[]): Node {
  if (v === '') return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw malformed();
  for (const k of Object.keys(v)) if (k !== '#text' && !allowed.includes(k)) throw malformed();
  return v as Node;
}
const text = (v: unknown): string | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw malformed();
  return v;
};
const int = (v: unknown, name: string): number | undefined => {
  const s = text(v);
  if (s === undefined) return undefined;
  if (!/^\d{1,9}$/.test(s.trim())) throw new StorageError('InvalidArgument', `The value of ${name} is not valid.`, { ArgumentName: name, ArgumentValue: s });
  return Number(s.trim());
};
const protocol = (v: unknown): 'http' | 'https' | undefined => {
  const s = text(v);
  if (s === undefined) return undefined;
  if (s !== 'http' && s !== 'https') throw new StorageError('InvalidArgument', 'Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.', { ArgumentName: 'Protocol', ArgumentValue: s });
  return s;
};
const bool = (v: unknown): boolean | undefined => {
  const s = text(v);
  if (s === undefined) return undefined;
  if (s !== 'true' && s !== 'false') throw malformed();
  return s === 'true';
};

/** OSS Redirect children a mirror-back rule uses: Stratus has no mirror-back. */
const OSS_MIRROR = ['MirrorURL', 'MirrorSNI', 'MirrorPassQueryString', 'MirrorFollowRedirect', 'MirrorCheckMd5', 'MirrorHeaders', 'MirrorMultiAlternates', 'MirrorURLSlave', 'MirrorURLProbe', 'MirrorPassOriginalSlashes', 'MirrorAllowGetImageInfo', 'MirrorAllowVideoSnapshot', 'MirrorIsExpressTunnel', 'MirrorDstRegion', 'MirrorDstVpcId', 'MirrorUsingRole', 'MirrorRole', 'MirrorProxyPass', 'MirrorSaveOssMeta', 'MirrorAsyncStatus', 'MirrorTaggings', 'MirrorReturnHeaders', 'MirrorAuth', 'MirrorDstSlaveVpcId', 'TransparentMirrorResponseCodes'];

function readRedirect(v: unknown, oss: boolean): WebsiteRedirect {
  const base = ['Protocol', 'HostName', 'ReplaceKeyPrefixWith', 'ReplaceKeyWith', 'HttpRedirectCode'];
  const n = node(v, oss ? [...base, 'RedirectType', 'PassQueryString', 'EnableReplacePrefix', ...OSS_MIRROR] : base);
  if (oss) {
    const type = text(n.RedirectType);
    if (type === 'Mirror' || OSS_MIRROR.some((k) => n[k] !== undefined)) throw new StorageError('NotImplemented', 'Mirror-back routing rules are not implemented by Stratus.');
    if (type !== undefined && type !== 'External' && type !== 'AliCDN') throw new StorageError('InvalidArgument', 'The RedirectType is not valid.', { ArgumentName: 'RedirectType', ArgumentValue: type });
    bool(n.PassQueryString);
    bool(n.EnableReplacePrefix);
  }
  const r: WebsiteRedirect = {};
  const p = protocol(n.Protocol);
  if (p) r.protocol = p;
  for (const [field, el] of [['hostName', 'HostName'], ['replaceKeyPrefixWith', 'ReplaceKeyPrefixWith'], ['replaceKeyWith', 'ReplaceKeyWith']] as const) {
    const t = text(n[el]);
    if (t !== undefined) r[field] = t;
  }
  const code = int(n.HttpRedirectCode, 'HttpRedirectCode');
  if (code !== undefined) r.httpRedirectCode = code;
  return r;
}

function readRule(v: unknown, oss: boolean): RoutingRule {
  const n = node(v, oss ? ['RuleNumber', 'Condition', 'Redirect', 'LuaConfig'] : ['Condition', 'Redirect']);
  if (n.Redirect === undefined) throw malformed();
  if (n.LuaConfig !== undefined) throw new StorageError('NotImplemented', 'Lua routing rules are not implemented by Stratus.');
  const rule: RoutingRule = { redirect: readRedirect(n.Redirect, oss) };
  if (oss) {
    const num = int(n.RuleNumber, 'RuleNumber');
    if (num === undefined) throw malformed();
    rule.ruleNumber = num;
  }
  if (n.Condition !== undefined) {
    const c = node(n.Condition, oss ? ['KeyPrefixEquals', 'HttpErrorCodeReturnedEquals', 'KeySuffixEquals', 'IncludeHeader'] : ['KeyPrefixEquals', 'HttpErrorCodeReturnedEquals']);
    if (c.KeySuffixEquals !== undefined || c.IncludeHeader !== undefined) throw new StorageError('NotImplemented', 'This routing-rule condition is not implemented by Stratus.');
    rule.condition = {};
    const prefix = text(c.KeyPrefixEquals);
    if (prefix !== undefined) rule.condition.keyPrefixEquals = prefix;
    const code = int(c.HttpErrorCodeReturnedEquals, 'HttpErrorCodeReturnedEquals');
    if (code !== undefined) rule.condition.httpErrorCodeReturnedEquals = code;
  }
  return rule;
}

/** `<WebsiteConfiguration>`: S3's and OBS's shape, or OSS's (SupportSubDir, Type, HttpStatus, RuleNumber; no RedirectAllRequestsTo). */
function readWebsite(body: Buffer, oss: boolean): WebsiteConfig {
  const doc = node(parseXmlBody(body, 'WebsiteConfiguration'), oss ? ['IndexDocument', 'ErrorDocument', 'RoutingRules'] : ['IndexDocument', 'ErrorDocument', 'RoutingRules', 'RedirectAllRequestsTo']);
  const c: WebsiteConfig = { routingRules: [] };
  if (doc.IndexDocument !== undefined) {
    const n = node(doc.IndexDocument, oss ? ['Suffix', 'SupportSubDir', 'Type'] : ['Suffix']);
    c.indexSuffix = text(n.Suffix) ?? '';
    const sub = bool(n.SupportSubDir);
    if (sub !== undefined) c.supportSubDir = sub;
    const type = int(n.Type, 'Type');
    if (type !== undefined) {
      if (type > 2) throw new StorageError('InvalidArgument', 'The value of Type is not valid.', { ArgumentName: 'Type', ArgumentValue: String(type) });
      c.indexType = type;
    }
  }
  if (doc.ErrorDocument !== undefined) {
    const n = node(doc.ErrorDocument, oss ? ['Key', 'HttpStatus'] : ['Key']);
    c.errorKey = text(n.Key) ?? '';
    const status = int(n.HttpStatus, 'HttpStatus');
    if (status !== undefined) {
      if (status !== 200 && status !== 404) throw new StorageError('InvalidArgument', 'The HttpStatus of ErrorDocument must be 200 or 404.', { ArgumentName: 'HttpStatus', ArgumentValue: String(status) });
      c.errorStatus = status;
    }
  }
  if (doc.RedirectAllRequestsTo !== undefined) {
    const n = node(doc.RedirectAllRequestsTo, ['HostName', 'Protocol']);
    const p = protocol(n.Protocol);
    c.redirectAll = { hostName: text(n.HostName) ?? '', ...(p ? { protocol: p } : {}) };
  }
  if (doc.RoutingRules !== undefined) {
    const n = node(doc.RoutingRules, ['RoutingRule']);
    c.routingRules = asArray(n.RoutingRule as unknown[] | undefined).map((r) => readRule(r, oss));
    if (oss) c.routingRules.sort((a, b) => (a.ruleNumber ?? 0) - (b.ruleNumber ?? 0));
  }
  return c;
}

function websiteDoc(c: WebsiteConfig, oss: boolean) {
  const value: Node = {};
  if (c.redirectAll) value.RedirectAllRequestsTo = { HostName: c.redirectAll.hostName, ...(c.redirectAll.protocol ? { Protocol: c.redirectAll.protocol } : {}) };
  if (c.indexSuffix !== undefined)
    value.IndexDocument = { Suffix: c.indexSuffix, ...(oss ? { SupportSubDir: c.supportSubDir ? 'true' : 'false', Type: c.indexType ?? 0 } : {}) };
  if (c.errorKey !== undefined) value.ErrorDocument = { Key: c.errorKey, ...(oss ? { HttpStatus: c.errorStatus ?? 404 } : {}) };
  if (c.routingRules.length)
    value.RoutingRules = {
      RoutingRule: c.routingRules.map((r) => {
        const d = r.redirect;
        const redirect: Node = {};
        if (oss) redirect.RedirectType = 'External';
        if (d.protocol) redirect.Protocol = d.protocol;
        if (d.hostName !== undefined) redirect.HostName = d.hostName;
        if (d.replaceKeyPrefixWith !== undefined) redirect.ReplaceKeyPrefixWith = d.replaceKeyPrefixWith;
        if (d.replaceKeyWith !== undefined) redirect.ReplaceKeyWith = d.replaceKeyWith;
        if (d.httpRedirectCode !== undefined) redirect.HttpRedirectCode = d.httpRedirectCode;
        const cond = r.condition && {
          ...(r.condition.keyPrefixEquals !== undefined ? { KeyPrefixEquals: r.condition.keyPrefixEquals } : {}),
          ...(r.condition.httpErrorCodeReturnedEquals !== undefined ? { HttpErrorCodeReturnedEquals: r.condition.httpErrorCodeReturnedEquals } : {}),
        };
        return { ...(oss ? { RuleNumber: r.ruleNumber } : {}), ...(cond ? { Condition: cond } : {}), Redirect: redirect };
      }),
    };
  return { root: 'WebsiteConfiguration', value };
}

/** S3 PutBucketWebsite, OSS PutBucketWebsite, OBS setBucketWebsite. */
export async function putBucketWebsite(op: OpContext): Promise<Reply> {
  const { engine } = op.services;
  await engine.getBucket(op.bucket!);
  const oss = op.vocab.dialect === 'oss';
  const config = readWebsite(await readVerifiedBody(op, MAX_BODY), oss);
  // S3 and OBS want an index document unless everything is redirected; OSS also takes an error document or rules alone.
  if (!oss && !config.redirectAll && config.indexSuffix === undefined)
    throw new StorageError('InvalidArgument', 'A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty', { ArgumentName: 'IndexDocument', ArgumentValue: 'null' });
  await engine.setBucketSetting(op.bucket!, 'website', config);
  return { status: 200 };
}

export async function getBucketWebsite(op: OpContext): Promise<Reply> {
  const config = await op.services.engine.bucketSetting(op.bucket!, 'website');
  if (!config) throw new StorageError('NoSuchWebsiteConfiguration', undefined, { BucketName: op.bucket! });
  return { status: 200, body: websiteDoc(config, op.vocab.dialect === 'oss') };
}

export async function deleteBucketWebsite(op: OpContext): Promise<Reply> {
  await op.services.engine.setBucketSetting(op.bucket!, 'website', null);
  return { status: 204 };
}
