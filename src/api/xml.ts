import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { StorageError } from '../engine/errors.js';

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  ignoreDeclaration: true,
});

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false, processEntities: true });

/** Parses a request body; anything not well-formed, or with another root, is MalformedXML. */
export function parseXmlBody(body: Buffer, root: string): Record<string, unknown> {
  const text = body.toString('utf8');
  if (!text.trim() || XMLValidator.validate(text) !== true) throw new StorageError('MalformedXML');
  const doc = parser.parse(text) as Record<string, unknown>;
  const value = doc[root];
  if (value === undefined) throw new StorageError('MalformedXML');
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** Elements that may repeat come back as a value or an array; this always gives an array. */
export function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function renderXml(doc: { root: string; value: Record<string, unknown> }, xmlns?: string): string {
  const value = xmlns ? { '@_xmlns': xmlns, ...doc.value } : doc.value;
  if (SEQUENCE in doc.value) return '<?xml version="1.0" encoding="UTF-8"?>\n' + orderedBuilder.build(orderedNodes({ [doc.root]: value }));
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + builder.build({ [doc.root]: value });
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
