import { describe, expect, it } from 'vitest';
import { planGarbage } from '../../../agent/kubelet/gc.ts';
import { runtimeContainer } from '../../fixtures/kubelet.ts';

describe('planGarbage', () => {
  it('removes containers of pods that are gone and keeps the newest exited attempt per container', () => {
    const running = runtimeContainer('app', { restartCount: 3 });
    const exited2 = runtimeContainer('app', { restartCount: 2, state: 'exited' });
    const exited1 = runtimeContainer('app', { restartCount: 1, state: 'exited' });
    const exited0 = runtimeContainer('app', { restartCount: 0, state: 'exited' });
    const deadPause = runtimeContainer('POD', { state: 'exited' });
    const pause = runtimeContainer('POD', { restartCount: 1 });
    const orphan = runtimeContainer('app', { uid: 'gone' });
    const busy = runtimeContainer('app', { uid: 'stopping', state: 'exited' });
    const plan = planGarbage(
      [running, exited2, exited1, exited0, deadPause, pause, orphan, busy],
      new Set(['uid-1']),
      new Set(['stopping']),
    );
    expect(plan.orphans).toEqual([orphan.id]);
    expect(plan.dead.sort()).toEqual([exited1.id, exited0.id, deadPause.id].sort());
  });
});
