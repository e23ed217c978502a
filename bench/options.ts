/**
 * Bench options: flags after `npm run bench --`, or STRATUS_BENCH_* variables.
 *   --quick                 64 MiB big object, 100k-key bucket, 2 s phases (sanity run)
 *   --only a,b              scenarios: digests, small, big, transfer, listing (default all);
 *                           blob-s3 (only when named): 4 KiB rows through `--blob s3://` (blobs in a
 *                           second Stratus) beside a Stratus on local files
 *   --connections N         concurrent keep-alive connections for 4 KiB ops (16)
 *   --duration S            measured seconds per 4 KiB phase and server, in 1 s slices
 *                           alternating baseline and Stratus (5; quick 2, 0.5 s slices)
 *   --big-size BYTES        big object size (1 GiB; quick 64 MiB)
 *   --keys N                keys in the large listing bucket (1000000; quick 100000)
 *   --no-fsync              run Stratus (and the bare file write) without fsync
 *   --cpu-prof              V8 CPU profiles of both children, summarised per phase
 *   --keep                  keep the temporary data directories
 *   --workers N             also run the 4 KiB rows against `stratus server --workers N`
 *                           (a second server, same run, same baseline); server CPU summed
 *                           over its processes
 *   --meta URL              Stratus's metadata store: a postgres:// URL runs it on PostgreSQL
 *                           (a fresh schema per run, dropped after); default SQLite
 */
export type Scenario = 'digests' | 'small' | 'big' | 'transfer' | 'listing' | 'blob-s3';
/** What runs by default (`blob-s3` only when named). */
export const SCENARIOS: Scenario[] = ['digests', 'small', 'big', 'transfer', 'listing'];
const NAMED_ONLY: Scenario[] = ['blob-s3'];

export interface BenchOptions {
  quick: boolean;
  only: Set<Scenario>;
  connections: number;
  smallSize: number;
  durationMs: number;
  /** Measured phases alternate baseline and Stratus in slices this long. */
  sliceMs: number;
  warmupMs: number;
  bigSize: number;
  bigGetRuns: number;
  smallKeys: number;
  largeKeys: number;
  listRuns: number;
  listBudgetMs: number;
  digestBytes: number;
  fsync: boolean;
  cpuProf: boolean;
  keep: boolean;
  /** With small: a second Stratus with this many gateway processes (0: none). */
  workers: number;
  /** Stratus's metadata store URL (postgres://...); undefined: SQLite in the data directory. */
  meta?: string;
}

const MiB = 1024 * 1024;

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--') && !['quick', 'no-fsync', 'cpu-prof', 'keep'].includes(a.slice(2))) flags.set(a.slice(2), argv[++i]!);
    else flags.set(a.slice(2), true);
  }
  const get = (name: string): string | true | undefined => flags.get(name) ?? env[`STRATUS_BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  const bool = (name: string) => {
    const v = get(name);
    return v === true || (typeof v === 'string' && /^(1|true|yes|on)$/i.test(v));
  };
  const num = (name: string, dflt: number) => {
    const v = get(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (v === true || !Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number`);
    return n;
  };
  const known = new Set(['quick', 'only', 'connections', 'duration', 'big-size', 'keys', 'no-fsync', 'cpu-prof', 'keep', 'workers', 'meta']);
  for (const k of flags.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}`);

  const quick = bool('quick');
  const onlyRaw = get('only');
  const only = new Set<Scenario>(
    typeof onlyRaw === 'string'
      ? onlyRaw.split(',').map((s) => {
          const t = s.trim() as Scenario;
          if (!SCENARIOS.includes(t) && !NAMED_ONLY.includes(t)) throw new Error(`--only: unknown scenario ${s} (${[...SCENARIOS, ...NAMED_ONLY].join(', ')})`);
          return t;
        })
      : SCENARIOS,
  );
  return {
    quick,
    only,
    connections: Math.round(num('connections', 16)),
    smallSize: 4096,
    durationMs: num('duration', quick ? 2 : 5) * 1000,
    sliceMs: quick ? 500 : 1000,
    warmupMs: quick ? 500 : 1000,
    bigSize: Math.round(num('big-size', quick ? 64 * MiB : 1024 * MiB)),
    bigGetRuns: 3,
    smallKeys: 10_000,
    largeKeys: Math.round(num('keys', quick ? 100_000 : 1_000_000)),
    listRuns: quick ? 3 : 7,
    listBudgetMs: quick ? 5_000 : 20_000,
    digestBytes: quick ? 64 * MiB : 256 * MiB,
    fsync: !bool('no-fsync'),
    cpuProf: bool('cpu-prof'),
    keep: bool('keep'),
    workers: get('workers') === undefined ? 0 : Math.round(num('workers', 2)),
    ...(typeof get('meta') === 'string' ? { meta: get('meta') as string } : {}),
  };
}
