/**
 * The scheduler's control loop, in process: informers keep the
 * {@link SchedulerCache} and the {@link SchedulingQueue} up to date from store
 * watches; the loop pops ready pods in batches, schedules and assumes each one
 * synchronously (so pods of one batch count against capacity), then binds
 * them concurrently with bounded parallelism through the same conditional
 * write as `pods/binding`. A failed binding forgets the assumption and
 * retries with backoff; a pod no node fits gets `PodScheduled=False` and a
 * `FailedScheduling` Event and waits for a cluster event.
 */
import type { Logger } from '../apiserver/types.ts';
import { isConflict, isNotFound } from '../errors/index.ts';
import { bindPod } from '../registry/binding.ts';
import type { Registry } from '../registry/registry.ts';
import type { Store } from '../storage/store.ts';
import { createSchedulerCache, type SchedulerCache } from './cache.ts';
import { buildProfile, DEFAULT_CONFIGURATION, type SchedulerConfiguration } from './config.ts';
import { watchCluster } from './event-handlers.ts';
import { EventRecorder, EventSpamFilter, SCHEDULER_COMPONENT, schedulerContext } from './events.ts';
import { Limiter } from './limiter.ts';
import { markUnschedulable } from './pod-status.ts';
import { type QueuedPod, SchedulingQueue } from './queue.ts';
import { type Rng, type ScheduleFailure, schedulePod } from './schedule-pod.ts';

/** Tunables of the loop; every field has a default. */
export interface SchedulerLoopConfig {
  /** Pods whose `spec.schedulerName` is this are ours (default `default-scheduler`). */
  schedulerName?: string;
  /** Plugins, weights and sampling (default {@link DEFAULT_CONFIGURATION}). */
  configuration?: SchedulerConfiguration;
  /** Pods scheduled synchronously per batch before yielding to I/O (default 256). */
  batchSize?: number;
  /** Bindings in flight at once (default 16). */
  bindParallelism?: number;
  /** FailedScheduling status and Event writes in flight at once, and as many Scheduled Event writes (default 4). */
  writeParallelism?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxUnschedulableMs?: number;
  /** Whether a successful binding records a `Scheduled` Event (default true). */
  scheduledEvents?: boolean;
  /** Tie-breaking randomness (default Math.random). */
  rng?: Rng;
}

/** What the loop needs from its surroundings. */
export interface SchedulerDeps {
  store: Store;
  registry: Registry;
  logger: Logger;
  now?: () => Date;
  config?: SchedulerLoopConfig;
}

/** A running scheduler. */
export interface RunningScheduler {
  /** Stops watching and scheduling; waits for writes in flight. Idempotent. */
  stop(): Promise<void>;
  /**
   * Resolves once no pod is ready to schedule and nothing is in flight (pods
   * may still wait in backoff or as unschedulable). Changes not yet delivered
   * by a watch are not waited for.
   */
  idle(): Promise<void>;
}

/**
 * Starts the scheduler over `store`: lists nodes, pods and workloads, then
 * schedules pending pods until stopped. Resolves once the initial lists are
 * loaded. Throws when a list fails or the configuration is invalid.
 */
