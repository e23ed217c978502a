/**
 * Keys are ordered by their UTF-8 bytes (as S3 orders them). UTF-8 byte order
 * equals code-point order, which JavaScript's `<` (UTF-16 units) does not
 * follow for astral characters, so comparisons go through here.
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The smallest string greater than every string that starts with `prefix`,
 * or undefined when there is none. Seeks past a common prefix in listings.
 */
export function prefixSuccessor(prefix: string): string | undefined {
  const cps = Array.from(prefix);
  while (cps.length > 0) {
    const last = cps.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      let next = last + 1;
      if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
      return cps.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
