/**
 * core/v1 Events about pods, written through the Registry as the scheduler's
 * event recorder. Repeats aggregate as client-go's event correlator does: the
 * same source, object, type, reason and message bump `count` and
 * `lastTimestamp` of one Event instead of adding another. The Event's name is
 * derived from those fields, so aggregation holds across restarts and across
 * stateless invocations (a Lambda has no memory between batches).
 */
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import { findResource, type ResourceInfo } from '../api/resources.ts';
import { rfc3339 } from '../api/time.ts';
import { MASTERS_GROUP } from '../apiserver/auth.ts';
import { isAlreadyExists, isNotFound } from '../errors/index.ts';
import type { Registry } from '../registry/registry.ts';
import type { RequestContext } from '../registry/strategy.ts';

/** The component kube-scheduler reports events as (`source.component`). */
export const SCHEDULER_COMPONENT = 'default-scheduler';

/** An event's severity, as core/v1 defines them. */
export type EventType = 'Normal' | 'Warning';

const EVENTS = findResource('', 'v1', 'events') as ResourceInfo;
const MAX_NAME = 253;

/** The context the scheduler's writes run under. */
export function schedulerContext(now: Date): RequestContext {
  return { user: { name: 'system:kube-scheduler', groups: [MASTERS_GROUP] }, now, dryRun: false };
}

// FNV-1a, twice with different offsets: a stable 64-bit name suffix without node:crypto.
function fnv(text: string, offset: number): string {
  let h = offset >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** The name of the Event aggregating `reason`/`message` occurrences about `pod`: `<pod>.<16 hex digits>`. */
export function eventName(pod: Pod, component: string, type: EventType, reason: string, message: string): string {
  const id = [pod.metadata?.uid ?? '', component, type, reason, message].join('\u0000');
  const suffix = `.${fnv(id, 0x811c9dc5)}${fnv(id, 0x050c5d1f)}`;
  return (pod.metadata?.name ?? 'pod').slice(0, MAX_NAME - suffix.length) + suffix;
}

/** Writes aggregated Events about pods on behalf of one component. */
export class EventRecorder {
  constructor(
    private readonly registry: Registry,
    private readonly now: () => Date,
    private readonly component: string = SCHEDULER_COMPONENT,
  ) {}

  /**
   * Records one occurrence: creates the Event, or bumps `count` and
   * `lastTimestamp` of the existing one. Throws what the registry throws
   * (the namespace being deleted, the store unreachable).
   */
  async record(pod: Pod, type: EventType, reason: string, message: string): Promise<void> {
    const now = this.now();
    const ctx = schedulerContext(now);
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = eventName(pod, this.component, type, reason, message);
    const stamp = rfc3339(now);
    const bump = (cur: KubeObject): KubeObject => {
      const ev = cur as unknown as Event;
      return { ...cur, count: (ev.count ?? 1) + 1, lastTimestamp: stamp } as KubeObject;
    };
    const event: Event = {
      metadata: { name, namespace },
      involvedObject: {
        kind: 'Pod',
        apiVersion: 'v1',
        namespace,
        name: pod.metadata?.name,
        uid: pod.metadata?.uid,
        resourceVersion: pod.metadata?.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: this.component },
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      count: 1,
      reportingComponent: this.component,
      reportingInstance: '',
    };
    // Create first (most events are first occurrences); a repeat bumps, and
    // an Event deleted between the two (TTL, a user) is created again.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.registry.create(ctx, EVENTS, namespace, event as unknown as KubeObject);
        return;
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
      try {
        await this.registry.write(ctx, EVENTS, namespace, name, bump, '');
        return;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }
}

/**
 * client-go's event spam filter: per object a token bucket holding `burst`
 * tokens (25), refilled one per `refillMs` (5 minutes), so an object stuck in
 * a retry loop writes at most a burst of events and then a trickle.
 */
export class EventSpamFilter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly burst = 25,
    private readonly refillMs = 5 * 60_000,
  ) {}

  /** Takes a token for `key` at time `nowMs`; false when the bucket is empty (drop the event). */
  allow(key: string, nowMs: number): boolean {
    let b = this.#buckets.get(key);
    if (!b) {
      b = { tokens: this.burst, at: nowMs };
      this.#buckets.set(key, b);
    }
    const refill = Math.floor((nowMs - b.at) / this.refillMs);
    if (refill > 0) {
      b.tokens = Math.min(this.burst, b.tokens + refill);
      b.at += refill * this.refillMs;
    }
    // A full bucket accrues nothing: the refill clock starts at the first take.
    if (b.tokens === this.burst) b.at = nowMs;
    if (b.tokens === 0) return false;
    b.tokens--;
    return true;
  }

  /** Forgets an object's bucket (it was deleted). */
  forget(key: string): void {
    this.#buckets.delete(key);
  }
}
