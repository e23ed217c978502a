import type { Readable } from 'node:stream';

/** An XML document: the root element name and its content (fast-xml-parser's object form). */
export interface XmlDoc {
  root: string;
  value: Record<string, unknown>;
}

/**
 * What an operation answers, before the dialect puts it on the wire. Header
 * names are final (the operation already used its dialect's vocabulary).
 */
export interface Reply {
  status: number;
  headers?: Record<string, string | number | undefined>;
  body?: Buffer | string | Readable | XmlDoc;
}

export function isXmlDoc(b: Reply['body']): b is XmlDoc {
  return typeof b === 'object' && b !== null && !Buffer.isBuffer(b) && 'root' in b && 'value' in b && !('pipe' in b);
}
