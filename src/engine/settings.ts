import type { MetaOps } from '../meta/store.js';
import type { BucketRecord } from '../meta/types.js';
import { cannedAcl, validateAcl, type Acl } from './acl.js';
import { StorageError } from './errors.js';
import { validateLifecycle, type LifecycleConfiguration } from './lifecycle/model.js';
import { validateLogging, type LoggingConfig } from './access-log.js';
import { validateCors, type CorsConfig } from '../cors/rules.js';
import { validateWebsite, type WebsiteConfig } from '../website/config.js';
import { isNoRefererConfig, NO_REFERER_CONFIG, validateRefererConfig, type RefererConfig } from '../authz/referer.js';

/**
 * The typed registry of bucket settings (after Garage's `BucketParams`). Each
 * entry is one setting: its value type, its value for a bucket that has none
 * stored, the check a value passes before it is stored, and the row it is
 * stored in (`bucket_settings`, one JSON document per bucket and name). The
 * stored names and document shapes are data: an entry may change how it reads
 * a document, never the name or the shape it already wrote. A new feature
 * (CORS, website, lifecycle, logging, policy, encryption ...) adds one entry
 * here, and reads and writes it through `Engine.bucketSetting` /
 * `Engine.setBucketSetting` (or `readSetting` / `writeSetting` inside a
 * transaction): no other code names a stored setting.
 *
 * Versioning is not here: it is a column of the bucket row, because every
 * write reads it under that row's lock.
 */
export interface BucketSetting<T> {
  /** The `bucket_settings` row name: stored data, never renamed. */
  readonly stored: string;
  /** The value of a bucket without a stored row. */
  defaultFor(b: SettingOwner): T;
  /** Throws a StorageError for a value that may not be stored. */
  validate(v: T): void;
  /** The document stored for a value; undefined: the value is the default, the row is removed. */
  encode(v: T): unknown;
  /** The value of a stored document. */
  decode(doc: unknown): T;
}

/** What a setting's default may depend on. */
export type SettingOwner = Pick<BucketRecord, 'id' | 'ownerId'>;

export type TagSet = Record<string, string>;

/** The largest quota OBS accepts: 2^63 - 1 bytes. */
export const MAX_QUOTA = 2n ** 63n - 1n;

export type DataRedundancy = 'LRS' | 'ZRS';

export const BUCKET_DIALECTS = ['s3', 'oss', 'obs'] as const;
export type BucketDialect = (typeof BUCKET_DIALECTS)[number];

/** A bucket policy as stored: its text and the language (dialect) it was written in. */
export interface StoredPolicy {
  text: string;
  dialect: 's3' | 'oss' | 'obs';
  /** Put with x-amz-confirm-remove-self-bucket-access: its Deny binds the owner's root even on the policy itself. */
  confirmRemoveSelf?: boolean;
}

export const PAB_FLAGS = ['blockPublicAcls', 'ignorePublicAcls', 'blockPublicPolicy', 'restrictPublicBuckets'] as const;
export type PublicAccessBlock = Record<(typeof PAB_FLAGS)[number], boolean>;

export const OBJECT_OWNERSHIPS = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'] as const;
export type ObjectOwnership = (typeof OBJECT_OWNERSHIPS)[number];

const setting = <T>(s: BucketSetting<T>): BucketSetting<T> => s;
const isObject = (d: unknown): d is Record<string, unknown> => typeof d === 'object' && d !== null && !Array.isArray(d);

