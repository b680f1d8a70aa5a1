import { describe, expect, it } from 'vitest';
import type { PodInfo } from '../../../core/scheduler/framework.ts';
import { newPodInfo } from '../../../core/scheduler/node-info.ts';
import { PodCountIndex } from '../../../core/scheduler/pod-count-index.ts';
import { compileLabelSelector } from '../../../core/scheduler/selectors.ts';
import { makePod } from '../../fixtures/scheduler.ts';

describe('PodCountIndex', () => {
  it('builds a count once and then follows updates', () => {
    const index = new PodCountIndex();
    const web = compileLabelSelector({ matchLabels: { app: 'web' } });
    const a = newPodInfo(makePod({ name: 'a', labels: { app: 'web' } }));
    let scans = 0;
    const pods = (): Iterable<[PodInfo, string]> => {
      scans++;
      return [[a, 'n1']];
    };
    expect(Object.fromEntries(index.counts('default', web, pods))).toEqual({ n1: 1 });
    index.update(newPodInfo(makePod({ name: 'b', labels: { app: 'web' } })), 'n2', 1);
    index.update(newPodInfo(makePod({ name: 'c', labels: { app: 'db' } })), 'n2', 1);
    index.update(a, 'n1', -1);
    expect(Object.fromEntries(index.counts('default', web, pods))).toEqual({ n2: 1 });
    expect(scans).toBe(1);
  });

  it('drops the oldest selector beyond its bound and rebuilds it on demand', () => {
    const index = new PodCountIndex();
    const pod = newPodInfo(makePod({ name: 'a', labels: { app: '0' } }));
    let scans = 0;
    const pods = (): Iterable<[PodInfo, string]> => {
      scans++;
      return [[pod, 'n1']];
    };
    for (let i = 0; i <= 1024; i++)
      index.counts('default', compileLabelSelector({ matchLabels: { app: String(i) } }), pods);
    expect(scans).toBe(1025);
    expect(
      Object.fromEntries(index.counts('default', compileLabelSelector({ matchLabels: { app: '0' } }), pods)),
    ).toEqual({
      n1: 1,
    });
    expect(scans).toBe(1026);
  });
});
