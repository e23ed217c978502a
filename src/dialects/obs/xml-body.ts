import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { StorageError } from '../../engine/errors.js';

const parser = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false, trimValues: true, processEntities: true, ignoreDeclaration: true });

/**
 * A request document whose root may be a bare text element (OBS's
 * `<StorageClass>WARM</StorageClass>`): the root's name and its content,
 * text or element map. Not well-formed is MalformedXML.
 */
export function parseXmlRoot(body: Buffer): { root: string; value: unknown } {
  const text = body.toString('utf8');
  if (!text.trim() || XMLValidator.validate(text) !== true) throw new StorageError('MalformedXML');
  const doc = parser.parse(text) as Record<string, unknown>;
  const roots = Object.keys(doc);
  if (roots.length !== 1) throw new StorageError('MalformedXML');
  return { root: roots[0], value: doc[roots[0]] };
}

/** The text of a simple element, or undefined when absent; MalformedXML when it is not text. */
export function textOf(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && Object.keys(v).length === 0) return '';
  throw new StorageError('MalformedXML');
}