export const BUCKET_SETTINGS = {
  /** The bucket's ACL (neutral form, see acl.ts); without one, the owner's private ACL. */
  acl: setting<Acl>({
    stored: 'acl',
    defaultFor: (b) => cannedAcl('private', b.ownerId),
    validate: validateAcl,
    encode: (acl) => acl,
    decode: (doc) => doc as Acl,
  }),

  /** The bucket's tag set; null (no row) when it has none. Limits are the dialect's. */
  tags: setting<TagSet | null>({
    stored: 'tagging',
    defaultFor: () => null,
    validate: (tags) => {
      if (tags === null) return;
      if (!isObject(tags) || Object.values(tags).some((v) => typeof v !== 'string')) throw new StorageError('InvalidTag', 'A tag set maps tag keys to string values.');
    },
    encode: (tags) => (tags && Object.keys(tags).length ? { tags } : undefined),
    decode: (doc) => {
      const tags = isObject(doc) && isObject(doc.tags) ? (doc.tags as TagSet) : null;
      return tags && Object.keys(tags).length ? tags : null;
    },
  }),

  /**
   * The bucket's quota in bytes (OBS `?quota`); 0n: no limit (no row). Kept
   * as decimal text: quotas may exceed 2^53.
   */
  quota: setting<bigint>({
    stored: 'quota',
    defaultFor: () => 0n,
    validate: (bytes) => {
      if (bytes < 0n || bytes > MAX_QUOTA)
        throw new StorageError('InvalidArgument', 'The quota must be a non-negative integer no larger than 2^63-1', { ArgumentName: 'StorageQuota', ArgumentValue: String(bytes) });
    },
    encode: (bytes) => (bytes === 0n ? undefined : { bytes: bytes.toString() }),
    decode: (doc) => (isObject(doc) && typeof doc.bytes === 'string' ? BigInt(doc.bytes) : 0n),
  }),

  /**
   * The default storage class of new objects (OBS `?storagePolicy`, the class
   * given at bucket creation), by its neutral (S3) name.
   */
  storageClass: setting<string>({
    stored: 'storageClass',
    defaultFor: () => 'STANDARD',
    validate: (sc) => {
      if (!/^[A-Z][A-Z0-9_]{0,63}$/.test(sc)) throw new StorageError('InvalidStorageClass', undefined, { StorageClassRequested: sc });
    },
    encode: (storageClass) => ({ storageClass }),
    decode: (doc) => (isObject(doc) && typeof doc.storageClass === 'string' ? doc.storageClass : 'STANDARD'),
  }),

  /** OSS: the DataRedundancyType PutBucket's CreateBucketConfiguration asked for. */
  dataRedundancy: setting<DataRedundancy>({
    stored: 'oss-bucket-config',
    defaultFor: () => 'LRS',
    validate: (r) => {
      if (r !== 'LRS' && r !== 'ZRS')
        throw new StorageError('InvalidArgument', 'The DataRedundancyType you specified is not valid.', { ArgumentName: 'DataRedundancyType', ArgumentValue: String(r) });
    },
    encode: (dataRedundancyType) => ({ dataRedundancyType }),
    decode: (doc) => (isObject(doc) && doc.dataRedundancyType === 'ZRS' ? 'ZRS' : 'LRS'),
  }),

  /** CORS rules (S3 / OBS `?cors`, OSS `?cors`): null, no row, when CORS is not enabled. Neutral form in cors/rules.ts. */
  cors: setting<CorsConfig | null>({
    stored: 'cors',
    defaultFor: () => null,
    validate: (c) => c === null || validateCors(c),
    encode: (c) => c ?? undefined,
    decode: (doc) => (isObject(doc) && Array.isArray(doc.rules) ? (doc as unknown as CorsConfig) : null),
  }),

  /** Static website hosting (`?website`): null, no row, when the bucket has no website. Neutral form in website/config.ts. */
  website: setting<WebsiteConfig | null>({
    stored: 'website',
    defaultFor: () => null,
    validate: (c) => c === null || validateWebsite(c),
    encode: (c) => c ?? undefined,
    decode: (doc) => (isObject(doc) && Array.isArray(doc.routingRules) ? (doc as unknown as WebsiteConfig) : null),
  }),

  /**
   * The dialect whose API created the bucket: an unsigned request that names
   * no dialect (no signature, no dialect header, no dialect host) is answered
   * in it, so `oss2.AnonymousAuth` gets OSS's answers. S3 (no row) for the
   * rest; COS JSON v4 creates no buckets.
   */
  dialect: setting<BucketDialect>({
    stored: 'dialect',
    defaultFor: () => 's3',
    validate: (d) => {
      if (!BUCKET_DIALECTS.includes(d)) throw new StorageError('InvalidArgument', `unknown dialect ${String(d)}`);
    },
    encode: (dialect) => (dialect === 's3' ? undefined : { dialect }),
    decode: (doc) => (isObject(doc) && BUCKET_DIALECTS.includes(doc.dialect as BucketDialect) ? (doc.dialect as BucketDialect) : 's3'),
  }),

  /** OSS hotlink protection (PutBucketReferer), see authz/referer.ts; no row: none. */
  referer: setting<RefererConfig>({
    stored: 'referer',
    defaultFor: () => NO_REFERER_CONFIG,
    validate: validateRefererConfig,
    encode: (c) => (isNoRefererConfig(c) ? undefined : c),
    decode: (doc) => (isObject(doc) ? { ...NO_REFERER_CONFIG, ...(doc as Partial<RefererConfig>) } : NO_REFERER_CONFIG),
  }),

  /**
   * The bucket policy as its owner sent it (GetBucketPolicy returns the text
   * unchanged) and the language it was written in; null (no row) when none.
   * The handler parses it before storing (src/authz/policy); the authorizer
   * compiles it once per change (src/authz/bucket-access.ts).
   */
  policy: setting<StoredPolicy | null>({
    stored: 'policy',
    defaultFor: () => null,
    validate: (p) => {
      if (p !== null && (!isObject(p) || typeof p.text !== 'string' || !['s3', 'oss', 'obs'].includes(p.dialect))) throw new StorageError('MalformedPolicy', 'A stored policy is its text and its language.');
    },
    encode: (p) => p ?? undefined,
    decode: (doc) => (isObject(doc) && typeof doc.text === 'string' ? (doc as unknown as StoredPolicy) : null),
  }),

  /** S3's public access block (bucket level); null (no row): none configured. */
  publicAccessBlock: setting<PublicAccessBlock | null>({
    stored: 'publicAccessBlock',
    defaultFor: () => null,
    validate: (v) => {
      if (v !== null && (!isObject(v) || PAB_FLAGS.some((f) => typeof v[f] !== 'boolean'))) throw new StorageError('MalformedXML');
    },
    encode: (v) => v ?? undefined,
    decode: (doc) => (isObject(doc) ? (Object.fromEntries(PAB_FLAGS.map((f) => [f, doc[f] === true])) as unknown as PublicAccessBlock) : null),
  }),

  /**
   * Set (true) once another account than the owner has written an object into the bucket: only
   * then may an object there be one the owner's root cannot read by right (S3 with ACLs), so the
   * authorizer looks objects up for the owner only in such buckets. Never unset.
   */
  foreignWrites: setting<boolean>({
    stored: 'foreignWrites',
    defaultFor: () => false,
    validate: () => undefined,
    encode: (v) => (v ? true : undefined),
    decode: (doc) => doc === true,
  }),

  /** S3's object ownership (PutBucketOwnershipControls); null (no row): none configured, objects are their writer's. */
  ownershipControls: setting<ObjectOwnership | null>({
    stored: 'ownershipControls',
    defaultFor: () => null,
    validate: (v) => {
      if (v !== null && !OBJECT_OWNERSHIPS.includes(v)) throw new StorageError('MalformedXML');
    },
    encode: (v) => (v === null ? undefined : { objectOwnership: v }),
    decode: (doc) => (isObject(doc) && OBJECT_OWNERSHIPS.includes(doc.objectOwnership as ObjectOwnership) ? (doc.objectOwnership as ObjectOwnership) : null),
  }),

  /** The lifecycle configuration (neutral form, engine/lifecycle/model.ts); null (no row) when none. */
  lifecycle: setting<LifecycleConfiguration | null>({
    stored: 'lifecycle',
    defaultFor: () => null,
    validate: (c) => {
      if (c !== null) validateLifecycle(c);
    },
    encode: (c) => c ?? undefined,
    decode: (doc) => (isObject(doc) && Array.isArray(doc.rules) ? (doc as unknown as LifecycleConfiguration) : null),
  }),

  /** Server access logging (engine/access-log.ts); null (no row) when off. */
  logging: setting<LoggingConfig | null>({
    stored: 'logging',
    defaultFor: () => null,
    validate: validateLogging,
    encode: (c) => c ?? undefined,
    decode: (doc) => (isObject(doc) && typeof doc.targetBucket === 'string' ? (doc as unknown as LoggingConfig) : null),
  }),
} as const;

