import type { Event } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import {
  aggregateEventName,
  ControllerEventRecorder,
  type EventOccurrence,
  mergeEvent,
} from '../../../core/controllers/events.ts';
import { eventName } from '../../../core/scheduler/events.ts';
import { makeRegistry } from '../../support/memory-registry.ts';

const occurrence = (o: Partial<EventOccurrence> = {}): EventOccurrence => ({
  object: { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: 'default', name: 'web', uid: 'rs-1' },
  type: 'Normal',
  reason: 'SuccessfulCreate',
  message: 'Created pod: web-abcde',
  ...o,
});
const T1 = new Date('2025-01-01T00:00:00Z');
const T2 = new Date('2025-01-01T00:01:00Z');

describe('mergeEvent', () => {
  it('starts a new Event at count 1 named after the object', () => {
    const ev = mergeEvent(undefined, 'replicaset-controller', occurrence(), T1);
    expect(ev).toMatchObject({
      metadata: { namespace: 'default', name: expect.stringMatching(/^web\.[0-9a-f]{16}$/) },
      involvedObject: { kind: 'ReplicaSet', uid: 'rs-1' },
      source: { component: 'replicaset-controller' },
      count: 1,
      firstTimestamp: '2025-01-01T00:00:00Z',
      lastTimestamp: '2025-01-01T00:00:00Z',
    });
  });

  it('bumps count and lastTimestamp and keeps firstTimestamp on a repeat', () => {
    const first = mergeEvent(undefined, 'c', occurrence(), T1);
    const next = mergeEvent(first, 'c', occurrence(), T2);
    expect(next).toMatchObject({
      metadata: first.metadata,
      count: 2,
      firstTimestamp: '2025-01-01T00:00:00Z',
      lastTimestamp: '2025-01-01T00:01:00Z',
      message: 'Created pod: web-abcde',
    });
    expect(first.count).toBe(1);
  });
});

describe('aggregateEventName', () => {
  it.each([
    ['the reason differs', occurrence({ reason: 'SuccessfulDelete' })],
    ['the type differs', occurrence({ type: 'Warning' })],
    ['the object uid differs', occurrence({ object: { ...occurrence().object, uid: 'rs-2' } })],
    ['the message differs', occurrence({ message: 'Created pod: web-fghij' })],
  ])('differs when %s', (_why, other) => {
    expect(aggregateEventName('c', other)).not.toBe(aggregateEventName('c', occurrence()));
  });

  it('names an Event about a pod as the scheduler names it', () => {
    const pod = { metadata: { name: 'web-1', namespace: 'default', uid: 'pod-1' } };
    const o = occurrence({
      object: { kind: 'Pod', apiVersion: 'v1', namespace: 'default', name: 'web-1', uid: 'pod-1' },
    });
    expect(aggregateEventName('default-scheduler', o)).toBe(
      eventName(pod, 'default-scheduler', o.type, o.reason, o.message),
    );
  });
});

describe('ControllerEventRecorder', () => {
  it('writes one Event per object, reason and message, counting repeats', async () => {
    const { store, registry } = await makeRegistry();
    const recorder = new ControllerEventRecorder(registry, 'replicaset-controller', () => T1);
    await recorder.record(occurrence());
    await recorder.record(occurrence());
    await recorder.record(occurrence({ message: 'Created pod: web-fghij' }));
    await recorder.record(occurrence({ reason: 'SuccessfulDelete' }));
    const events = (await store.list('events', { namespace: 'default' })).items as unknown as Event[];
    expect(events.map((e) => [e.reason, e.message, e.count]).sort()).toEqual([
      ['SuccessfulCreate', 'Created pod: web-abcde', 2],
      ['SuccessfulCreate', 'Created pod: web-fghij', 1],
      ['SuccessfulDelete', 'Created pod: web-abcde', 1],
    ]);
  });
});
