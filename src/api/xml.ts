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
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + builder.build({ [doc.root]: value });
}
