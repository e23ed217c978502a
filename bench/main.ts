/**
 * `npm run bench [-- options]`: Stratus beside a bare node:http baseline,
 * both measured in this run, each server in its own child process. Prints
 * one table (ratios are what to compare, not absolute numbers), a verdict
 * per target, and writes bench/results/latest.json. Options: see options.ts.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { smallBody } from './baseline-server.js';
import { INLINE_MAX } from '../src/engine/inline.js';

/** The blob-store rows' object: the smallest size class that lives in a blob (smaller ones are inline in the metadata). */
const BLOB_S3_SIZE = 2 * INLINE_MAX;
import { benchBig, type BigSideResult } from './big.js';
import { benchBlobS3, type BlobS3Result } from './blob-s3.js';
import { ROOT, spawnBaseline, spawnStratus, type Child } from './children.js';
import { BenchClient } from './client.js';
import { benchDigests, type DigestRow } from './digests.js';
import { fillBucket, shapeFor, keyOf, timePages, type ListTiming } from './listing.js';
import { parseOptions, type BenchOptions } from './options.js';
import { renderProfile } from './profile.js';
import { renderTable, renderVerdicts, ratioOf, type Row, type Verdict } from './report.js';
import { benchSmall, pct, SMALL_OPS, type SmallResult } from './small.js';
import { benchTransfers, type TransferRun } from './transfer.js';

const MiB = 1024 * 1024;
const TRANSFER_CONCURRENCY = [1, 4, 8];
const log = (s: string) => process.stderr.write(s + '\n');
const sizeLabel = (b: number) => (b >= 1024 * MiB && b % (1024 * MiB) === 0 ? `${b / (1024 * MiB)} GiB` : `${Math.round(b / MiB)} MiB`);
const keysLabel = (n: number) => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1000 ? `${Math.round(n / 1000)}k` : String(n));

interface Results {
  digests?: Record<string, DigestRow>;
  small?: { stratus: SmallResult; baseline: SmallResult };
  /** With --workers N: the same rows against a Stratus of N gateway processes, beside the baseline again. */
  smallWorkers?: { workers: number; stratus: SmallResult; baseline: SmallResult };
  big?: { stratus: BigSideResult; baseline: BigSideResult };
  /** SDK uploadFile / downloadFile of the big object's size at several concurrencies (Stratus only). */
  transfer?: TransferRun[];
  listing?: { smallKeys: number; largeKeys: number; fillSeconds: number; pages: Record<string, Record<string, ListTiming>> };
  /** 4 KiB rows through `--blob s3://` (a second Stratus holding the blobs) beside local files. */
  blobS3?: BlobS3Result;
  /** CPU profiles (with --cpu-prof) of the two children. */
  profiles?: { stratus?: string; baseline?: string };
}

/** A schema of its own for this run on the PostgreSQL of `url` (a config file naming it), dropped at the end. */
async function freshPgSchema(url: string, tmp: string, cleanups: (() => Promise<void> | void)[]): Promise<{ configFile: string }> {
  const schema = `bench_${process.pid}_${Date.now()}`;
  const configFile = path.join(tmp, 'stratus-config.json');
  fs.writeFileSync(configFile, JSON.stringify({ pgSchema: schema }));
  const { default: pg } = await import('pg');
  const { withUser } = await import('../src/meta/sql/pg-driver.js');
  cleanups.push(async () => {
    const c = new pg.Client({ connectionString: withUser(url) });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  });
  return { configFile };
}

