/** XML reading and writing for the S3-family dialects (fast-xml-parser, values kept as strings). */
import { XMLParser } from 'fast-xml-parser';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  ignoreDeclaration: true,
});

const orderedParser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  ignoreDeclaration: true,
  preserveOrder: true,
});

export type XmlNode = Record<string, unknown>;

/** The document's root element's content ({} when empty); undefined when the text is not XML with that root. */
export function parseXml(text: string | Buffer, root?: string): XmlNode | undefined {
  const s = typeof text === 'string' ? text : text.toString('utf8');
  if (!s.trim()) return undefined;
  let doc: XmlNode;
  try {
    doc = parser.parse(s) as XmlNode;
  } catch {
    return undefined;
  }
  const name = root ?? Object.keys(doc).find((k) => !k.startsWith('?'));
  if (name === undefined) return undefined;
  const v = doc[name];
  if (v === undefined) return undefined;
  return typeof v === 'object' && v !== null ? (v as XmlNode) : { '#text': v };
}

/**
 * The children of the root in document order, as [name, content] pairs
 * (interleaved Version / DeleteMarker entries keep their order).
 */
export function orderedChildren(text: string | Buffer, root: string): Array<[string, XmlNode]> {
  const s = typeof text === 'string' ? text : text.toString('utf8');
  const doc = orderedParser.parse(s) as Array<Record<string, unknown>>;
  const top = doc.find((n) => root in n);
  if (!top) return [];
  const out: Array<[string, XmlNode]> = [];
  for (const child of top[root] as Array<Record<string, unknown>>) {
    const name = Object.keys(child).find((k) => k !== ':@');
    if (!name || name === '#text') continue;
    out.push([name, flatten(child[name] as Array<Record<string, unknown>>)]);
  }
  return out;
}

/** preserveOrder form to the plain form (for one entry whose children do not repeat meaningfully). */
function flatten(nodes: Array<Record<string, unknown>>): XmlNode {
  const out: XmlNode = {};
  for (const n of nodes) {
    const name = Object.keys(n).find((k) => k !== ':@');
    if (!name) continue;
    if (name === '#text') {
      out['#text'] = n[name];
      continue;
    }
    const inner = n[name] as Array<Record<string, unknown>>;
    const value = inner.length === 1 && '#text' in inner[0]! ? inner[0]!['#text'] : inner.length === 0 ? '' : flatten(inner);
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else out[name] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

export function asArray<T>(v: T | T[] | undefined | null): T[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

/** Text of a child element ('' for an empty element, undefined when absent). */
export function text(node: unknown, name?: string): string | undefined {
  const v = name === undefined ? node : (node as XmlNode | undefined)?.[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && '#text' in (v as XmlNode)) return String((v as XmlNode)['#text']);
  if (typeof v === 'object' && Object.keys(v as XmlNode).every((k) => k.startsWith('@_'))) return '';
  return undefined;
}

export function child(node: unknown, name: string): XmlNode | undefined {
  const v = (node as XmlNode | undefined)?.[name];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as XmlNode) : undefined;
}

export function children(node: unknown, name: string): XmlNode[] {
  return asArray((node as XmlNode | undefined)?.[name]).map((v) => (typeof v === 'object' && v !== null ? (v as XmlNode) : { '#text': v }));
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** `<name>escaped</name>`. */
export function el(name: string, value: string | number | boolean): string {
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

export const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
