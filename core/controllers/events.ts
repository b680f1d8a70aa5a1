/**
 * The controllers' core/v1 Event recorder. Repeats aggregate as client-go's
 * event logger does: occurrences with the same source, object, type, reason
 * and message share one Event whose `count` and `lastTimestamp` are bumped;
 * a different message is a new Event (the scheduler's rule, so every
 * component aggregates alike — an Event about a pod gets the very name the
 * scheduler's recorder gives it). The Event's name is derived from those
 * fields, so aggregation holds across restarts and across stateless
 * invocations. Not done: client-go's second stage, which folds more than 10
 * distinct messages in 10 minutes into one "(combined from similar events)".
 */
import type { Event, ObjectReference } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import { findResource, type ResourceInfo } from '../api/resources.ts';
import { rfc3339 } from '../api/time.ts';
import { isAlreadyExists, isNotFound } from '../errors/index.ts';
import { systemContext } from '../registry/bootstrap.ts';
import type { Registry } from '../registry/registry.ts';

/** An event's severity, as core/v1 defines them. */
export type EventType = 'Normal' | 'Warning';

/** One occurrence to record. */
export interface EventOccurrence {
  /** The object the event is about (`involvedObject`); `namespace` decides where the Event lives. */
  object: ObjectReference;
  type: EventType;
  reason: string;
  message: string;
}

const EVENTS = findResource('', 'v1', 'events') as ResourceInfo;
const MAX_NAME = 253;

function fnv(text: string, offset: number): string {
  let h = offset >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * The name of the Event aggregating `occurrence`s from `component`:
 * `<object name>.<16 hex digits>` over the object's uid, the component, type,
 * reason and message (the scheduler's `eventName` for the same pod). Pure.
 */
export function aggregateEventName(component: string, occurrence: EventOccurrence): string {
  const o = occurrence.object;
  const id = [o.uid ?? '', component, occurrence.type, occurrence.reason, occurrence.message].join('\u0000');
  const suffix = `.${fnv(id, 0x811c9dc5)}${fnv(id, 0x050c5d1f)}`;
  return (o.name ?? 'object').slice(0, MAX_NAME - suffix.length) + suffix;
}

/**
 * The Event after one more occurrence. Pure: with no `existing` Event it is
 * a new one (count 1); with one it keeps `firstTimestamp` and the name, and
 * bumps `count` and `lastTimestamp`.
 */
export function mergeEvent(
  existing: Event | undefined,
  component: string,
  occurrence: EventOccurrence,
  now: Date,
): Event {
  const stamp = rfc3339(now);
  if (existing) {
    return {
      ...structuredClone(existing),
      count: (existing.count ?? 1) + 1,
      lastTimestamp: stamp,
    };
  }
  return {
    metadata: { name: aggregateEventName(component, occurrence), namespace: occurrence.object.namespace ?? 'default' },
    involvedObject: structuredClone(occurrence.object),
    reason: occurrence.reason,
    message: occurrence.message,
    type: occurrence.type,
    source: { component },
    firstTimestamp: stamp,
    lastTimestamp: stamp,
    count: 1,
    reportingComponent: component,
    reportingInstance: '',
  };
}

/** Writes aggregated Events on behalf of one component (`source.component`). */
export class ControllerEventRecorder {
  constructor(
    private readonly registry: Registry,
    private readonly component: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Records one occurrence: creates the Event or bumps the existing one.
   * Throws what the registry throws (a terminating namespace, the store unreachable).
   */
  async record(occurrence: EventOccurrence): Promise<void> {
    const now = this.now();
    const ctx = systemContext(now);
    const fresh = mergeEvent(undefined, this.component, occurrence, now);
    const namespace = fresh.metadata?.namespace ?? 'default';
    const name = fresh.metadata?.name ?? '';
    // Create first; a repeat bumps, and an Event deleted in between is created again.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.registry.create(ctx, EVENTS, namespace, fresh as unknown as KubeObject);
        return;
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
      try {
        const bump = (cur: KubeObject) =>
          mergeEvent(cur as unknown as Event, this.component, occurrence, now) as unknown as KubeObject;
        await this.registry.write(ctx, EVENTS, namespace, name, bump, '');
        return;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  /** Records and swallows failures: events are best effort and must not fail a sync. */
  async tryRecord(occurrence: EventOccurrence): Promise<void> {
    await this.record(occurrence).catch(() => undefined);
  }
}
