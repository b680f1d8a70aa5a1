import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../../core/scheduler/min-heap.ts';
import { SchedulingQueue } from '../../../core/scheduler/queue.ts';
import { makePod } from '../../fixtures/scheduler.ts';

function setup(opts: { initialBackoffMs?: number; maxBackoffMs?: number; maxUnschedulableMs?: number } = {}) {
  let t = 1_000_000;
  const queue = new SchedulingQueue({ now: () => t, ...opts });
  return {
    queue,
    advance: (ms: number) => (t += ms),
    at: () => t,
  };
}

function created(name: string, creationTimestamp: string, priority?: number): Pod {
  const pod = makePod({ name });
  return { ...pod, metadata: { ...pod.metadata, creationTimestamp }, spec: { ...pod.spec!, priority } };
}

const names = (popped: { pod: Pod }[]) => popped.map((p) => p.pod.metadata?.name);

describe('SchedulingQueue', () => {
  it('pops pods oldest creation first, higher priority before that, arrival order among equals', () => {
    const { queue } = setup();
    queue.add(created('c', '2025-01-01T00:00:02Z'));
    queue.add(created('a', '2025-01-01T00:00:01Z'));
    queue.add(created('b', '2025-01-01T00:00:01Z'));
    queue.add(created('urgent', '2025-01-01T00:00:09Z', 1000));
    expect(names(queue.pop(10))).toEqual(['urgent', 'a', 'b', 'c']);
    expect(queue.pop(10)).toEqual([]);
  });

  it('hands out at most max pods per pop and counts attempts', () => {
    const { queue } = setup();
    for (const n of ['a', 'b', 'c']) queue.add(makePod({ name: n }));
    const first = queue.pop(2);
    expect(names(first)).toEqual(['a', 'b']);
    expect(first.map((p) => p.attempts)).toEqual([1, 1]);
    expect(queue.stats()).toEqual({ active: 1, backoff: 0, unschedulable: 0, inflight: 2 });
  });

  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [4, 8_000],
    [5, 10_000],
    [9, 10_000],
  ])('backs off %i failed attempts for %i ms (1 s doubling, capped at 10 s)', (attempts, ms) => {
    expect(setup().queue.backoffMs(attempts)).toBe(ms);
  });

  it('retries a failed pod only once its backoff has passed, doubling each time', () => {
    const { queue, advance } = setup();
    const pod = makePod({ name: 'p' });
    queue.add(pod);
    const [first] = queue.pop(1);
    queue.retry(first.key);
    expect(queue.nextDueAt()).toBe(1_001_000);
    advance(999);
    expect(queue.pop(1)).toEqual([]);
    advance(1);
    const [second] = queue.pop(1);
    expect(second.attempts).toBe(2);
    queue.retry(second.key);
    advance(1_999);
    expect(queue.pop(1)).toEqual([]);
    advance(1);
    expect(names(queue.pop(1))).toEqual(['p']);
  });

  it('parks an unschedulable pod until a cluster event moves it back', () => {
    const { queue, advance } = setup();
    queue.add(makePod({ name: 'p' }));
    const [q] = queue.pop(1);
    queue.unschedulable(q.key, q.cycle);
    advance(60_000);
    expect(queue.pop(1)).toEqual([]);
    expect(queue.stats().unschedulable).toBe(1);
    queue.moveAll();
    expect(names(queue.pop(1))).toEqual(['p']);
  });

  it('sends a moved pod through backoff when its backoff has not passed yet', () => {
    const { queue, advance } = setup();
    queue.add(makePod({ name: 'p' }));
    const [q] = queue.pop(1);
    queue.unschedulable(q.key, q.cycle);
    advance(500);
    queue.moveAll();
    expect(queue.stats().backoff).toBe(1);
    expect(queue.pop(1)).toEqual([]);
    advance(500);
    expect(names(queue.pop(1))).toEqual(['p']);
  });

  it('flushes unschedulable pods after five minutes without any event', () => {
    const { queue, advance } = setup();
    queue.add(makePod({ name: 'p' }));
    const [q] = queue.pop(1);
    queue.unschedulable(q.key, q.cycle);
    expect(queue.nextDueAt()).toBe(1_000_000 + 300_000);
    advance(299_999);
    expect(queue.pop(1)).toEqual([]);
    advance(1);
    expect(names(queue.pop(1))).toEqual(['p']);
  });

  it('backs a pod off instead of parking it when a cluster event came during its attempt', () => {
    const { queue, advance } = setup();
    queue.add(makePod({ name: 'p' }));
    const [q] = queue.pop(1);
    queue.moveAll();
    queue.unschedulable(q.key, q.cycle);
    expect(queue.stats()).toMatchObject({ backoff: 1, unschedulable: 0 });
    advance(1_000);
    expect(names(queue.pop(1))).toEqual(['p']);
  });

  it('parks a pod whose attempt started after the last cluster event', () => {
    const { queue } = setup();
    queue.add(makePod({ name: 'p' }));
    queue.moveAll();
    const [q] = queue.pop(1);
    queue.unschedulable(q.key, q.cycle);
    expect(queue.stats()).toMatchObject({ backoff: 0, unschedulable: 1 });
  });

  it('moves an unschedulable pod back when its spec changes, not when only its status does', () => {
    const { queue, advance } = setup();
    const pod = makePod({ name: 'p' });
    queue.add(pod);
    const [q] = queue.pop(1);
    queue.unschedulable(q.key, q.cycle);
    advance(5_000);
    queue.add({ ...pod, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] } });
    expect(queue.stats().unschedulable).toBe(1);
    queue.add({ ...pod, spec: { ...pod.spec!, nodeSelector: { disk: 'ssd' } } });
    const [again] = queue.pop(1);
    expect(again.pod.spec?.nodeSelector).toEqual({ disk: 'ssd' });
  });

  it('drops a deleted pod wherever it waits and ignores outcomes reported for it', () => {
    const { queue, advance } = setup();
    for (const n of ['a', 'b', 'c']) queue.add(makePod({ name: n }));
    const [a, b] = queue.pop(2);
    queue.retry(b.key);
    queue.delete(a.key);
    queue.delete(b.key);
    queue.delete('uid-default-c');
    queue.unschedulable(a.key, a.cycle);
    advance(60_000);
    expect(queue.pop(10)).toEqual([]);
    expect(queue.stats()).toEqual({ active: 0, backoff: 0, unschedulable: 0, inflight: 0 });
    expect(queue.nextDueAt()).toBeUndefined();
  });

  it('keeps one entry per pod when a pod is added again while in flight', () => {
    const { queue } = setup();
    const pod = makePod({ name: 'p' });
    queue.add(pod);
    const [q] = queue.pop(1);
    queue.add({ ...pod, metadata: { ...pod.metadata, labels: { v: '2' } } });
    expect(queue.pop(1)).toEqual([]);
    queue.done(q.key);
    expect(queue.has(q.key)).toBe(false);
  });
});

describe('MinHeap', () => {
  it('pops numbers in ascending order whatever the insertion order', () => {
    const heap = new MinHeap<number>((a, b) => a - b);
    const input = [5, 3, 9, 1, 7, 3, 8, 2, 6, 0, 4];
    for (const n of input) heap.push(n);
    const out: number[] = [];
    for (let n = heap.pop(); n !== undefined; n = heap.pop()) out.push(n);
    expect(out).toEqual([...input].sort((a, b) => a - b));
  });
});
