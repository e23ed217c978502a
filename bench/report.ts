/** The one results table, the verdicts on the targets, and the JSON record. */

export interface Row {
  row: string;
  stratus?: number;
  baseline?: number;
  unit: string;
  /** stratus / baseline, unless given. */
  ratio?: number;
  target?: string;
  note?: string;
}

export interface Verdict {
  name: string;
  pass: boolean | undefined;
  text: string;
}

function fmt(v: number | undefined, unit: string): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${unit}`;
}

export function ratioOf(r: Row): number | undefined {
  if (r.ratio !== undefined) return r.ratio;
  if (r.stratus === undefined || r.baseline === undefined || r.baseline === 0) return undefined;
  return r.stratus / r.baseline;
}

export function renderTable(rows: Row[]): string {
  const head = ['row', 'stratus', 'baseline', 'ratio', 'target', 'note'];
  const cells = rows.map((r) => {
    const ratio = ratioOf(r);
    return [r.row, fmt(r.stratus, r.unit), fmt(r.baseline, r.unit), ratio === undefined ? '—' : ratio.toFixed(2), r.target ?? '', r.note ?? ''];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const right = new Set([1, 2, 3]);
  const line = (c: string[]) =>
    c
      .map((s, i) => (right.has(i) ? s.padStart(widths[i]!) : s.padEnd(widths[i]!)))
      .join(' | ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n');
}

export function renderVerdicts(vs: Verdict[]): string {
  return vs.map((v) => `${v.pass === undefined ? 'N/A ' : v.pass ? 'PASS' : 'FAIL'}  ${v.name}: ${v.text}`).join('\n');
}
