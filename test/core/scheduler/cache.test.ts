import { describe, expect, it } from 'vitest';
import { createSchedulerCache } from '../../../core/scheduler/cache.ts';
import { compileLabelSelector, LabelMatcher } from '../../../core/scheduler/selectors.ts';
import { makeNode, makePod } from '../../fixtures/scheduler.ts';

function requested(cache: ReturnType<typeof createSchedulerCache>, node: string) {
  const info = cache.snapshot().get(node)!;
  return {
    cpu: info.requested.milliCPU,
    pods: info.requested.pods,
    names: info.pods.map((p) => p.pod.metadata?.name).sort(),
  };
}

describe('SchedulerCache', () => {
  it('counts bound pods and ignores unbound and finished ones', () => {
    const cache = createSchedulerCache({
      nodes: [makeNode({ name: 'n1' })],
      pods: [
        makePod({ name: 'a', cpu: '100m', nodeName: 'n1' }),
        makePod({ name: 'b', cpu: '200m', nodeName: 'n1', phase: 'Running' }),
        makePod({ name: 'pending', cpu: '1' }),
        makePod({ name: 'done', cpu: '1', nodeName: 'n1', phase: 'Succeeded' }),
        makePod({ name: 'failed', cpu: '1', nodeName: 'n1', phase: 'Failed' }),
      ],
    });
    expect(requested(cache, 'n1')).toEqual({ cpu: 300, pods: 2, names: ['a', 'b'] });
  });

  it('counts an assumed pod until it is forgotten', () => {
    const cache = createSchedulerCache({ nodes: [makeNode({ name: 'n1' })] });
    const pod = makePod({ name: 'p', cpu: '500m' });
    cache.assume(pod, 'n1');
    expect(requested(cache, 'n1')).toEqual({ cpu: 500, pods: 1, names: ['p'] });
    expect(cache.isAssumed(pod)).toBe(true);
    expect(cache.snapshot().get('n1')!.pods[0].pod.spec?.nodeName).toBe('n1');
    expect(cache.forget(pod)).toBe(true);
    expect(requested(cache, 'n1')).toEqual({ cpu: 0, pods: 0, names: [] });
    expect(cache.forget(pod)).toBe(false);
  });

  it('keeps an assumed pod when the store still shows it unbound, and confirms it once bound', () => {
    const cache = createSchedulerCache({ nodes: [makeNode({ name: 'n1' })] });
    const pod = makePod({ name: 'p', cpu: '500m' });
    cache.assume(pod, 'n1');
    cache.upsertPod(pod);
    expect(requested(cache, 'n1').pods).toBe(1);
    cache.upsertPod({ ...pod, spec: { ...pod.spec!, nodeName: 'n1' } });
    expect(cache.isAssumed(pod)).toBe(false);
    expect(requested(cache, 'n1')).toEqual({ cpu: 500, pods: 1, names: ['p'] });
    expect(cache.forget(pod)).toBe(false);
  });

  it('confirms explicitly, adopting the stored node', () => {
    const cache = createSchedulerCache({ nodes: [makeNode({ name: 'n1' }), makeNode({ name: 'n2' })] });
    const pod = makePod({ name: 'p', cpu: '500m' });
    cache.assume(pod, 'n1');
    expect(cache.confirm({ ...pod, spec: { ...pod.spec!, nodeName: 'n2' } })).toBe(true);
    expect(requested(cache, 'n1').pods).toBe(0);
    expect(requested(cache, 'n2').pods).toBe(1);
    expect(cache.confirm(pod)).toBe(false);
  });

  it('refuses to assume a pod it already holds', () => {
    const cache = createSchedulerCache({
      nodes: [makeNode({ name: 'n1' })],
      pods: [makePod({ name: 'p', nodeName: 'n1' })],
    });
    expect(() => cache.assume(makePod({ name: 'p' }), 'n1')).toThrow(/can't be assumed/);
  });

  it('drops a pod when it finishes or is deleted', () => {
    const a = makePod({ name: 'a', cpu: '1', nodeName: 'n1', phase: 'Running' });
    const b = makePod({ name: 'b', cpu: '1', nodeName: 'n1', phase: 'Running' });
    const cache = createSchedulerCache({ nodes: [makeNode({ name: 'n1' })], pods: [a, b] });
    cache.upsertPod({ ...a, status: { phase: 'Succeeded' } });
    cache.removePod(b);
    expect(requested(cache, 'n1')).toEqual({ cpu: 0, pods: 0, names: [] });
  });

  it('keeps pods of an unknown node until the node appears', () => {
    const cache = createSchedulerCache({ pods: [makePod({ name: 'a', cpu: '1', nodeName: 'n1' })] });
    expect(cache.snapshot().nodeInfos).toHaveLength(0);
    cache.upsertNode(makeNode({ name: 'n1' }));
    expect(requested(cache, 'n1').cpu).toBe(1000);
    cache.removeNode('n1');
    expect(cache.snapshot().get('n1')).toBeUndefined();
    cache.upsertNode(makeNode({ name: 'n1' }));
    expect(requested(cache, 'n1').cpu).toBe(1000);
  });

  it('updates a node in place, keeping its pods', () => {
    const cache = createSchedulerCache({
      nodes: [makeNode({ name: 'n1', cpu: '1' })],
      pods: [makePod({ name: 'a', nodeName: 'n1' })],
    });
    cache.upsertNode(makeNode({ name: 'n1', cpu: '8' }));
    const info = cache.snapshot().get('n1')!;
    expect([info.allocatable.milliCPU, info.pods.length]).toEqual([8000, 1]);
  });

  it('interleaves zones in the node order', () => {
    const cache = createSchedulerCache({
      nodes: [
        makeNode({ name: 'a1', zone: 'a' }),
        makeNode({ name: 'a2', zone: 'a' }),
        makeNode({ name: 'a3', zone: 'a' }),
        makeNode({ name: 'b1', zone: 'b' }),
        makeNode({ name: 'c1', zone: 'c' }),
        makeNode({ name: 'c2', zone: 'c' }),
      ],
    });
    expect(cache.snapshot().nodeInfos.map((n) => n.name)).toEqual(['a1', 'b1', 'c1', 'a2', 'c2', 'a3']);
    cache.upsertNode(makeNode({ name: 'a3', zone: 'b' }));
    expect(cache.snapshot().nodeInfos.map((n) => n.name)).toEqual(['a1', 'a3', 'c1', 'a2', 'b1', 'c2']);
  });

  it('lists workloads by namespace and name', () => {
    const cache = createSchedulerCache();
    cache.upsertWorkload('Service', { metadata: { name: 's', namespace: 'x' }, spec: { selector: { a: 'b' } } });
    const lister = cache.snapshot().workloads;
    expect(lister.services('x')).toHaveLength(1);
    expect(lister.services('y')).toHaveLength(0);
    cache.removeWorkload('Service', 'x', 's');
    expect(cache.snapshot().workloads.services('x')).toHaveLength(0);
  });

  it('counts matching pods per node and keeps the counts current', () => {
    const web = { app: 'web' };
    const cache = createSchedulerCache({
      nodes: [makeNode({ name: 'n1' }), makeNode({ name: 'n2' })],
      pods: [
        makePod({ name: 'a', labels: web, nodeName: 'n1' }),
        makePod({ name: 'b', labels: web, nodeName: 'n1' }),
        makePod({ name: 'c', labels: web, nodeName: 'n2', deletionTimestamp: '2025-01-01T00:00:00Z' }),
        makePod({ name: 'd', labels: web, nodeName: 'n2', namespace: 'other' }),
        makePod({ name: 'e', labels: { app: 'db' }, nodeName: 'n2' }),
      ],
    });
    const selector = compileLabelSelector({ matchLabels: web });
    const counts = () => Object.fromEntries(cache.snapshot().countMatchingPods('default', selector));
    expect(counts()).toEqual({ n1: 2 });
    const p = makePod({ name: 'p', labels: web });
    cache.assume(p, 'n2');
    expect(counts()).toEqual({ n1: 2, n2: 1 });
    cache.forget(p);
    cache.removePod(makePod({ name: 'a' }));
    expect(counts()).toEqual({ n1: 1 });
    cache.upsertPod(makePod({ name: 'b', labels: web, nodeName: 'n1', deletionTimestamp: '2025-01-01T00:00:00Z' }));
    expect(counts()).toEqual({});
    expect(Object.fromEntries(cache.snapshot().countMatchingPods('other', selector))).toEqual({ n2: 1 });
  });

  it('counts nothing for empty and nothing selectors, as spreading does', () => {
    const cache = createSchedulerCache({
      nodes: [makeNode({ name: 'n1' })],
      pods: [makePod({ name: 'a', nodeName: 'n1' })],
    });
    expect(cache.snapshot().countMatchingPods('default', LabelMatcher.EVERYTHING).size).toBe(0);
    expect(cache.snapshot().countMatchingPods('default', LabelMatcher.NOTHING).size).toBe(0);
  });

  it('shares one count between equal selectors written in a different order', () => {
    const a = compileLabelSelector({ matchLabels: { x: '1', y: '2' } });
    const b = compileLabelSelector({
      matchExpressions: [{ key: 'y', operator: 'In', values: ['2'] }],
      matchLabels: { x: '1' },
    });
    expect(a.key).toBe(b.key);
    expect(a.key).not.toBe(compileLabelSelector({ matchLabels: { x: '1' } }).key);
  });
});
