import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/api/object.ts';
import { silentLogger } from '../../../core/apiserver/types.ts';
import type { Registry } from '../../../core/registry/registry.ts';
import { type RunningScheduler, startScheduler } from '../../../core/scheduler/loop.ts';
import type { Store } from '../../../core/storage/store.ts';
import { makeNode, makePod, type NodeSpec, type PodSpec } from '../../fixtures/scheduler.ts';
import { adminCtx, makeRegistry, NODES, PODS } from '../../support/memory-registry.ts';

let store: Store;
let registry: Registry;
let scheduler: RunningScheduler | undefined;

beforeEach(async () => {
  ({ store, registry } = await makeRegistry());
});
afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
  await store.close();
});

async function addNode(spec: NodeSpec): Promise<void> {
  const { metadata, spec: nodeSpec, status } = makeNode(spec);
  const name = metadata!.name!;
  await registry.create(adminCtx(), NODES, '', { metadata: { name, labels: metadata!.labels }, spec: nodeSpec });
  await registry.update(adminCtx(), NODES, '', name, { metadata: { name }, status } as KubeObject, 'status');
}

async function addPod(spec: PodSpec, schedulerName?: string): Promise<void> {
  const { metadata, spec: podSpec } = makePod(spec);
  const body = { metadata: { name: metadata!.name, labels: metadata!.labels }, spec: { ...podSpec, schedulerName } };
  await registry.create(adminCtx(), PODS, 'default', body as KubeObject);
}

const start = async () => {
  scheduler = await startScheduler({ store, registry, logger: silentLogger, config: { initialBackoffMs: 10 } });
  return scheduler;
};

async function pods(): Promise<Pod[]> {
  return (await store.list('pods')).items as unknown as Pod[];
}

async function settle(): Promise<void> {
  // Watch events are delivered asynchronously; idle() covers what the loop already knows.
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 20));
    await scheduler!.idle();
  }
}

describe('startScheduler', () => {
  it('binds pending pods it is responsible for and leaves other schedulers’ pods alone', async () => {
    await addNode({ name: 'n1' });
    await addPod({ name: 'mine' });
    await addPod({ name: 'theirs' }, 'other-scheduler');
    await start();
    await settle();
    const byName = Object.fromEntries((await pods()).map((p) => [p.metadata!.name, p.spec!.nodeName]));
    expect(byName).toEqual({ mine: 'n1', theirs: undefined });
    const events = (await store.list('events')).items as unknown as Event[];
    expect(events.map((e) => [e.reason, e.message])).toEqual([
      ['Scheduled', 'Successfully assigned default/mine to n1'],
    ]);
  });

  it('counts pods of one batch against capacity and never overcommits', async () => {
    await addNode({ name: 'n1', cpu: '1' });
    await addNode({ name: 'n2', cpu: '1' });
    for (let i = 0; i < 20; i++) await addPod({ name: `p${i}`, cpu: '200m' });
    await start();
    await settle();
    const bound = (await pods()).filter((p) => p.spec?.nodeName);
    const perNode = new Map<string, number>();
    for (const p of bound) perNode.set(p.spec!.nodeName!, (perNode.get(p.spec!.nodeName!) ?? 0) + 1);
    expect(Object.fromEntries(perNode)).toEqual({ n1: 5, n2: 5 });
  });

  it('writes the Unschedulable condition once and aggregates repeated FailedScheduling events', async () => {
    await addNode({ name: 'small', cpu: '1' });
    await addPod({ name: 'big', cpu: '2' });
    await start();
    await settle();
    const [first] = await pods();
    expect(first.status?.conditions).toEqual([
      expect.objectContaining({
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message: '0/1 nodes are available: 1 Insufficient cpu.',
      }),
    ]);
    // A pod leaving a node is a cluster event: the pod is retried and fails the same way.
    await addPod({ name: 'bystander', nodeName: 'small' });
    await store.delete(registry.key(PODS, 'default', 'bystander'));
    await new Promise((r) => setTimeout(r, 50));
    await settle();
    const again = (await pods()).find((p) => p.metadata?.name === 'big')!;
    expect(again.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
    const events = (await store.list('events')).items as unknown as Event[];
    expect(events.map((e) => [e.reason, e.count])).toEqual([['FailedScheduling', 2]]);
  });

  it('schedules a waiting pod once a node that fits appears', async () => {
    await addPod({ name: 'waiting', cpu: '2' });
    await start();
    await settle();
    expect((await pods())[0].status?.conditions?.[0]?.message).toBe('no nodes available to schedule pods');
    await addNode({ name: 'roomy', cpu: '4' });
    await new Promise((r) => setTimeout(r, 50));
    await settle();
    expect((await pods())[0].spec?.nodeName).toBe('roomy');
  });
});
