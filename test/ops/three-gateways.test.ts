/**
 * The deployment of docs/deployment.md ("Several hosts"): three `stratus
 * server` processes over one PostgreSQL schema and one data directory. Clients
 * spread over the gateways run a mixed workload (S3 PUT and GET, versioned
 * deletes, multipart with parts on different gateways, COS slices on
 * different gateways, OSS appends, objects a lifecycle rule expires) while the
 * gateway holding the lifecycle worker is SIGKILLed and restarted on its port.
 * Then: every acknowledged write reads back whole through every gateway, a
 * write whose connection died is whole or absent, nothing else is listed;
 * the lifecycle worker runs on exactly one gateway at any time and keeps
 * working after the takeover, and the blob sweep asked of all three runs on
 * one; and once the start-up sweep of a gateway starting alone has run no
 * unreferenced blob or temporary file is left, and no referenced one is
 * missing. (The sweep only runs at start-up and in the hourly blob-sweep
 * worker, which spares blobs younger than a minute: within this test only a
 * lone start-up removes what the kill left.)
 */
import { CreateBucketCommand, ListObjectsV2Command, PutBucketLifecycleConfigurationCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { bucketName } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { pgMissing } from '../meta/stores.js';
import { GatewayCluster, type WorkerView } from './gateways/cluster.js';
import { Model } from './gateways/model.js';
import { verify } from './gateways/verify.js';
import { clientsFor, Workload, type Buckets } from './gateways/workload.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Short, so that the takeover after the kill happens within the test. */
const LEASE_MS = 4000;

/** A gateway that says it runs the lifecycle worker: it holds the lease by its own account. */
const claims = (w: WorkerView | undefined) => !!w && w.leaseHolder === w.holder && (w.state === 'idle' || w.state === 'running');

/**
 * Samples every live gateway's lifecycle worker (ListWorkers) until stopped:
 * in no sample may two gateways claim the worker at once.
 */
class WorkerWatch {
  readonly down = new Set<number>();
  readonly problems: string[] = [];
  last: (WorkerView | undefined)[] = [];
  rounds = 0;
  private stopped = false;
  private done: Promise<void>;

  constructor(private readonly cluster: GatewayCluster) {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const views = await Promise.all(
        this.cluster.slots.map(async (_, i) => (this.down.has(i) ? undefined : (await this.cluster.workers(i).catch(() => []))?.find((w) => w.name === 'lifecycle'))),
      );
      const claimants = views.filter(claims).map((w) => w!.holder);
      if (new Set(claimants).size > 1) this.problems.push(`two gateways run the lifecycle worker at once: ${claimants.join(', ')}`);
      this.last = views;
      this.rounds++;
      await sleep(250);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

const unavailable = await GatewayCluster.unavailable();
if (unavailable) {
  test('three gateways on one PostgreSQL and one data directory', (t) => pgMissing(t, unavailable));
} else {
  describe('three gateways on one PostgreSQL and one data directory', { timeout: 180_000 }, () => {
    it('lose no acknowledged write, show nothing unacknowledged, run the lifecycle worker once and leave no orphan when one is SIGKILLed under load', async (t) => {
      const cluster = await GatewayCluster.start(3, { config: { workerLeaseMs: LEASE_MS, lifecycleDaySeconds: 1 }, flags: ['--no-fsync'] });
      const b: Buckets = { plain: bucketName('gw-plain'), versioned: bucketName('gw-ver'), expiring: bucketName('gw-lc') };
      const gws = cluster.slots.map((_, i) => clientsFor(cluster.url(i), b.plain));
      let watch: WorkerWatch | undefined;
      let load: Workload | undefined;
      let running: Promise<void> | undefined;
      try {
        const s3 = gws[0]!.s3;
        for (const Bucket of Object.values(b)) await s3.send(new CreateBucketCommand({ Bucket }));
        await gws[1]!.s3.send(new PutBucketVersioningCommand({ Bucket: b.versioned, VersioningConfiguration: { Status: 'Enabled' } }));
        await gws[2]!.s3.send(
          new PutBucketLifecycleConfigurationCommand({ Bucket: b.expiring, LifecycleConfiguration: { Rules: [{ ID: 'all', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } }] } }),
        );
        // The first gateway started first and took the worker; the others wait.
        watch = new WorkerWatch(cluster);
        const holderSlot = (await waitFor(() => (watch!.last.findIndex(claims) >= 0 ? watch!.last.findIndex(claims) + 1 : 0), { what: 'a gateway holds the lifecycle worker' })) - 1;

        const model = new Model();
        load = new Workload(gws, b, model);
        running = load.run();
        await sleep(2000);
        // SIGKILL the worker's holder mid-load, and start a new process on its port.
        const killedPid = cluster.slots[holderSlot]!.child.pid!;
        watch.down.add(holderSlot);
        await cluster.kill(holderSlot);
        await cluster.restart(holderSlot);
        watch.down.delete(holderSlot);
        // Its start-up sweep removed the dead process's temporary folder, and only that.
        const folders = await cluster.tempFolders();
        assert.equal(folders.filter((f) => f.startsWith(`g-${killedPid}-`)).length, 0, `the killed gateway's folder is left: ${folders.join(', ')}`);
        assert.equal(folders.length, 3, `one folder per live gateway: ${folders.join(', ')}`);
        // The blob sweep, asked of every gateway while the load goes on, runs on the one holding it
        // (on none until the killed holder's lease has expired).
        const sweeps: number[] = [];
        await waitFor(
          async () => {
            const ran = (await Promise.all(cluster.slots.map((_, i) => cluster.runWorker(i, 'blob-sweep')))).filter(Boolean).length;
            sweeps.push(ran);
            return ran > 0;
          },
          { what: 'a gateway runs the blob sweep', timeoutMs: 10 * LEASE_MS, intervalMs: 200 },
        );
        assert.ok(sweeps.every((n) => n <= 1), `blob-sweep ran on several gateways at once: ${sweeps.join(', ')}`);
        await sleep(1000);
        load.stop();
        await running;
        t.diagnostic(`requests: ${JSON.stringify(model.fates)}; keys: ${model.keys.size}; unknown outcomes: ${[...model.keys.values()].filter((k) => k.frozen).length} keys`);
        assert.deepEqual(model.problems, [], 'no gateway answered a request with an error, or read back other bytes');

        // The worker moves to exactly one gateway, which every other names.
        const settled = await waitFor(
          async () => {
            const views = await Promise.all(cluster.slots.map(async (_, i) => (await cluster.workers(i)).find((w) => w.name === 'lifecycle')!));
            const holders = views.filter(claims);
            const one = holders.length === 1 && views.every((v) => v === holders[0] || (v.state === 'standby' && v.leaseHolder === holders[0]!.holder));
            return one ? holders[0]! : undefined;
          },
          { what: 'one gateway runs the lifecycle worker and the others stand by', timeoutMs: 10 * LEASE_MS, intervalMs: 100 },
        );
        assert.ok(load.expiringWritten > 0);
        await waitFor(async () => ((await gws[0]!.s3.send(new ListObjectsV2Command({ Bucket: b.expiring }))).KeyCount ?? 0) === 0, {
          what: 'the lifecycle worker expired every object after the takeover',
          timeoutMs: 30_000,
          intervalMs: 200,
        });
        await watch.stop();
        assert.deepEqual(watch.problems, []);
        // Only the gateway holding it now has run passes: the survivors never did before, the new process starts at 0.
        const after = await Promise.all(cluster.slots.map(async (_, i) => (await cluster.workers(i)).find((w) => w.name === 'lifecycle')!));
        assert.equal(after.filter((w) => w.passes > 0).length, 1, `passes per gateway: ${after.map((w) => w.passes).join(', ')}`);
        assert.equal(after.find((w) => w.passes > 0)!.holder, settled.holder);

        const wrong = await verify(model, gws, b);
        assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} findings`);

        // Stopped cleanly, the gateways leave no temporary file; blobs the metadata references are all there.
        await cluster.stopAll();
        const referenced = await cluster.referencedBlobs();
        const before = await cluster.filesOnDisk();
        assert.deepEqual(before.temps, []);
        assert.deepEqual([...referenced].filter((id) => !before.blobs.has(id)), [], 'referenced blobs missing');
        const unreferenced = [...before.blobs].filter((id) => !referenced.has(id));
        t.diagnostic(`blobs: ${before.blobs.size} on disk, ${referenced.size} referenced, ${unreferenced.length} unreferenced before the sweep`);
        // Only requests cut by the kill may have left one: a blob renamed but not committed, or one
        // replaced but not yet deleted (one per request), and a lifecycle action of the killed holder.
        // More means a path that leaks blobs without any crash.
        assert.ok(unreferenced.length <= model.fates.unknown + 2, `${unreferenced.length} unreferenced blobs for ${model.fates.unknown} requests cut by the kill`);

        // A gateway starting alone sweeps: what is left is exactly what the metadata references.
        const sweeper = await cluster.spawn();
        try {
          const swept = await cluster.filesOnDisk();
          assert.deepEqual(swept.temps, []);
          assert.deepEqual([...swept.blobs].filter((id) => !referenced.has(id)), [], 'unreferenced blobs after the sweep');
          assert.deepEqual([...referenced].filter((id) => !swept.blobs.has(id)), [], 'referenced blobs missing after the sweep');
        } finally {
          await sweeper.stop();
        }
      } finally {
        load?.stop();
        await watch?.stop();
        await cluster.close();
        await running;
        for (const g of gws) g.s3.destroy();
      }
    });
  });
}
