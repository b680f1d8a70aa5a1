import { describe, expect, it } from 'vitest';
import { createSchedulerCache } from '../../../../core/scheduler/cache.ts';
import { defaultSelector } from '../../../../core/scheduler/default-selector.ts';
import { CycleState } from '../../../../core/scheduler/framework.ts';
import { selectorSpread } from '../../../../core/scheduler/plugins/selector-spread.ts';
import { makeNode, makePod, makeReplicaSet, makeService, ownedBy } from '../../../fixtures/scheduler.ts';

const web = { app: 'web' };

describe('SelectorSpread', () => {
  it('favours nodes and zones with fewer pods of the same service', () => {
    const nodes = [
      makeNode({ name: 'n1', zone: 'a' }),
      makeNode({ name: 'n2', zone: 'a' }),
      makeNode({ name: 'n3', zone: 'b' }),
    ];
    const pods = [
      makePod({ name: 'w1', labels: web, nodeName: 'n1' }),
      makePod({ name: 'w2', labels: web, nodeName: 'n1' }),
      makePod({ name: 'w3', labels: web, nodeName: 'n3' }),
      makePod({ name: 'other', labels: { app: 'db' }, nodeName: 'n2' }),
    ];
    const cache = createSchedulerCache({ nodes, pods, services: [makeService('web', web)] });
    const snapshot = cache.snapshot();
    const infos = ['n1', 'n2', 'n3'].map((n) => snapshot.get(n)!);
    const pod = makePod({ name: 'p', labels: web });
    const state = new CycleState();
    expect(selectorSpread.preScore(pod, state, infos, snapshot).code).toBe('Success');
    const scores = infos.map((n) => selectorSpread.score(pod, n, state));
    expect(scores).toEqual([2, 0, 1]);
    selectorSpread.normalize(scores, infos, state);
    // node part 1/3, zone part 2/3: n1 0/0, n2 100/0, n3 50/50.
    expect(scores).toEqual([0, 33, 50]);
  });

  it('skips pods with their own topology spread constraints or no workload', () => {
    const snapshot = createSchedulerCache({ services: [makeService('web', web)] }).snapshot();
    const constrained = makePod({
      name: 'p',
      labels: web,
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'k', whenUnsatisfiable: 'ScheduleAnyway' }],
    });
    expect(selectorSpread.preScore(constrained, new CycleState(), [], snapshot).code).toBe('Skip');
    expect(
      selectorSpread.preScore(makePod({ name: 'q', labels: { app: 'db' } }), new CycleState(), [], snapshot).code,
    ).toBe('Skip');
  });
});

describe('defaultSelector', () => {
  it('combines the selecting services and the controlling ReplicaSet', () => {
    const rs = makeReplicaSet('web-1', { ...web, hash: '1' });
    const snapshot = createSchedulerCache({
      services: [makeService('web', web), makeService('db', { app: 'db' }), makeService('elsewhere', web, 'other')],
      replicaSets: [rs],
    }).snapshot();
    const pod = makePod({ name: 'p', labels: { ...web, hash: '1', extra: 'x' }, ownerReferences: ownedBy(rs) });
    const sel = defaultSelector(pod, snapshot.workloads);
    expect(sel.requirements.map((r) => `${r.key}=${[...r.values]}`).sort()).toEqual(['app=web', 'app=web', 'hash=1']);
    expect(sel.matches({ ...web, hash: '1' })).toBe(true);
    expect(sel.matches({ ...web, hash: '2' })).toBe(false);
  });

  it('is empty for a pod nothing selects', () => {
    const snapshot = createSchedulerCache({ services: [makeService('db', { app: 'db' })] }).snapshot();
    expect(defaultSelector(makePod({ name: 'p', labels: web }), snapshot.workloads).empty).toBe(true);
  });
});
