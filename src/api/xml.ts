import { XMLBuilder } from 'fast-xml-parser';
import { StorageError } from '../engine/errors.js';
import { readXml } from './xml-reader.js';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false, processEntities: true });

/** Parses a request body; anything not well-formed, or with another root, is MalformedXML. */
export function parseXmlBody(body: Buffer, root: string): Record<string, unknown> {
  const doc = readXml(body.toString('utf8'));
  if (doc.root !== root) throw new StorageError('MalformedXML');
  const value = doc.value;
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** Elements that may repeat come back as a value or an array; this always gives an array. */
export function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function renderXml(doc: { root: string; value: Record<string, unknown> }, xmlns?: string): string {
  const value = xmlns ? { '@_xmlns': xmlns, ...doc.value } : doc.value;
  const xml = SEQUENCE in doc.value ? orderedBuilder.build(orderedNodes({ [doc.root]: value })) : builder.build({ [doc.root]: value });
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + xmlSafe(xml);
}

/** Characters XML 1.0 cannot hold, raw or as a reference: C0 controls but tab, LF and CR; U+FFFE, U+FFFF; lone surrogates. */
const NOT_XML = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A built document made well-formed whatever the values held (keys may hold
 * any character but NUL). A raw CR would be read back as LF (XML 1.0 §2.11),
 * so it goes as a reference, as S3 documents. What XML 1.0 cannot carry at
 * all becomes U+FFFD, as Go's encoding/xml (MinIO) writes it: S3 writes
 * `&#x1;`, which expat (boto3, oss2, the OBS SDK), Java and Go all refuse, so
 * the whole answer was lost (botocore#3496); this way only that character
 * is. Exact keys travel with encoding-type=url, which boto3 asks for in
 * every listing.
 */
function xmlSafe(xml: string): string {
  return xml.replace(/\r/g, '&#xD;').replace(NOT_XML, '\uFFFD');
}

/**
 * A key of a document's root value whose value is a list of one-element
 * objects, rendered in that order: elements of different names interleaved
 * (ListObjectVersions' Version and DeleteMarker entries).
 */
export const SEQUENCE = '#sequence';

const orderedBuilder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false, processEntities: true, preserveOrder: true });

/** The plain object form converted to fast-xml-parser's ordered form, expanding SEQUENCE lists in place. */
function orderedNodes(value: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  for (const [name, v] of Object.entries(value)) {
    if (name.startsWith('@_')) continue;
    if (name === SEQUENCE) {
      for (const item of v as Record<string, unknown>[]) out.push(...orderedNodes(item));
      continue;
    }
    if (name === '#text') {
      out.push({ '#text': v });
      continue;
    }
    for (const x of Array.isArray(v) ? v : [v]) {
      if (x === undefined || x === null) continue;
      if (typeof x !== 'object') {
        out.push({ [name]: [{ '#text': x }] });
        continue;
      }
      const node: Record<string, unknown> = { [name]: orderedNodes(x as Record<string, unknown>) };
      const attrs = Object.entries(x as Record<string, unknown>).filter(([k]) => k.startsWith('@_'));
      if (attrs.length) node[':@'] = Object.fromEntries(attrs);
      out.push(node);
    }
  }
  return out;
}
