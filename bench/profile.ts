/**
 * Summary of a V8 .cpuprofile (from `node --cpu-prof`): self time by
 * function and by file/package. Usable alone:
 *   node --import tsx bench/profile.ts <file.cpuprofile> [top]
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface HotSpot {
  name: string;
  where: string;
  ms: number;
  share: number;
}

function shortUrl(url: string): string {
  if (!url) return '';
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('/node_modules/');
  if (nm >= 0) return u.slice(nm + '/node_modules/'.length);
  const src = u.search(/\/(src|bench|bin)\//);
  return src >= 0 ? u.slice(src + 1) : u;
}

/** The package or source file a frame belongs to. */
function bucketOf(url: string): string {
  if (!url) return '(native / vm)';
  if (url.startsWith('node:')) return url;
  const s = shortUrl(url);
  if (/^(src|bench|bin)\//.test(s)) return s;
  const parts = s.split('/');
  return parts[0]!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * With `windowsUs`, only samples inside those intervals count (timestamps are
 * CLOCK_MONOTONIC microseconds on Linux, as process.hrtime gives them).
 */
export function summarizeProfile(
  file: string,
  top = 20,
  windowsUs?: [number, number][],
): { totalMs: number; idleMs: number; functions: HotSpot[]; files: HotSpot[] } {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    if (windowsUs && !windowsUs.some(([a, b]) => t >= a && t <= b)) continue;
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + dt);
  }
  const fn = new Map<string, HotSpot>();
  const files = new Map<string, HotSpot>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const cf = byId.get(id)!.callFrame;
    total += us;
    if (cf.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const where = cf.url ? `${shortUrl(cf.url)}:${cf.lineNumber + 1}` : '';
    const k = `${cf.functionName}\u0000${where}`;
    const f = fn.get(k) ?? { name: cf.functionName || '(anonymous)', where, ms: 0, share: 0 };
    f.ms += us / 1000;
    fn.set(k, f);
    const b = bucketOf(cf.url);
    const g = files.get(b) ?? { name: b, where: '', ms: 0, share: 0 };
    g.ms += us / 1000;
    files.set(b, g);
  }
  const busy = (total - idle) / 1000;
  const rank = (m: Map<string, HotSpot>) =>
    [...m.values()]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
      .map((h) => ({ ...h, share: busy > 0 ? h.ms / busy : 0 }));
  return { totalMs: total / 1000, idleMs: idle / 1000, functions: rank(fn), files: rank(files) };
}

export function renderProfile(file: string, top = 20, windowsUs?: [number, number][], label = ''): string {
  const s = summarizeProfile(file, top, windowsUs);
  const busy = s.totalMs - s.idleMs;
  const lines = [`CPU profile ${path.basename(file)}${label ? ` (${label})` : ''}: ${(s.totalMs / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s busy (shares are of busy time)`];
  lines.push('  self time by function:');
  for (const h of s.functions) lines.push(`    ${(h.share * 100).toFixed(1).padStart(5)}%  ${h.ms.toFixed(0).padStart(6)} ms  ${h.name}  ${h.where}`);
  lines.push('  self time by file / package:');
  for (const h of s.files) lines.push(`    ${(h.share * 100).toFixed(1).padStart(5)}%  ${h.ms.toFixed(0).padStart(6)} ms  ${h.name}`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: profile.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  console.log(renderProfile(file, Number(process.argv[3] ?? 25)));
}
