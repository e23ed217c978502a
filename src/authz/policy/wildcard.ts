/**
 * Policy wildcards: `*` any run of characters (including none, and `/`),
 * `?` exactly one character; everything else literal. Compiled once into a
 * matcher; patterns without wildcards compare as strings.
 */
export type Matcher = (s: string) => boolean;

const escape = (c: string) => c.replace(/[.+^${}()|[\]\\]/g, '\\$&');

export function wildcard(pattern: string, ignoreCase = false): Matcher {
  if (pattern === '*') return () => true;
  if (!/[*?]/.test(pattern)) {
    if (!ignoreCase) return (s) => s === pattern;
    const p = pattern.toLowerCase();
    return (s) => s.toLowerCase() === p;
  }
  let src = '';
  for (const c of pattern) src += c === '*' ? '.*' : c === '?' ? '.' : escape(c);
  const re = new RegExp(`^${src}$`, ignoreCase ? 'is' : 's');
  return (s) => re.test(s);
}

export const anyOf =
  (ms: readonly Matcher[]): Matcher =>
  (s) =>
    ms.some((m) => m(s));
