/**
 * The scheduling queue, after kube-scheduler's `PriorityQueue`: an active
 * queue (higher `spec.priority` first, then oldest creation, then arrival),
 * a backoff queue (per-pod exponential backoff from `initialBackoffMs`
 * doubling to `maxBackoffMs`), and an unschedulable set that cluster events
 * move back (`moveAll`) and that is flushed after `maxUnschedulableMs`.
 * Synchronous and clock-driven: the owner asks {@link SchedulingQueue.nextDueAt}
 * when to look again; nothing here sets timers.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podKey } from './node-info.ts';
import { MinHeap } from './min-heap.ts';

/** kube-scheduler's `podInitialBackoffDuration`. */
export const DEFAULT_INITIAL_BACKOFF_MS = 1_000;
/** kube-scheduler's `podMaxBackoffDuration`. */
export const DEFAULT_MAX_BACKOFF_MS = 10_000;
/** kube-scheduler's `podMaxInUnschedulablePodsDuration`. */
export const DEFAULT_MAX_UNSCHEDULABLE_MS = 5 * 60_000;

/** Options of a {@link SchedulingQueue}. */
export interface SchedulingQueueOptions {
  /** Milliseconds since the epoch (injected so tests drive time). */
  now: () => number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxUnschedulableMs?: number;
}

/** A pod handed out by {@link SchedulingQueue.pop}; report its outcome with its `cycle`. */
export interface QueuedPod {
  readonly pod: Pod;
  readonly key: string;
  /** Scheduling attempts so far, this one included. */
  readonly attempts: number;
  /** The scheduling cycle this attempt belongs to. */
  readonly cycle: number;
}

type Where = 'active' | 'backoff' | 'unschedulable' | 'inflight';

interface Entry {
  pod: Pod;
  key: string;
  seq: number;
  priority: number;
  created: number;
  attempts: number;
  /** When the last attempt failed; backoff counts from here. */
  failedAt: number;
  where: Where;
  /** Bumped whenever the entry leaves a heap, so stale heap items are skipped. */
  generation: number;
  unschedulableSince: number;
}

interface HeapItem {
  entry: Entry;
  generation: number;
  readyAt: number;
}

