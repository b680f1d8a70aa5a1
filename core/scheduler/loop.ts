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
import type { Registry } from '../registry/registry.ts';
import type { Store } from '../storage/store.ts';
import { createSchedulerCache, type SchedulerCache } from './cache.ts';
import { buildProfile, DEFAULT_CONFIGURATION, type SchedulerConfiguration } from './config.ts';
import { watchCluster } from './event-handlers.ts';
import { SCHEDULER_COMPONENT } from './events.ts';
import { SchedulingQueue } from './queue.ts';
import { SchedulingRunner } from './runner.ts';
import type { Rng } from './schedule-pod.ts';

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
  let stopped = false;
  let kicked = false;
  let wake: (() => void) | undefined;
  const kick = () => {
    kicked = true;
    wake?.();
  };
  const runner = new SchedulingRunner({
    registry,
    logger,
    now,
    cache,
    queue,
    profile,
    rng,
    bindParallelism: cfg.bindParallelism ?? 16,
    writeParallelism: cfg.writeParallelism ?? 4,
    scheduledEvents: cfg.scheduledEvents !== false,
    bindFailed: kick,
  });

  const informers = await watchCluster({
    store,
    logger,
    cache,
    queue,
    schedulerName,
    changed: kick,
    podDeleted: (key) => runner.spam.forget(key),
  });

  const run = async () => {
    while (!stopped) {
      kicked = false;
      const batch = queue.pop(batchSize);
      if (batch.length > 0) {
        runner.scheduleBatch(batch);
        // Let bindings drain below one batch before scheduling more, and yield to I/O either way.
        await runner.binds.below(batchSize);
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
      await runner.idle();
    },
    async idle() {
      for (;;) {
        await runner.idle();
        const s = queue.stats();
        if (stopped || (s.active === 0 && s.inflight === 0 && runner.binds.pending === 0)) return;
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}
