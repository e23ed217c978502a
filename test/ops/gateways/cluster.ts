/**
 * Several `stratus server` processes over one PostgreSQL schema and one data
 * directory, as docs/deployment.md describes: started, SIGKILLed and restarted
 * on their port by slot, with the operator's view of their workers
 * (ListWorkers) and the blobs the metadata references.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { callIam, membersOf } from '../../../src/cli/commands/admin-client.js';
import { PostgresDriver } from '../../../src/meta/sql/pg-driver.js';
import { text } from '../../../src/sdk/xml.js';
import { KEY_FLAGS, spawnServer, type ServerProcess } from '../../helpers/process.js';
import { ACCESS_KEY, SECRET_KEY } from '../../helpers/server.js';
import { PG_URL, pgUnavailable } from '../../meta/stores.js';

export interface WorkerView {
  name: string;
  state: string;
  holder: string;
  leaseHolder?: string;
  passes: number;
}

export interface ClusterOptions {
  /** Config file entries every gateway shares (besides meta and pgSchema). */
  config?: Record<string, unknown>;
  /** Extra flags of every gateway. */
  flags?: string[];
}

export class GatewayCluster {
  readonly slots: ServerProcess[] = [];

  private constructor(
    readonly dir: string,
    readonly schema: string,
    private readonly configFile: string,
    private readonly admin: PostgresDriver,
    private readonly flags: string[],
  ) {}

  /** Why the cluster cannot run (PostgreSQL missing), or undefined. */
  static unavailable(): Promise<string | undefined> {
    return pgUnavailable();
  }

  /** `n` gateways; the first starts (and migrates the schema) before the others. */
  static async start(n: number, opts: ClusterOptions = {}): Promise<GatewayCluster> {
    const schema = `stratus_gw_${randomBytes(5).toString('hex')}`;
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stratus-gw-'));
    const configFile = path.join(dir, 'config.json');
    await fs.writeFile(configFile, JSON.stringify({ meta: PG_URL, pgSchema: schema, ...opts.config }));
    const admin = new PostgresDriver(PG_URL, { max: 2 });
    await admin.exec(`CREATE SCHEMA "${schema}"`);
    const c = new GatewayCluster(dir, schema, configFile, admin, opts.flags ?? []);
    try {
      c.slots.push(await c.spawn());
      c.slots.push(...(await Promise.all(Array.from({ length: n - 1 }, () => c.spawn()))));
    } catch (e) {
      await c.close();
      throw e;
    }
    return c;
  }

  /** A gateway process over the shared directory and schema (not one of the slots). */
  spawn(port = 0): Promise<ServerProcess> {
    return spawnServer(this.dir, [...KEY_FLAGS, '--config', this.configFile, ...this.flags, '--address', `127.0.0.1:${port}`]);
  }

  url(i: number): string {
    return this.slots[i]!.url;
  }

  /** SIGKILL: no drain, no clean-up; resolves once the process is gone. */
  async kill(i: number): Promise<void> {
    this.slots[i]!.child.kill('SIGKILL');
    await this.slots[i]!.exited;
  }

  /** A new process in slot i, on the port the slot had. */
  async restart(i: number): Promise<void> {
    this.slots[i] = await this.spawn(this.slots[i]!.port);
  }

  /** SIGTERM to every live slot; each must exit cleanly (status 0). */
  async stopAll(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.stop()));
  }

  /** The background workers as gateway i reports them (the operator action ListWorkers). */
  async workers(i: number): Promise<WorkerView[]> {
    const r = await callIam({ endpoint: this.url(i), accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, region: 'us-east-1' }, 'ListWorkers', {});
    return membersOf(r.Workers).map((w) => ({
      name: text(w, 'Name') ?? '',
      state: text(w, 'State') ?? '',
      holder: text(w, 'Holder') ?? '',
      ...(text(w, 'LeaseHolder') ? { leaseHolder: text(w, 'LeaseHolder') } : {}),
      passes: Number(text(w, 'Passes') ?? 0),
    }));
  }

  /** Asks gateway i to run a pass of a worker now (RunWorker): true when it ran there (it holds the lease). */
  async runWorker(i: number, name: string): Promise<boolean> {
    const r = await callIam({ endpoint: this.url(i), accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, region: 'us-east-1' }, 'RunWorker', { WorkerName: name });
    return text(r, 'Ran') === 'true';
  }

  /** Every blob id a version, an object segment or an upload part references. */
  async referencedBlobs(): Promise<Set<string>> {
    const rows = await this.admin.all<{ id: string }>(
      `SELECT blob_id AS id FROM "${this.schema}".objects WHERE blob_id IS NOT NULL
       UNION SELECT blob_id FROM "${this.schema}".object_segments
       UNION SELECT blob_id FROM "${this.schema}".upload_parts`,
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Blob files (by id) and temporary files (paths under objects/tmp) in the data directory. */
  async filesOnDisk(): Promise<{ blobs: Set<string>; temps: string[] }> {
    const root = path.join(this.dir, 'objects');
    const blobs = new Set<string>();
    const temps: string[] = [];
    const walk = async (d: string, into: (p: string) => void) => {
      for (const e of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) await walk(p, into);
        else into(p);
      }
    };
    await walk(path.join(root, 'blobs'), (p) => blobs.add(path.basename(p)));
    await walk(path.join(root, 'tmp'), (p) => temps.push(path.relative(root, p)));
    return { blobs, temps };
  }

  /** The per-process folders under objects/tmp (their owners' names). */
  async tempFolders(): Promise<string[]> {
    return (await fs.readdir(path.join(this.dir, 'objects', 'tmp'), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  }

  /** Kills what still runs, drops the schema, removes the directory. */
  async close(): Promise<void> {
    for (const s of this.slots) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await Promise.all(this.slots.map((s) => s.exited));
    await this.admin.exec(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`).catch(() => undefined);
    await this.admin.close();
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
