import type { Pod } from 'kubernetes-types/core/v1.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/api/object.ts';
import { isConflict } from '../../../core/errors/index.ts';
import { bindPod } from '../../../core/registry/binding.ts';
import {
  allocationEntry,
  allocationKey,
  misfitReasons,
  type NodeAllocation,
  RESERVATION_GRACE_MS,
  release,
  reserve,
} from '../../../core/registry/node-allocation.ts';
import type { Registry } from '../../../core/registry/registry.ts';
import { nodeAllocatable } from '../../../core/scheduler/node-info.ts';
import type { Store } from '../../../core/storage/store.ts';
import { makeNode, makePod, type NodeSpec, type PodSpec } from '../../fixtures/scheduler.ts';
import { adminCtx, makeRegistry, NODES, PODS } from '../../support/memory-registry.ts';

let store: Store;
let registry: Registry;

beforeEach(async () => {
  ({ store, registry } = await makeRegistry());
});
afterEach(() => store.close());

async function addNode(spec: NodeSpec): Promise<void> {
  const { metadata, spec: nodeSpec, status } = makeNode(spec);
  const name = metadata!.name!;
  await registry.create(adminCtx(), NODES, '', { metadata: { name, labels: metadata!.labels }, spec: nodeSpec });
  await registry.update(adminCtx(), NODES, '', name, { metadata: { name }, status } as KubeObject, 'status');
}

async function addPod(spec: PodSpec): Promise<Pod> {
  const { metadata, spec: podSpec } = makePod(spec);
  const body = { metadata: { name: metadata!.name }, spec: podSpec };
  return (await registry.create(adminCtx(), PODS, 'default', body as KubeObject)) as unknown as Pod;
}

async function record(node: string): Promise<NodeAllocation> {
  return (await store.get(allocationKey(node))) as NodeAllocation;
}

const nodeNameOf = async (name: string) =>
  ((await registry.get(PODS, 'default', name)) as unknown as Pod).spec?.nodeName;

describe('misfitReasons', () => {
  const alloc = nodeAllocatable(makeNode({ name: 'n', cpu: '1', memory: '1Gi', pods: '2' }));
  const entry = (cpu: number, mem = 0, ports?: string[]) => ({ pod: 'default/p', cpu, mem, eph: 0, at: 0, ports });

  it.each([
    ['fits next to others within allocatable', entry(500), [entry(500)], []],
    ['names cpu when the sum exceeds it', entry(600), [entry(500)], ['Insufficient cpu']],
    ['names the pod count when the node is full', entry(0), [entry(0), entry(0)], ['Too many pods']],
    [
      'names every short resource in Kubernetes order',
      entry(600, 2 ** 30),
      [entry(500, 1)],
      ['Insufficient cpu', 'Insufficient memory'],
    ],
    [
      'finds a wildcard host port against a specific IP',
      entry(0, 0, ['0.0.0.0/TCP/80']),
      [entry(0, 0, ['10.0.0.1/TCP/80'])],
      ["node(s) didn't have free ports for the requested pod ports"],
    ],
    [
      'lets the same port on other protocols through',
      entry(0, 0, ['0.0.0.0/UDP/80']),
      [entry(0, 0, ['0.0.0.0/TCP/80'])],
      [],
    ],
  ])('%s', (_name, want, others, reasons) => {
    expect(misfitReasons(want, others, alloc)).toEqual(reasons);
  });
});

