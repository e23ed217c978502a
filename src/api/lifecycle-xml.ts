import { randomBytes } from 'node:crypto';
import { StorageError } from '../engine/errors.js';
import type { Tag } from '../engine/lifecycle/model.js';
import { neutralStorageClass, wireStorageClass, type Vocabulary } from './vocabulary.js';
import { asArray } from './xml.js';

/**
 * Reading and writing the pieces every dialect's lifecycle document shares:
 * element values as text, whole numbers, dates, tags, storage classes.
 * Anything of the wrong shape is MalformedXML, as S3 answers.
 */
export type XmlNode = Record<string, unknown>;
const malformed = () => new StorageError('MalformedXML');

/** An element holding child elements ('' for an empty one: no children). */
export function node(v: unknown): XmlNode | undefined {
  if (v === undefined) return undefined;
  if (v === '') return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw malformed();
  return v as XmlNode;
}

/** An element holding text; repeated or holding elements: MalformedXML. */
export function text(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw malformed();
  return v;
}

/** A whole number (possibly negative: the range is checked by the model's validation). */
export function int(v: unknown): number | undefined {
  const t = text(v);
  if (t === undefined) return undefined;
  if (!/^\s*-?\d{1,15}\s*$/.test(t)) throw malformed();
  return Number(t);
}

/** A date, kept as ISO text; one that does not parse is InvalidArgument (the model checks midnight). */
export function date(v: unknown, name = 'Date'): string | undefined {
  const t = text(v)?.trim();
  if (t === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(t) ? Date.parse(t.length === 10 ? `${t}T00:00:00Z` : t) : NaN;
  if (Number.isNaN(ms)) throw new StorageError('InvalidArgument', `'${name}' must be a valid ISO 8601 date at midnight GMT`, { ArgumentName: name, ArgumentValue: t });
  return new Date(ms).toISOString();
}

export function bool(v: unknown): boolean | undefined {
  const t = text(v)?.trim();
  if (t === undefined) return undefined;
  if (t !== 'true' && t !== 'false') throw malformed();
  return t === 'true';
}

export function tag(v: unknown): Tag {
  const n = node(v);
  const key = text(n?.Key);
  const value = text(n?.Value) ?? '';
  if (key === undefined) throw malformed();
  return { key, value };
}

export function tags(v: unknown): Tag[] {
  return asArray(v as unknown[] | undefined).map(tag);
}

/** A transition target in the dialect's words, as a neutral class. */
export function storageClass(vocab: Vocabulary, v: unknown): string {
  const wire = text(v);
  if (wire === undefined) throw malformed();
  const neutral = neutralStorageClass(vocab, wire);
  if (!neutral) throw new StorageError('InvalidStorageClass', undefined, { StorageClassRequested: wire });
  return neutral;
}

export const wireClass = (vocab: Vocabulary, neutral: string) => wireStorageClass(vocab, neutral);

/** Status is exactly Enabled or Disabled (S3: anything else is MalformedXML). */
export function status(v: unknown): boolean {
  const t = text(v);
  if (t !== 'Enabled' && t !== 'Disabled') throw malformed();
  return t === 'Enabled';
}

/** A rule sent without an ID gets one, as S3 gives it. */
export function ruleId(v: unknown): string {
  return text(v) || randomBytes(16).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 20);
}

/** A date as the documents write it. */
export const isoDate = (d: string) => new Date(d).toISOString();
