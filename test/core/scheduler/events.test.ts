import type { Event } from 'kubernetes-types/core/v1.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Registry } from '../../../core/registry/registry.ts';
import { EventRecorder, EventSpamFilter, eventName } from '../../../core/scheduler/events.ts';
import type { Store } from '../../../core/storage/store.ts';
import { makePod } from '../../fixtures/scheduler.ts';
import { EVENTS, makeRegistry } from '../../support/memory-registry.ts';

describe('eventName', () => {
  const pod = makePod({ name: 'web' });

  it('is stable for the same occurrence and differs when the message does', () => {
    const a = eventName(pod, 'default-scheduler', 'Warning', 'FailedScheduling', '0/1 nodes are available.');
    expect(a).toMatch(/^web\.[0-9a-f]{16}$/);
    expect(eventName(pod, 'default-scheduler', 'Warning', 'FailedScheduling', '0/1 nodes are available.')).toBe(a);
    expect(eventName(pod, 'default-scheduler', 'Warning', 'FailedScheduling', '0/2 nodes are available.')).not.toBe(a);
  });

  it('keeps names of long pods within 253 characters', () => {
    const long = makePod({ name: 'p'.repeat(253) });
    expect(eventName(long, 'default-scheduler', 'Normal', 'Scheduled', 'x')).toHaveLength(253);
  });
});

describe('EventRecorder', () => {
  let store: Store;
  let registry: Registry;
  let now = new Date('2025-01-01T00:00:00Z');

  beforeEach(async () => {
    ({ store, registry } = await makeRegistry());
  });
  afterEach(() => store.close());

  it('creates one Event and bumps its count and lastTimestamp on repeats', async () => {
    const recorder = new EventRecorder(registry, () => now);
    const pod = makePod({ name: 'web' });
    await recorder.record(pod, 'Warning', 'FailedScheduling', 'no fit');
    now = new Date('2025-01-01T00:01:00Z');
    await recorder.record(pod, 'Warning', 'FailedScheduling', 'no fit');
    const { items } = await registry.deps.store.list('events');
    expect(items).toHaveLength(1);
    expect(items[0] as unknown as Event).toMatchObject({
      count: 2,
      firstTimestamp: '2025-01-01T00:00:00Z',
      lastTimestamp: '2025-01-01T00:01:00Z',
      type: 'Warning',
      reason: 'FailedScheduling',
      message: 'no fit',
      source: { component: 'default-scheduler' },
      involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', uid: 'uid-default-web' },
    });
  });

  it('creates a separate Event for a different message', async () => {
    const recorder = new EventRecorder(registry, () => now);
    const pod = makePod({ name: 'web' });
    await recorder.record(pod, 'Warning', 'FailedScheduling', 'first');
    await recorder.record(pod, 'Warning', 'FailedScheduling', 'second');
    expect((await registry.deps.store.list('events')).items).toHaveLength(2);
    expect(EVENTS.resource).toBe('events');
  });
});

describe('EventSpamFilter', () => {
  it('allows a burst per object, then one per refill period', () => {
    const filter = new EventSpamFilter(3, 1_000);
    expect([0, 1, 2, 3].map(() => filter.allow('a', 0))).toEqual([true, true, true, false]);
    expect(filter.allow('b', 0)).toBe(true);
    expect(filter.allow('a', 999)).toBe(false);
    expect(filter.allow('a', 1_000)).toBe(true);
    expect(filter.allow('a', 1_500)).toBe(false);
    expect(filter.allow('a', 2_000)).toBe(true);
  });

  it('starts a forgotten object afresh', () => {
    const filter = new EventSpamFilter(1, 60_000);
    expect(filter.allow('a', 0)).toBe(true);
    expect(filter.allow('a', 1)).toBe(false);
    filter.forget('a');
    expect(filter.allow('a', 2)).toBe(true);
  });
});
