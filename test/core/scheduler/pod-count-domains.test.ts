import { describe, expect, it } from 'vitest';
import { createSchedulerCache, type SchedulerCache } from '../../../core/scheduler/cache.ts';
import { compileLabelSelector } from '../../../core/scheduler/selectors.ts';
import { makeNode, makePod } from '../../fixtures/scheduler.ts';

const ZONE = 'topology.kubernetes.io/zone';
const selector = compileLabelSelector({ matchLabels: { app: 'web' } });

/** The per-zone sums computed the slow way: visit every node holding matching pods. */
function bruteForce(cache: SchedulerCache): Record<string, number> {
  const snap = cache.snapshot();
  const out: Record<string, number> = {};
  for (const [node, n] of snap.countMatchingPods('default', selector)) {
    const labels = snap.get(node)?.labels;
    if (!labels || !Object.hasOwn(labels, ZONE)) continue;
    out[labels[ZONE]] = (out[labels[ZONE]] ?? 0) + n;
  }
  return out;
}

const indexed = (cache: SchedulerCache) =>
  Object.fromEntries(cache.snapshot().countMatchingPodsByDomain!('default', selector, ZONE));

describe('SchedulerCache per-domain pod counts', () => {
  it('match a per-node recount through pod, node and label changes', () => {
    let seed = 7;
    const rng = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const cache = createSchedulerCache({
      nodes: Array.from({ length: 6 }, (_, i) => makeNode({ name: `n${i}`, zone: `z${i % 3}` })),
    });
    expect(indexed(cache)).toEqual({});
    const live: string[] = [];
    for (let step = 0; step < 400; step++) {
      const r = rng();
      const node = `n${Math.floor(rng() * 8)}`; // n6 and n7 do not exist at first: orphans
      if (r < 0.45) {
        const name = `p${step}`;
        const labels = rng() < 0.8 ? { app: 'web' } : { app: 'other' };
        if (rng() < 0.5) cache.upsertPod(makePod({ name, labels, nodeName: node }));
        else cache.assume(makePod({ name, labels }), node);
        live.push(name);
      } else if (r < 0.7 && live.length > 0) {
        const name = live.splice(Math.floor(rng() * live.length), 1)[0];
        const pod = makePod({ name });
        if (!cache.forget(pod)) cache.removePod(pod);
      } else if (r < 0.8) {
        cache.upsertNode(makeNode({ name: node, zone: `z${Math.floor(rng() * 4)}` }));
      } else if (r < 0.85) {
        cache.upsertNode(makeNode({ name: node }));
      } else if (r < 0.9) {
        cache.removeNode(node);
      }
      // Ask often, so the counts are kept incrementally rather than rebuilt each time.
      if (step % 3 === 0) expect(indexed(cache)).toEqual(bruteForce(cache));
    }
    expect(indexed(cache)).toEqual(bruteForce(cache));
  });
});