export type SettingName = keyof typeof BUCKET_SETTINGS;
export type SettingValue<N extends SettingName> = (typeof BUCKET_SETTINGS)[N] extends BucketSetting<infer T> ? T : never;
/** Settings given at bucket creation, each optional. */
export type BucketSettings = { [N in SettingName]?: SettingValue<N> };

function entry<N extends SettingName>(name: N): BucketSetting<SettingValue<N>> {
  return BUCKET_SETTINGS[name] as unknown as BucketSetting<SettingValue<N>>;
}

/** A bucket's setting, inside a transaction or on the store. */
export async function readSetting<N extends SettingName>(tx: MetaOps, b: SettingOwner, name: N): Promise<SettingValue<N>> {
  const s = entry(name);
  const doc = await tx.getSetting(b.id, s.stored);
  return doc === undefined ? s.defaultFor(b) : s.decode(doc);
}

/** Validates and stores a setting (a default value removes the row where the entry says so). */
export async function writeSetting<N extends SettingName>(tx: MetaOps, b: SettingOwner, name: N, value: SettingValue<N>): Promise<void> {
  const s = entry(name);
  s.validate(value);
  const doc = s.encode(value);
  if (doc === undefined) await tx.deleteSetting(b.id, s.stored);
  else await tx.putSetting(b.id, s.stored, doc);
}

/** Validates every given setting (before a bucket is created with them). */
export function validateSettings(settings: BucketSettings): void {
  for (const [name, value] of Object.entries(settings)) {
    if (!(name in BUCKET_SETTINGS)) throw new Error(`unknown bucket setting ${name}`);
    if (value !== undefined) entry(name as SettingName).validate(value as never);
  }
}
