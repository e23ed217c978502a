import { readXml } from '../../api/xml-reader.js';
import { StorageError } from '../../engine/errors.js';

/**
 * A request document whose root may be a bare text element (OBS's
 * `<StorageClass>WARM</StorageClass>`): the root's name and its content,
 * text or element map. Not well-formed is MalformedXML.
 */
export function parseXmlRoot(body: Buffer): { root: string; value: unknown } {
  return readXml(body.toString('utf8'));
}

/** The text of a simple element, or undefined when absent; MalformedXML when it is not text. */
export function textOf(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && Object.keys(v).length === 0) return '';
  throw new StorageError('MalformedXML');
}