function creationMs(pod: Pod): number {
  const t = Date.parse(pod.metadata?.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}

// What a pod's scheduling depends on; status-only writes (ours included) do not change it.
function schedulingView(pod: Pod): string {
  return JSON.stringify([pod.spec, pod.metadata?.labels]);
}

/** The queue of pods waiting for a node. Not thread-safe; one owner drives it. */
export class SchedulingQueue {
  readonly #now: () => number;
  readonly #initialBackoff: number;
  readonly #maxBackoff: number;
  readonly #maxUnschedulable: number;
  readonly #entries = new Map<string, Entry>();
  readonly #active = new MinHeap<HeapItem>((a, b) => {
    const x = a.entry;
    const y = b.entry;
    return x.priority !== y.priority ? y.priority - x.priority : x.created - y.created || x.seq - y.seq;
  });
  readonly #backoff = new MinHeap<HeapItem>((a, b) => a.readyAt - b.readyAt || a.entry.seq - b.entry.seq);
  /** Insertion-ordered, so the first entry has waited longest. */
  readonly #unschedulable = new Map<string, Entry>();
  #seq = 0;
  #cycle = 0;
  #moveRequestCycle = -1;

  constructor(opts: SchedulingQueueOptions) {
    this.#now = opts.now;
    this.#initialBackoff = opts.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS;
    this.#maxBackoff = opts.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    this.#maxUnschedulable = opts.maxUnschedulableMs ?? DEFAULT_MAX_UNSCHEDULABLE_MS;
  }

  /**
   * Adds a pending pod, or records a newer copy of one already queued. An
   * unschedulable pod whose spec or labels changed is moved back (to backoff
   * if it is still backing off); other updates only replace the object.
   */
  add(pod: Pod): void {
    const key = podKey(pod);
    const e = this.#entries.get(key);
    if (!e) {
      const entry: Entry = {
        pod,
        key,
        seq: this.#seq++,
        priority: pod.spec?.priority ?? 0,
        created: creationMs(pod),
        attempts: 0,
        failedAt: 0,
        where: 'active',
        generation: 0,
        unschedulableSince: 0,
      };
      this.#entries.set(key, entry);
      this.#pushActive(entry);
      return;
    }
    const changed = schedulingView(e.pod) !== schedulingView(pod);
    e.pod = pod;
    if (changed && e.where === 'unschedulable') this.#moveOut(e);
  }

  /** Forgets a pod (deleted, bound elsewhere, or no longer ours). Idempotent. */
  delete(key: string): void {
    const e = this.#entries.get(key);
    if (!e) return;
    this.#entries.delete(key);
    this.#unschedulable.delete(key);
    e.generation++;
  }

  /** Whether the queue holds the pod, in any state. */
  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /**
   * Hands out up to `max` pods that are ready now (after moving due backoff
   * pods and long-unschedulable pods to the active queue), marking them in
   * flight; each must be reported with {@link done}, {@link unschedulable} or
   * {@link retry} (or deleted).
   */
  pop(max: number): QueuedPod[] {
    this.#flush();
    const out: QueuedPod[] = [];
    while (out.length < max) {
      const item = this.#active.pop();
      if (!item) break;
      const e = item.entry;
      if (item.generation !== e.generation || e.where !== 'active' || this.#entries.get(e.key) !== e) continue;
      e.where = 'inflight';
      e.generation++;
      e.attempts++;
      out.push({ pod: e.pod, key: e.key, attempts: e.attempts, cycle: ++this.#cycle });
    }
    return out;
  }

  /** The pod was bound: it leaves the queue. */
  done(key: string): void {
    this.delete(key);
  }

  /**
   * No node fits the pod. It waits in the unschedulable set for a cluster
   * event, unless one arrived while it was being scheduled: then it backs off
   * and tries again, as the event may be what makes it fit.
   */
  unschedulable(key: string, cycle: number): void {
    const e = this.#inflight(key);
    if (!e) return;
    e.failedAt = this.#now();
    if (this.#moveRequestCycle >= cycle) {
      this.#pushBackoff(e);
      return;
    }
    e.where = 'unschedulable';
    e.unschedulableSince = e.failedAt;
    this.#unschedulable.set(key, e);
  }

  /** Scheduling or binding failed for a transient reason (a lost race, an API error): back off and retry. */
  retry(key: string): void {
    const e = this.#inflight(key);
    if (!e) return;
    e.failedAt = this.#now();
    this.#pushBackoff(e);
  }

  /**
   * A cluster event that may make unschedulable pods fit (a node added or
   * changed, a pod removed): every unschedulable pod goes back to the active
   * queue, or to backoff while its backoff lasts; pods in flight that fail
   * will back off instead of parking.
   */
  moveAll(): void {
    this.#moveRequestCycle = this.#cycle;
    for (const e of [...this.#unschedulable.values()]) this.#moveOut(e);
  }

  /** The earliest time a waiting pod becomes ready (backoff over or unschedulable flush), if any. */
  nextDueAt(): number | undefined {
    let due: number | undefined;
    for (;;) {
      const top = this.#backoff.peek();
      if (!top || (top.generation === top.entry.generation && top.entry.where === 'backoff')) {
        due = top?.readyAt;
        break;
      }
      this.#backoff.pop();
    }
    const oldest = this.#unschedulable.values().next();
    if (!oldest.done) {
      const flushAt = oldest.value.unschedulableSince + this.#maxUnschedulable;
      due = due === undefined ? flushAt : Math.min(due, flushAt);
    }
    return due;
  }

  /** How many pods are in each state (for logs, metrics and tests). */
  stats(): Record<Where, number> {
    const s: Record<Where, number> = { active: 0, backoff: 0, unschedulable: 0, inflight: 0 };
    for (const e of this.#entries.values()) s[e.where]++;
    return s;
  }

  /** The pods backing off after a failed attempt, in no particular order. */
  backingOff(): Pod[] {
    const out: Pod[] = [];
    for (const e of this.#entries.values()) if (e.where === 'backoff') out.push(e.pod);
    return out;
  }

  /** How long the pod backs off after its latest failure: initial × 2^(attempts-1), capped. */
  backoffMs(attempts: number): number {
    let d = this.#initialBackoff;
    for (let i = 1; i < attempts && d < this.#maxBackoff; i++) d *= 2;
    return Math.min(d, this.#maxBackoff);
  }

  #inflight(key: string): Entry | undefined {
    const e = this.#entries.get(key);
    return e?.where === 'inflight' ? e : undefined;
  }

  #moveOut(e: Entry): void {
    this.#unschedulable.delete(e.key);
    if (e.failedAt + this.backoffMs(e.attempts) > this.#now()) this.#pushBackoff(e);
    else this.#pushActive(e);
  }

  #pushActive(e: Entry): void {
    e.where = 'active';
    e.generation++;
    this.#active.push({ entry: e, generation: e.generation, readyAt: 0 });
  }

  #pushBackoff(e: Entry): void {
    e.where = 'backoff';
    e.generation++;
    this.#backoff.push({ entry: e, generation: e.generation, readyAt: e.failedAt + this.backoffMs(e.attempts) });
  }

  #flush(): void {
    const now = this.#now();
    for (let top = this.#backoff.peek(); top && top.readyAt <= now; top = this.#backoff.peek()) {
      this.#backoff.pop();
      if (top.generation === top.entry.generation && top.entry.where === 'backoff') this.#pushActive(top.entry);
    }
    for (const e of this.#unschedulable.values()) {
      if (e.unschedulableSince + this.#maxUnschedulable > now) break;
      this.#moveOut(e);
    }
  }
}
