/**
 * Two schedulers over one store (two processes, or two Lambda invocations on
 * different stream shards): each sees the other's bindings only through its
 * watch, so both place pods on the same tight nodes at once. The allocation
 * records behind `pods/binding` must refuse the loser; every node ends within
 * its allocatable and the pods left over are reported unschedulable.
 */
import { randomUUID } from 'node:crypto';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/api/object.ts';
import { findResource } from '../../../core/api/resources.ts';
import { quantityMilliValue } from '../../../core/api/quantity.ts';
import { silentLogger } from '../../../core/apiserver/types.ts';
import { Registry } from '../../../core/registry/registry.ts';
import { type RunningScheduler, startScheduler } from '../../../core/scheduler/loop.ts';
import { createSqliteStore } from '../../../core/storage/sqlite/sqlite-store.ts';
import type { Store } from '../../../core/storage/store.ts';
import { makeNode, makePod } from '../../fixtures/scheduler.ts';
import { dynamoForTests } from '../../support/emulators.ts';
import { adminCtx, NODES, PODS } from '../../support/memory-registry.ts';
import { dynamoHarness } from '../storage/dynamodb-harness.ts';

/** Two stores over the same data (one per scheduler process) and their cleanup. */
interface SharedStores {
  stores: [Store, Store];
  cleanup(): Promise<void>;
}

const dynamo = await dynamoForTests();

const backends: [string, (() => Promise<SharedStores>) | string][] = [
  [
    'SQLite',
    async () => {
      // One process owns a SQLite file: both schedulers share the store object, nothing else.
      const store = createSqliteStore({ path: ':memory:' });
      return { stores: [store, store], cleanup: () => store.close() };
    },
  ],
  [
    'DynamoDB',
    'skip' in dynamo
      ? dynamo.skip
      : async () => {
          const h = await dynamoHarness(dynamo.endpoint);
          return { stores: [h.store, h.open()], cleanup: () => h.cleanup() };
        },
  ],
];

const registryOver = (store: Store) =>
  new Registry({
    store,
    uid: randomUUID,
    random: Math.random,
    serviceCidr: '10.96.0.0/24',
    nodePortRange: { min: 30000, max: 32767 },
  });

const NODE_COUNT = 3;
const POD_COUNT = 20;
// 1 CPU per node, 300m per pod: room for 3 pods a node, 9 in all.
const ROOM = NODE_COUNT * 3;
const SCHEDULERS = ['scheduler-a', 'scheduler-b'];

let running: RunningScheduler[] = [];
let shared: SharedStores | undefined;
afterEach(async () => {
  await Promise.all(running.map((s) => s.stop()));
  running = [];
  await shared?.cleanup();
  shared = undefined;
});

const requestedCpu = (p: Pod) => p.spec!.containers[0].resources!.requests!.cpu!;

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`not settled within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(backends)('two schedulers over one %s store', (_name, open) => {
  const run = typeof open === 'string' ? it.skip : it;
  run(
    `never overcommit a node: ${POD_COUNT} pods racing for room for ${ROOM}`,
    async () => {
      shared = await (open as () => Promise<SharedStores>)();
      const [a, b] = shared.stores.map(registryOver);
      await a.create(adminCtx(), findResource('', 'v1', 'namespaces')!, '', { metadata: { name: 'default' } });
      for (let i = 0; i < NODE_COUNT; i++) {
        const { metadata, status } = makeNode({ name: `n${i}`, cpu: '1', memory: '4Gi', pods: '110' });
        await a.create(adminCtx(), NODES, '', { metadata: { name: metadata!.name } });
        await a.update(adminCtx(), NODES, '', metadata!.name!, { metadata, status } as KubeObject, 'status');
      }
      // Each scheduler has pods of its own (as two profiles, or two stream shards): they never race for one
      // pod, only for room. Both start on the whole backlog at once; each sees the other's bindings only by watch.
      await Promise.all(
        Array.from({ length: POD_COUNT }, (_, i) => {
          const { spec } = makePod({ name: `p${i}`, cpu: '300m' });
          const body = { metadata: { name: `p${i}` }, spec: { ...spec, schedulerName: SCHEDULERS[i % 2] } };
          return (i % 2 ? a : b).create(adminCtx(), PODS, 'default', body as KubeObject);
        }),
      );
      const config = { initialBackoffMs: 20, maxBackoffMs: 200, scheduledEvents: false };
      running = await Promise.all(
        [a, b].map((registry, i) =>
          startScheduler({
            store: shared!.stores[i],
            registry,
            logger: silentLogger,
            config: { ...config, schedulerName: SCHEDULERS[i] },
          }),
        ),
      );

      // Settled: every node full and every other pod refused. An overcommitted node fails at once.
      let last: Record<string, number> = {};
      await eventually(async () => {
        const list = (await shared!.stores[0].list('pods')).items as unknown as Pod[];
        const perNode: Record<string, number> = {};
        for (const p of list) {
          const node = p.spec?.nodeName;
          if (node) perNode[node] = (perNode[node] ?? 0) + quantityMilliValue(requestedCpu(p));
        }
        last = perNode;
        expect(Math.max(0, ...Object.values(perNode)), JSON.stringify(perNode)).toBeLessThanOrEqual(1000);
        const refused = list.filter((p) =>
          p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable'),
        );
        return refused.length === POD_COUNT - ROOM && Object.values(perNode).length === NODE_COUNT ? true : undefined;
      }, 60_000).catch((e) => {
        throw new Error(`${(e as Error).message}; cpu per node ${JSON.stringify(last)}`);
      });
      expect(last).toEqual({ n0: 900, n1: 900, n2: 900 });
    },
    120_000,
  );
});
