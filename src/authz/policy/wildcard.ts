/**
 * Policy wildcards: `*` any run of characters (including none, and `/`),
 * `?` exactly one character; everything else literal. Matched without
 * regular expressions: a policy is its author's input and a pattern such as
 * `*a*a*a*a*b` would make a backtracking regex exponential on a long key.
 * The greedy two-pointer match below is O(pattern × subject) at worst.
 * Characters are code points (`?` is one whole character).
 */
export type Matcher = (s: string) => boolean;

function globMatch(p: readonly string[], s: readonly string[]): boolean {
  let pi = 0;
  let si = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === s[si]))) {
      pi++;
      si++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = si;
    } else if (star !== -1) {
      pi = star + 1;
      si = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

export function wildcard(pattern: string, ignoreCase = false): Matcher {
  if (pattern === '*') return () => true;
  const fold = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  const p = fold(pattern);
  if (!/[*?]/.test(p)) return (s) => fold(s) === p;
  // Runs of stars are one star.
  const chars = Array.from(p.replace(/\*+/g, '*'));
  return (s) => globMatch(chars, Array.from(fold(s)));
}

export const anyOf =
  (ms: readonly Matcher[]): Matcher =>
  (s) =>
    ms.some((m) => m(s));