describe('bindPod with allocation records', () => {
  it('reserves the pod’s requests in the node’s record', async () => {
    await addNode({ name: 'n1', cpu: '1' });
    const pod = await addPod({ name: 'a', cpu: '300m', memory: '64Mi' });
    await bindPod(registry, adminCtx(), 'default', 'a', 'n1');
    expect((await record('n1')).spec.pods).toEqual({
      [pod.metadata!.uid!]: { pod: 'default/a', cpu: 300, mem: 64 * 2 ** 20, eph: 0, at: adminCtx().now.getTime() },
    });
  });

  it('answers 409 naming the reason and leaves the pod unbound when the node has no room', async () => {
    await addNode({ name: 'n1', cpu: '1' });
    await addPod({ name: 'a', cpu: '700m' });
    await addPod({ name: 'b', cpu: '700m' });
    await bindPod(registry, adminCtx(), 'default', 'a', 'n1');
    const before = await record('n1');
    const err = await bindPod(registry, adminCtx(), 'default', 'b', 'n1').catch((e) => e);
    expect(isConflict(err)).toBe(true);
    expect(err.message).toBe(
      'Operation cannot be fulfilled on pods "b": pod does not fit on node "n1": Insufficient cpu',
    );
    expect(await nodeNameOf('b')).toBeUndefined();
    expect(await record('n1')).toEqual(before);
  });

  it('lets only one of two concurrent bindings take the last room on a node', async () => {
    await addNode({ name: 'n1', cpu: '1' });
    await addPod({ name: 'a', cpu: '700m' });
    await addPod({ name: 'b', cpu: '700m' });
    const results = await Promise.allSettled([
      bindPod(registry, adminCtx(), 'default', 'a', 'n1'),
      bindPod(registry, adminCtx(), 'default', 'b', 'n1'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(isConflict((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason)).toBe(true);
    expect([await nodeNameOf('a'), await nodeNameOf('b')].filter(Boolean)).toEqual(['n1']);
  });

  it('reclaims the room of a deleted pod when the next pod needs it', async () => {
    await addNode({ name: 'n1', cpu: '1' });
    await addPod({ name: 'a', cpu: '700m' });
    await addPod({ name: 'b', cpu: '700m' });
    await bindPod(registry, adminCtx(), 'default', 'a', 'n1');
    await store.delete(registry.key(PODS, 'default', 'a'));
    await bindPod(registry, adminCtx(), 'default', 'b', 'n1');
    expect(await nodeNameOf('b')).toBe('n1');
    expect(Object.values((await record('n1')).spec.pods).map((e) => e.pod)).toEqual(['default/b']);
  });

  it('reclaims the room of a finished pod', async () => {
    await addNode({ name: 'n1', cpu: '1' });
    await addPod({ name: 'a', cpu: '700m' });
    await addPod({ name: 'b', cpu: '700m' });
    await bindPod(registry, adminCtx(), 'default', 'a', 'n1');
    await registry.systemUpdate(adminCtx(), PODS, 'default', 'a', (p) => ({ ...p, status: { phase: 'Succeeded' } }));
    await bindPod(registry, adminCtx(), 'default', 'b', 'n1');
    expect(await nodeNameOf('b')).toBe('n1');
  });

  it('keeps a reservation whose binding is in flight, and drops it once the grace period is over', async () => {
    await addNode({ name: 'n1', cpu: '1' });
    const a = await addPod({ name: 'a', cpu: '700m' });
    await addPod({ name: 'b', cpu: '700m' });
    const node = (await store.get(registry.key(NODES, '', 'n1'))) as never;
    // A binder that reserved for `a` and has not written the pod yet (or died).
    await reserve(store, node, a.metadata!.uid!, allocationEntry(a, adminCtx().now), adminCtx().now);
    const soon = new Date(adminCtx().now.getTime() + RESERVATION_GRACE_MS - 1);
    expect(isConflict(await bindPod(registry, adminCtx(soon), 'default', 'b', 'n1').catch((e) => e))).toBe(true);
    const later = new Date(adminCtx().now.getTime() + RESERVATION_GRACE_MS);
    await bindPod(registry, adminCtx(later), 'default', 'b', 'n1');
    expect(await nodeNameOf('b')).toBe('n1');
  });

  it('releases its reservation when the pod write fails after it', async () => {
    await addNode({ name: 'n1', cpu: '1' });
    const stale = await addPod({ name: 'a', cpu: '700m' });
    await bindPod(registry, adminCtx(), 'default', 'a', 'n2');
    // The caller's copy still shows the pod unbound: the reservation is made, the write then refuses.
    const err = await bindPod(registry, adminCtx(), 'default', 'a', 'n1', { pod: stale }).catch((e) => e);
    expect(err.message).toContain('pod a is already assigned to node "n2"');
    expect((await record('n1')).spec.pods).toEqual({});
  });

  it('refuses a host port another binding holds on the node', async () => {
    await addNode({ name: 'n1' });
    const port = [{ name: 'c', image: 'i', ports: [{ containerPort: 80, hostPort: 8080 }] }];
    await addPod({ name: 'a', containers: port });
    await addPod({ name: 'b', containers: port });
    await bindPod(registry, adminCtx(), 'default', 'a', 'n1');
    const err = await bindPod(registry, adminCtx(), 'default', 'b', 'n1').catch((e) => e);
    expect(err.message).toContain("node(s) didn't have free ports for the requested pod ports");
  });

  it('binds to a node the store does not know without a record, as Kubernetes allows', async () => {
    await addPod({ name: 'a', cpu: '700m' });
    await bindPod(registry, adminCtx(), 'default', 'a', 'ghost');
    expect(await nodeNameOf('a')).toBe('ghost');
    await expect(store.get(allocationKey('ghost'))).rejects.toThrow();
  });

  it('writes nothing on a dry run', async () => {
    await addNode({ name: 'n1' });
    await addPod({ name: 'a' });
    await bindPod(registry, { ...adminCtx(), dryRun: true }, 'default', 'a', 'n1');
    expect(await nodeNameOf('a')).toBeUndefined();
    await expect(store.get(allocationKey('n1'))).rejects.toThrow();
  });
});

describe('release', () => {
  it('keeps the entry when the pod is bound to the node by now (another binder relied on it)', async () => {
    await addNode({ name: 'n1', cpu: '1' });
    const a = await addPod({ name: 'a', cpu: '700m' });
    const node = (await store.get(registry.key(NODES, '', 'n1'))) as never;
    // Binder B reserved first; binder A found B's entry and bound the pod; B's own write was refused.
    await reserve(store, node, a.metadata!.uid!, allocationEntry(a, adminCtx().now), adminCtx().now);
    await bindPod(registry, adminCtx(), 'default', 'a', 'n1');
    await release(store, 'n1', a.metadata!.uid!, { namespace: 'default', name: 'a' });
    expect(Object.keys((await record('n1')).spec.pods)).toEqual([a.metadata!.uid]);
  });

  it('drops the entry of a pod that is not bound there', async () => {
    await addNode({ name: 'n1', cpu: '1' });
    const a = await addPod({ name: 'a', cpu: '700m' });
    const node = (await store.get(registry.key(NODES, '', 'n1'))) as never;
    await reserve(store, node, a.metadata!.uid!, allocationEntry(a, adminCtx().now), adminCtx().now);
    await release(store, 'n1', a.metadata!.uid!, { namespace: 'default', name: 'a' });
    expect((await record('n1')).spec.pods).toEqual({});
  });
});
