/**
 * Garbage collector benchmark: a Deployment of `BENCH_PODS` replicas (no
 * scheduler: pods stay unbound and go at once when deleted) run by the real
 * ReplicaSet and Deployment controllers over a SQLite store, then deleted
 * with Background and with Foreground propagation; measured from the DELETE
 * to the last of Deployment, ReplicaSet and pods gone, with the store write
 * and read calls made meanwhile by every controller (a delete that finds its
 * object already gone counts as a write call). Once with the in-memory owner graph (local
 * cluster) and once with the store-scan finder (AWS functions). Prints one
 * JSON document. `BENCH_PODS` (comma-separated, default 100,1000), `BENCH_FINDERS`
 * (graph,scan), `BENCH_POLICIES` (Background,Foreground).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../core/api/object.ts';
import { findResource, type ResourceInfo } from '../core/api/resources.ts';
import { MASTERS_GROUP } from '../core/apiserver/auth.ts';
import { silentLogger } from '../core/apiserver/types.ts';
import { startDeploymentController } from '../core/controllers/deployment/sync.ts';
import { scanDependents } from '../core/controllers/garbagecollector/graph.ts';
import { garbageCollectorSpec } from '../core/controllers/garbagecollector/spec.ts';
import { REPLICA_SET_KIND } from '../core/controllers/replicaset/kinds.ts';
import { startReplicaController } from '../core/controllers/replicaset/sync.ts';
import { startController } from '../core/controllers/runtime/controller.ts';
import { deleteObject, type PropagationPolicy } from '../core/registry/delete.ts';
import { Registry } from '../core/registry/registry.ts';
import { createSqliteStore } from '../core/storage/sqlite/sqlite-store.ts';
import type { Store } from '../core/storage/store.ts';

const SIZES = (process.env.BENCH_PODS ?? '100,1000').split(',').map(Number);
const FINDERS = (process.env.BENCH_FINDERS ?? 'graph,scan').split(',') as ('graph' | 'scan')[];
const POLICIES = (process.env.BENCH_POLICIES ?? 'Background,Foreground').split(',') as PropagationPolicy[];
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments') as ResourceInfo;
const ctx = () => ({ user: { name: 'bench', groups: [MASTERS_GROUP] }, now: new Date(), dryRun: false });

/** A store that counts the calls made through it. */
function counting(store: Store) {
  const counts = { writes: 0, reads: 0, byResource: {} as Record<string, number> };
  const writes = new Set(['create', 'update', 'delete', 'guaranteedUpdate']);
  const reads = new Set(['get', 'list']);
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (writes.has(String(prop))) {
          counts.writes++;
          const r = `${String(prop)} ${(args[0] as { resource?: string }).resource}`;
          counts.byResource[r] = (counts.byResource[r] ?? 0) + 1;
        }
        if (reads.has(String(prop))) counts.reads++;
        return v.apply(target, args);
      };
    },
  });
  return { store: proxy as Store, counts };
}

async function until(check: () => Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function run(pods: number, finder: 'graph' | 'scan', policy: PropagationPolicy) {
  const dir = mkdtempSync(join(tmpdir(), 'skube-bench-gc-'));
  const raw = createSqliteStore({ path: join(dir, 'store.db') });
  const { store, counts } = counting(raw);
  let n = 0;
  const registry = new Registry({
    store,
    uid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    random: Math.random,
    serviceCidr: '10.96.0.0/24',
    nodePortRange: { min: 30000, max: 32767 },
  });
  await registry.create(ctx(), findResource('', 'v1', 'namespaces') as ResourceInfo, '', {
    metadata: { name: 'default' },
  });
  const deps = { store, registry, logger: silentLogger };
  const gcDeps = finder === 'scan' ? { ...deps, finder: scanDependents(store) } : deps;
  const running = [
    await startReplicaController(REPLICA_SET_KIND, deps),
    await startDeploymentController(deps),
    await startController(store, garbageCollectorSpec(gcDeps), silentLogger),
  ];
  const deployment = {
    metadata: { name: 'web' },
    spec: {
      replicas: pods,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
    },
  };
  await registry.create(ctx(), DEPLOYMENTS, 'default', deployment as unknown as KubeObject);
  const count = async (resource: string) => (await raw.list(resource, { namespace: 'default' })).items.length;
  await until(async () => (await count('pods')) === pods);
  await new Promise((r) => setTimeout(r, 1000));
  const before = { ...counts, byResource: { ...counts.byResource } };
  const started = performance.now();
  await deleteObject(registry, { garbageCollector: true }, ctx(), DEPLOYMENTS, 'default', 'web', {
    propagationPolicy: policy,
  });
  await until(
    async () =>
      (await count('pods')) === 0 && (await count('replicasets.apps')) === 0 && (await count('deployments.apps')) === 0,
  );
  const ms = Math.round(performance.now() - started);
  for (const c of running) await c.stop();
  await raw.close();
  rmSync(dir, { recursive: true, force: true });
  const writes = counts.writes - before.writes;
  const reads = counts.reads - before.reads;
  const calls = Object.fromEntries(
    Object.entries(counts.byResource)
      .map(([k, v]) => [k, v - (before.byResource[k] ?? 0)] as const)
      .filter(([, v]) => v > 0),
  );
  return { pods, finder, policy, ms, writes, reads, writesPerObject: +(writes / (pods + 2)).toFixed(2), calls };
}

const results = [];
const load = loadavg()[0];
for (const pods of SIZES) {
  for (const finder of FINDERS) {
    for (const policy of POLICIES) results.push(await run(pods, finder, policy));
  }
}
console.log(
  JSON.stringify(
    {
      bench: 'garbage-collector',
      cpus: cpus().length,
      loadAverageAtStart: load,
      loadAverageAtEnd: loadavg()[0],
      results,
    },
    null,
    2,
  ),
);