export async function startScheduler(deps: SchedulerDeps): Promise<RunningScheduler> {
  const { store, registry, logger } = deps;
  const cfg = deps.config ?? {};
  const now = deps.now ?? (() => new Date());
  const schedulerName = cfg.schedulerName ?? SCHEDULER_COMPONENT;
  const profile = buildProfile(cfg.configuration ?? DEFAULT_CONFIGURATION);
  const rng = cfg.rng ?? Math.random;
  const batchSize = cfg.batchSize ?? 256;
  const cache: SchedulerCache = createSchedulerCache();
  const queue = new SchedulingQueue({
    now: () => now().getTime(),
    initialBackoffMs: cfg.initialBackoffMs,
    maxBackoffMs: cfg.maxBackoffMs,
    maxUnschedulableMs: cfg.maxUnschedulableMs,
  });
  const binds = new Limiter(cfg.bindParallelism ?? 16);
  const writes = new Limiter(cfg.writeParallelism ?? 4);
  // Scheduled events trail bindings on their own, so a backlog of them never delays FailedScheduling writes.
  const scheduledEvents = new Limiter(cfg.writeParallelism ?? 4);
  const recorder = new EventRecorder(registry, now);
  const spam = new EventSpamFilter();
  let stopped = false;
  let kicked = false;
  let wake: (() => void) | undefined;
  const kick = () => {
    kicked = true;
    wake?.();
  };

  const informers = await watchCluster({
    store,
    logger,
    cache,
    queue,
    schedulerName,
    changed: kick,
    podDeleted: (key) => spam.forget(key),
  });

  const bind = async (q: QueuedPod, nodeName: string): Promise<void> => {
    const pod = q.pod;
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const started = performance.now();
    try {
      await bindPod(registry, schedulerContext(now()), ns, name, nodeName, { uid: pod.metadata?.uid, pod });
    } catch (e) {
      cache.forget(pod);
      if (isNotFound(e)) queue.delete(q.key);
      else queue.retry(q.key);
      const level = isConflict(e) || isNotFound(e) ? 'debug' : 'warn';
      logger[level]({ pod: `${ns}/${name}`, node: nodeName, err: (e as Error).message }, 'binding failed');
      kick();
      return;
    }
    queue.done(q.key);
    logger.debug({ pod: `${ns}/${name}`, node: nodeName, ms: Math.round(performance.now() - started) }, 'bound');
    if (cfg.scheduledEvents !== false) {
      scheduledEvents.run(() =>
        recorder.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${nodeName}`),
      );
    }
  };

  const fail = async (q: QueuedPod, result: ScheduleFailure): Promise<void> => {
    const pod = q.pod;
    const at = now();
    try {
      // A pod bound or replaced meanwhile gets no FailedScheduling about the old attempt.
      if ((await markUnschedulable(registry, pod, result.message, at)) === 'stale') return;
      if (spam.allow(q.key, at.getTime())) await recorder.record(pod, 'Warning', 'FailedScheduling', result.message);
    } catch (e) {
      if (!isNotFound(e)) logger.warn({ pod: q.key, err: (e as Error).message }, 'recording FailedScheduling failed');
    }
  };

  const scheduleBatch = (batch: QueuedPod[]) => {
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
        cache.assume(q.pod, result.nodeName);
        binds.run(() => bind(q, result.nodeName));
      } else {
        queue.unschedulable(q.key, q.cycle);
        logger.debug({ pod: q.key, message: result.message }, 'unschedulable');
        writes.run(() => fail(q, result));
      }
    }
  };

  const run = async () => {
    while (!stopped) {
      kicked = false;
      const batch = queue.pop(batchSize);
      if (batch.length > 0) {
        scheduleBatch(batch);
        // Let bindings drain below one batch before scheduling more, and yield to I/O either way.
        await binds.below(batchSize);
        await new Promise((r) => setImmediate(r));
        continue;
      }
      if (kicked) continue;
      const due = queue.nextDueAt();
      await new Promise<void>((resolve) => {
        const timer = due === undefined ? undefined : setTimeout(resolve, Math.max(0, due - now().getTime()) + 1);
        wake = () => {
          if (timer) clearTimeout(timer);
          wake = undefined;
          resolve();
        };
      });
      wake = undefined;
    }
  };
  const done = run();
  kick();

  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const i of informers) i.stop();
      wake?.();
      await done;
      await binds.idle();
      await writes.idle();
      await scheduledEvents.idle();
    },
    async idle() {
      for (;;) {
        await binds.idle();
        await writes.idle();
        await scheduledEvents.idle();
        const s = queue.stats();
        if (stopped || (s.active === 0 && s.inflight === 0 && binds.pending === 0)) return;
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}
