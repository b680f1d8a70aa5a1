/**
 * One scheduling pass over popped pods, shared by the in-process loop
 * (`loop.ts`) and the stream-fed Lambda scheduler (`stream-scheduler.ts`):
 * each pod is scheduled and assumed synchronously (so pods of one batch count
 * against capacity), its binding runs with bounded parallelism through
 * `pods/binding`'s write; a failed binding forgets the assumption and retries
 * the pod; a pod no node fits gets `PodScheduled=False` and a
 * `FailedScheduling` Event.
 */
import type { Logger } from '../apiserver/types.ts';
import { isConflict, isNotFound } from '../errors/index.ts';
import { bindPod } from '../registry/binding.ts';
import type { Registry } from '../registry/registry.ts';
import type { SchedulerCache } from './cache.ts';
import type { SchedulerProfile } from './config.ts';
import { EventRecorder, EventSpamFilter, schedulerContext } from './events.ts';
import { Limiter } from './limiter.ts';
import { markUnschedulable } from './pod-status.ts';
import type { QueuedPod, SchedulingQueue } from './queue.ts';
import { type Rng, type ScheduleFailure, schedulePod } from './schedule-pod.ts';

/** What a runner works with. */
export interface RunnerDeps {
  registry: Registry;
  logger: Logger;
  now: () => Date;
  cache: SchedulerCache;
  queue: SchedulingQueue;
  profile: SchedulerProfile;
  rng: Rng;
  /** Bindings in flight at once. */
  bindParallelism: number;
  /** FailedScheduling writes in flight at once, and as many Scheduled Event writes. */
  writeParallelism: number;
  /** Whether a successful binding records a `Scheduled` Event. */
  scheduledEvents: boolean;
  /** Called when a binding failed (the pod is ready to retry after its backoff). */
  bindFailed?(): void;
}

/** Counts of what a runner did since it was created. */
export interface RunnerStats {
  bound: number;
  bindFailures: number;
  unschedulable: number;
}

/** Schedules batches of popped pods; see the file comment. */
export class SchedulingRunner {
  readonly binds: Limiter;
  readonly #writes: Limiter;
  // Scheduled events trail bindings on their own, so a backlog of them never delays FailedScheduling writes.
  readonly #scheduledEvents: Limiter;
  readonly #recorder: EventRecorder;
  /** Rate limits FailedScheduling events per pod; forget a pod's entry when it is deleted. */
  readonly spam = new EventSpamFilter();
  readonly stats: RunnerStats = { bound: 0, bindFailures: 0, unschedulable: 0 };

  constructor(private readonly deps: RunnerDeps) {
    this.binds = new Limiter(deps.bindParallelism);
    this.#writes = new Limiter(deps.writeParallelism);
    this.#scheduledEvents = new Limiter(deps.writeParallelism);
    this.#recorder = new EventRecorder(deps.registry, deps.now);
  }

  /**
   * Schedules and assumes every pod of `batch` now, and starts their bindings
   * and status writes (which finish later: see {@link idle}). Never throws; a
   * cycle that throws retries its pod.
   */
  scheduleBatch(batch: readonly QueuedPod[]): void {
    const { cache, queue, profile, rng, logger } = this.deps;
    for (const q of batch) {
      // A stale unbound copy re-queued after our binding succeeded, before the watch confirmed it.
      if (cache.isAssumed(q.pod)) {
        queue.done(q.key);
        continue;
      }
      let result: ReturnType<typeof schedulePod>;
      try {
        result = schedulePod(q.pod, cache.snapshot(), profile, rng);
      } catch (e) {
        logger.error({ pod: q.key, err: (e as Error).message }, 'scheduling cycle failed');
        queue.retry(q.key);
        continue;
      }
      if ('nodeName' in result) {
        const nodeName = result.nodeName;
        cache.assume(q.pod, nodeName);
        this.binds.run(() => this.#bind(q, nodeName));
      } else {
        queue.unschedulable(q.key, q.cycle);
        this.stats.unschedulable++;
        logger.debug({ pod: q.key, message: result.message }, 'unschedulable');
        this.#writes.run(() => this.#fail(q, result));
      }
    }
  }

  /** Resolves when no binding, status write or event write is queued or running. */
  async idle(): Promise<void> {
    await this.binds.idle();
    await this.#writes.idle();
    await this.#scheduledEvents.idle();
  }

  async #bind(q: QueuedPod, nodeName: string): Promise<void> {
    const { registry, cache, queue, logger, now } = this.deps;
    const pod = q.pod;
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const started = performance.now();
    const node = cache.snapshot().get(nodeName)?.node;
    try {
      await bindPod(registry, schedulerContext(now()), ns, name, nodeName, { uid: pod.metadata?.uid, pod, node });
    } catch (e) {
      cache.forget(pod);
      if (isNotFound(e)) queue.delete(q.key);
      else queue.retry(q.key);
      this.stats.bindFailures++;
      const level = isConflict(e) || isNotFound(e) ? 'debug' : 'warn';
      logger[level]({ pod: `${ns}/${name}`, node: nodeName, err: (e as Error).message }, 'binding failed');
      this.deps.bindFailed?.();
      return;
    }
    queue.done(q.key);
    this.stats.bound++;
    logger.debug({ pod: `${ns}/${name}`, node: nodeName, ms: Math.round(performance.now() - started) }, 'bound');
    if (this.deps.scheduledEvents) {
      this.#scheduledEvents.run(() =>
        this.#recorder.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${nodeName}`),
      );
    }
  }

  async #fail(q: QueuedPod, result: ScheduleFailure): Promise<void> {
    const pod = q.pod;
    const at = this.deps.now();
    try {
      // A pod bound or replaced meanwhile gets no FailedScheduling about the old attempt.
      if ((await markUnschedulable(this.deps.registry, pod, result.message, at)) === 'stale') return;
      if (this.spam.allow(q.key, at.getTime())) {
        await this.#recorder.record(pod, 'Warning', 'FailedScheduling', result.message);
      }
    } catch (e) {
      if (!isNotFound(e)) {
        this.deps.logger.warn({ pod: q.key, err: (e as Error).message }, 'recording FailedScheduling failed');
      }
    }
  }
}