async function run(o: BenchOptions, cleanups: (() => Promise<void> | void)[]): Promise<Results> {
  const res: Results = {};
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-bench-'));
  cleanups.push(() => {
    if (o.keep) log(`kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  });

  if (o.only.has('digests')) {
    log(`digests: ${sizeLabel(o.digestBytes)} each in 3 runs alternating with node:crypto md5, 64 KiB chunks`);
    res.digests = benchDigests(o.digestBytes);
  }
  const needServers = o.only.has('small') || o.only.has('big') || o.only.has('transfer') || o.only.has('listing') || o.only.has('blob-s3');
  if (!needServers) return res;

  // Measure what `npm start` runs: the compiled build (bin/stratus.js uses it once it is fresh).
  log('building (tsc) so the server runs compiled, as in production');
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.json')], { stdio: 'inherit' });

  const credentials = { accessKeyId: 'BENCHACCESSKEY000001', secretAccessKey: randomBytes(24).toString('base64url') };
  const stratusDir = path.join(tmp, 'stratus');
  const baselineDir = path.join(tmp, 'baseline');
  fs.mkdirSync(baselineDir);
  const profDir = o.cpuProf ? path.join(ROOT, 'bench', 'results', `prof-${Date.now()}`) : undefined;
  const children: Child[] = [];
  cleanups.unshift(async () => {
    await Promise.all(children.map((c) => c.stop()));
  });
  const pg = o.meta && /^postgres(ql)?:\/\//.test(o.meta) ? await freshPgSchema(o.meta, tmp, cleanups) : undefined;
  const [stratus, baseline] = await Promise.all([
    spawnStratus({ dataDir: stratusDir, accessKey: credentials.accessKeyId, secretKey: credentials.secretAccessKey, fsync: o.fsync, cpuProfDir: profDir, ...(o.meta ? { meta: o.meta } : {}), ...(pg ? { configFile: pg.configFile } : {}) }),
    spawnBaseline({ dir: baselineDir, fsync: o.fsync, smallSize: o.smallSize, cpuProfDir: profDir }),
  ]);
  children.push(stratus, baseline);
  log(`stratus pid ${stratus.pid} at ${stratus.url}${o.fsync ? '' : ' (no fsync)'}; baseline pid ${baseline.pid} at ${baseline.url}`);
  const sc = new BenchClient(stratus.url, credentials, o.connections);
  const bc = new BenchClient(baseline.url, credentials, o.connections);
  cleanups.unshift(() => {
    sc.close();
    bc.close();
  });
  const sides = {
    stratus: { client: sc, pid: stratus.pid, bucket: 'bench' },
    baseline: { client: bc, pid: baseline.pid, bucket: 'bench' },
  };
  try {
    if (o.only.has('small')) {
      log(`4 KiB objects: ${o.connections} connections, ${o.durationMs / 1000} s per phase`);
      res.small = await benchSmall(sides, { size: o.smallSize, body: smallBody(o.smallSize), connections: o.connections, ms: o.durationMs, sliceMs: o.sliceMs, warmupMs: o.warmupMs }, log);
      if (o.workers > 1) {
        const multi = await spawnStratus({ dataDir: path.join(tmp, 'stratus-workers'), accessKey: credentials.accessKeyId, secretKey: credentials.secretAccessKey, fsync: o.fsync, workers: o.workers });
        children.push(multi);
        const mc = new BenchClient(multi.url, credentials, o.connections);
        cleanups.unshift(() => mc.close());
        log(`4 KiB objects against ${o.workers} gateway processes (pid ${multi.pid} and its workers)`);
        const baseline2 = { ...sides.baseline, bucket: 'bench-workers' };
        const r = await benchSmall({ stratus: { client: mc, pid: multi.pid, bucket: 'bench' }, baseline: baseline2 }, { size: o.smallSize, body: smallBody(o.smallSize), connections: o.connections, ms: o.durationMs, sliceMs: o.sliceMs, warmupMs: o.warmupMs }, log);
        res.smallWorkers = { workers: o.workers, ...r };
      }
    }
    if (o.only.has('blob-s3')) {
      res.blobS3 = await benchBlobS3(
        { tmp, credentials, fsync: o.fsync, local: { client: sc, pid: stratus.pid }, connections: o.connections, size: BLOB_S3_SIZE, body: smallBody(BLOB_S3_SIZE), ms: o.durationMs, sliceMs: o.sliceMs, warmupMs: o.warmupMs },
        children,
        cleanups,
        log,
      );
    }
    if (o.only.has('big')) {
      if (!o.only.has('small')) for (const s of Object.values(sides)) await s.client.must({ method: 'PUT', bucket: s.bucket });
      log(`${sizeLabel(o.bigSize)} object, single stream`);
      res.big = await benchBig(sides, { size: o.bigSize, getRuns: o.bigGetRuns }, log);
      // The big object is not needed any more: free the disk before the listing fill.
      await sc.must({ method: 'DELETE', bucket: 'bench', key: 'big/object' });
    }
    if (o.only.has('transfer')) {
      if (!o.only.has('small') && !o.only.has('big')) await sc.must({ method: 'PUT', bucket: 'bench' });
      log(`${sizeLabel(o.bigSize)} file through the SDK transfer manager (8 MiB parts), concurrency ${TRANSFER_CONCURRENCY.join(', ')}`);
      res.transfer = await benchTransfers({ url: stratus.url, credentials, bucket: 'bench', size: o.bigSize, concurrencies: TRANSFER_CONCURRENCY, dir: tmp }, log);
    }
    if (o.only.has('listing')) {
      const shapes = [shapeFor(o.smallKeys), shapeFor(o.largeKeys)];
      const names = shapes.map((s) => `list-${keysLabel(s.keys).toLowerCase()}`);
      log(`listing: buckets of ${shapes.map((s) => keysLabel(s.keys)).join(' and ')} keys, filled through meta.db`);
      const t0 = performance.now();
      for (let i = 0; i < shapes.length; i++) {
        const template = keyOf(shapes[i]!, 0, 0, 0);
        await sc.must({ method: 'PUT', bucket: names[i]! });
        // Above the inline bound, so that the filled rows can share its blob.
        await sc.must({ method: 'PUT', bucket: names[i]!, key: template, body: smallBody(Math.max(o.smallSize, INLINE_MAX + 1)) });
        const n = fillBucket(stratusDir, names[i]!, shapes[i]!, template);
        log(`  filled ${names[i]} with ${n + 1} keys (${((performance.now() - t0) / 1000).toFixed(1)} s so far)`);
      }
      const fillSeconds = (performance.now() - t0) / 1000;
      sc.dropIdleSockets();
      const pages = await timePages(sc, names, o.listRuns, o.listBudgetMs, log);
      res.listing = { smallKeys: shapes[0]!.keys, largeKeys: shapes[1]!.keys, fillSeconds, pages };
    }
  } catch (e) {
    log(`stratus output:\n${stratus.tail()}`);
    throw e;
  }

  if (profDir) {
    // Profiles are written at exit; V8 names them CPU.<date>.<time>.<pid>.<n>.cpuprofile.
    await Promise.all([stratus.stop(), baseline.stop()]);
    const files = fs.existsSync(profDir) ? fs.readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')) : [];
    const of = (pid: number) => files.find((f) => f.includes(`.${pid}.`));
    res.profiles = {};
    for (const c of [stratus, baseline]) {
      const f = of(c.pid);
      if (f) res.profiles[c.name as 'stratus' | 'baseline'] = path.join(profDir, f);
      else log(`no CPU profile of ${c.name} was written to ${profDir}`);
    }
  }
  return res;
}

function rowsOf(o: BenchOptions, r: Results): { rows: Row[]; verdicts: Verdict[] } {
  const rows: Row[] = [];
  const verdicts: Verdict[] = [];
  if (r.small) {
    const c = o.connections;
    for (const op of SMALL_OPS) {
      const s = r.small.stratus[op];
      const b = r.small.baseline[op];
      rows.push({
        row: op === 'mixed' ? `4 KiB MIXED ops/s, ${c} conn` : `4 KiB ${op.toUpperCase()} ops/s, ${c} conn`,
        stratus: s.opsPerSec,
        baseline: b.opsPerSec,
        unit: 'op/s',
        target: op === 'get' ? '>= 0.50' : '',
        note: `${op === 'mixed' ? '45% GET 30% HEAD 15% PUT 10% DELETE; ' : ''}cpu/op ${s.serverUsPerOp?.toFixed(0) ?? '?'} vs ${b.serverUsPerOp?.toFixed(0) ?? '?'} us; srv cpu ${pct(s.serverCpu)} vs ${pct(b.serverCpu)}; gen cpu ${pct(s.genCpu)} vs ${pct(b.genCpu)}${s.errors + b.errors ? `; ERRORS ${s.errors}/${b.errors}` : ''}`,
      });
    }
    const ratio = r.small.stratus.get.opsPerSec / r.small.baseline.get.opsPerSec;
    verdicts.push({ name: 'small GET >= 50% of bare', pass: ratio >= 0.5, text: `${(ratio * 100).toFixed(0)}% of the bare server's GET ops/s` });
  }
  if (r.smallWorkers) {
    const w = r.smallWorkers;
    for (const op of SMALL_OPS) {
      const s = w.stratus[op];
      const b = w.baseline[op];
      const one = r.small?.stratus[op];
      rows.push({
        row: `4 KiB ${op.toUpperCase()} ops/s, ${o.connections} conn, ${w.workers} workers`,
        stratus: s.opsPerSec,
        baseline: b.opsPerSec,
        unit: 'op/s',
        target: '',
        note: `cpu/op ${s.serverUsPerOp?.toFixed(0) ?? '?'} us (1 worker: ${one?.serverUsPerOp?.toFixed(0) ?? '?'} us, ${one?.opsPerSec.toFixed(0) ?? '?'} op/s); srv cpu ${pct(s.serverCpu)}; gen cpu ${pct(s.genCpu)}${s.errors + b.errors ? `; ERRORS ${s.errors}/${b.errors}` : ''}`,
      });
    }
  }
  if (r.blobS3) {
    for (const op of ['put', 'get', 'head'] as const) {
      const s = r.blobS3.s3[op];
      const l = r.blobS3.local[op];
      rows.push({
        row: `${BLOB_S3_SIZE / 1024} KiB ${op.toUpperCase()} p50 ms, ${o.connections} conn, S3 blob store vs local files`,
        stratus: s.p50Ms,
        baseline: l.p50Ms,
        unit: 'ms',
        note: `+${(s.p50Ms - l.p50Ms).toFixed(2)} ms p50; p99 ${s.p99Ms.toFixed(2)} vs ${l.p99Ms.toFixed(2)} ms; ${s.opsPerSec.toFixed(0)} vs ${l.opsPerSec.toFixed(0)} op/s; front cpu/op ${s.serverUsPerOp?.toFixed(0) ?? '?'} vs ${l.serverUsPerOp?.toFixed(0) ?? '?'} us (the blob Stratus's CPU not counted)${s.errors + l.errors ? `; ERRORS ${s.errors}/${l.errors}` : ''}`,
      });
    }
  }
  if (r.big) {
    const label = sizeLabel(o.bigSize);
    rows.push({ row: `${label} PUT MB/s vs bare file write`, stratus: r.big.stratus.putMBps, baseline: r.big.baseline.putMBps, unit: 'MB/s', note: o.fsync ? 'both fsync' : 'no fsync' });
    rows.push({ row: `${label} PUT MB/s vs MD5 speed`, stratus: r.big.stratus.putMBps, baseline: r.big.stratus.md5NodeMbps, unit: 'MB/s', note: 'node:crypto md5, 64 KiB chunks, measured right after the PUT' });
    rows.push({
      row: `${label} GET MB/s`,
      stratus: r.big.stratus.getMBps,
      baseline: r.big.baseline.getMBps,
      unit: 'MB/s',
      target: '>= 0.70',
      note: `median of ${r.big.stratus.getRuns.length} runs`,
    });
    const ratio = r.big.stratus.getMBps / r.big.baseline.getMBps;
    verdicts.push({ name: `${label} GET >= 70% of bare`, pass: ratio >= 0.7, text: `${(ratio * 100).toFixed(0)}% of the bare server's stream from disk` });
  }
  if (r.transfer) {
    const label = sizeLabel(o.bigSize);
    // Beside the single-stream rows: the baseline column is Stratus's own single PUT / GET when the big scenario ran.
    for (const t of r.transfer) {
      rows.push({
        row: `${label} uploadFile MB/s, concurrency ${t.concurrency}`,
        stratus: t.uploadMBps,
        baseline: r.big?.stratus.putMBps,
        unit: 'MB/s',
        note: 'SDK, 8 MiB parts, Content-MD5 each, checkpoint file; baseline column: single-stream PUT to Stratus',
      });
    }
    for (const t of r.transfer) {
      rows.push({
        row: `${label} downloadFile MB/s, concurrency ${t.concurrency}`,
        stratus: t.downloadMBps,
        baseline: r.big?.stratus.getMBps,
        unit: 'MB/s',
        note: `SDK, 8 MiB ranges with If-Match into a temp file, checked by ${t.verifiedBy}; baseline column: single-stream GET from Stratus`,
      });
    }
  }
  if (r.listing) {
    const l = r.listing;
    const [small, large] = [`list-${keysLabel(l.smallKeys).toLowerCase()}`, `list-${keysLabel(l.largeKeys).toLowerCase()}`];
    for (const [variant, times] of Object.entries(l.pages)) {
      const s = times[large]!.medianMs;
      const b = times[small]!.medianMs;
      const targeted = variant !== 'no delimiter';
      rows.push({
        row: `list page (${variant}) ms, ${keysLabel(l.largeKeys)} vs ${keysLabel(l.smallKeys)}`,
        stratus: s,
        baseline: b,
        unit: 'ms',
        target: targeted ? '~1.0 (<= 1.25)' : '',
        note: `stratus column: ${keysLabel(l.largeKeys)} bucket; baseline column: ${keysLabel(l.smallKeys)} bucket`,
      });
      if (targeted) {
        const ratio = s / b;
        verdicts.push({ name: `listing (${variant}) ${keysLabel(l.largeKeys)}/${keysLabel(l.smallKeys)} ~ 1`, pass: ratio <= 1.25, text: `${ratio.toFixed(2)} (${s.toFixed(1)} ms vs ${b.toFixed(1)} ms per page)` });
      }
    }
  }
  if (r.big) {
    const s = r.big.stratus.peakRssBytes;
    const b = r.big.baseline.peakRssBytes;
    rows.push({ row: `peak RSS MB during ${sizeLabel(o.bigSize)} PUT`, stratus: s && s / 1e6, baseline: b && b / 1e6, unit: 'MB', target: '< 200 MB', note: 'VmHWM after reset + VmRSS polling' });
    verdicts.push({ name: 'server RSS < 200 MB', pass: s === undefined ? undefined : s / 1e6 < 200, text: s === undefined ? 'no /proc reading' : `${(s / 1e6).toFixed(0)} MB peak` });
  }
  if (r.digests) {
    for (const [name, d] of Object.entries(r.digests)) {
      rows.push({ row: `digest ${name} MB/s`, stratus: d.mbps, baseline: d.md5NodeMbps, unit: 'MB/s', note: 'src/digest vs node:crypto md5, best of 3 alternating runs' });
    }
  }
  return { rows, verdicts };
}

async function main() {
  const o = parseOptions(process.argv.slice(2), process.env);
  const cleanups: (() => Promise<void> | void)[] = [];
  let cleaning: Promise<void> | undefined;
  // Every caller (signal handler, finally) waits for the same single run.
  const cleanup = () =>
    (cleaning ??= (async () => {
      for (const c of cleanups) {
        try {
          await c();
        } catch (e) {
          log(`cleanup: ${(e as Error).message}`);
        }
      }
    })());
  const onSignal = (sig: NodeJS.Signals) => {
    log(`${sig}: stopping`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const started = new Date();
  log(`stratus bench (${o.quick ? 'quick' : 'full'}): ${[...o.only].join(', ')} on ${os.cpus().length} cores, node ${process.version}`);
  let results: Results;
  try {
    results = await run(o, cleanups);
  } finally {
    await cleanup();
  }
  const { rows, verdicts } = rowsOf(o, results);
  const title = `Stratus bench ${started.toISOString()} (${o.quick ? 'quick' : 'full'}; ${os.cpus().length} cores shared by servers and load generator; ratio = stratus / baseline)`;
  console.log('\n' + title + '\n');
  console.log(renderTable(rows));
  if (verdicts.length) console.log('\n' + renderVerdicts(verdicts));
  const prof = results.profiles;
  if (prof?.stratus) {
    // Each server's hot spots while it served each phase, then Stratus over the whole run.
    const show = (who: 'stratus' | 'baseline', top: number, windows: [number, number][] | undefined, label: string) => {
      const f = prof[who];
      if (f) console.log('\n' + renderProfile(f, top, windows, `${who === 'stratus' ? 'Stratus' : 'baseline'} during ${label}`));
    };
    if (results.small) {
      for (const op of ['get', 'head', 'put'] as const) {
        show('stratus', 20, results.small.stratus[op].windowsUs, `4 KiB ${op.toUpperCase()}`);
        show('baseline', 8, results.small.baseline[op].windowsUs, `4 KiB ${op.toUpperCase()}`);
      }
    }
    if (results.big) {
      for (const [op, w] of [['GET', 'getWindowsUs'], ['PUT', 'putWindowUs']] as const) {
        show('stratus', 15, results.big.stratus[w], `${sizeLabel(o.bigSize)} ${op}`);
        show('baseline', 8, results.big.baseline[w], `${sizeLabel(o.bigSize)} ${op}`);
      }
    }
    console.log('\n' + renderProfile(prof.stratus, 25, undefined, 'Stratus, whole run'));
  }
  const outDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const json = {
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    options: { ...o, only: [...o.only] },
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.release()}`, memBytes: os.totalmem() },
    rows: rows.map((r) => ({ ...r, ratio: ratioOf(r) })),
    verdicts,
    raw: results,
  };
  fs.writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify(json, null, 2) + '\n');
  console.log(`\nresults: ${path.relative(process.cwd(), path.join(outDir, 'latest.json'))}`);
}

main().catch((e: unknown) => {
  console.error(`bench failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
