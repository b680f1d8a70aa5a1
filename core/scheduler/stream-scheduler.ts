/**
 * The scheduler driven by batches of store changes instead of a live watch:
 * what a Lambda function on the DynamoDB stream runs. The changes are only a
 * doorbell. Each batch first brings the scheduler's mirror of the cluster up
 * to date from the store's log ({@link CatchUpInformer}: nodes, workloads,
 * pods, listed on the first batch of a container), through the same handlers
 * as the in-process loop, so the queue holds every pending pod that is ours;
 * then it schedules every pod ready in the queue and waits for the bindings
 * and status writes. Bindings lost to a parallel invocation (409) are retried
 * at once after catching up again, a few rounds; pods still failing after
 * that are reported so that the stream retries their records.
 *
 * Keep one instance per container: the mirror, the queue (unschedulable pods
 * wait there for a change that could make them fit) and the profile's
 * sampling cursor live across batches.
 */
import type { Logger } from '../apiserver/types.ts';
import type { Registry } from '../registry/registry.ts';
import type { Store } from '../storage/store.ts';
import { createSchedulerCache } from './cache.ts';
import { buildProfile, DEFAULT_CONFIGURATION, type SchedulerConfiguration } from './config.ts';
import { clusterHandlers } from './event-handlers.ts';
import { SCHEDULER_COMPONENT } from './events.ts';
import { CatchUpInformer } from './informer.ts';
import { SchedulingQueue } from './queue.ts';
import { SchedulingRunner } from './runner.ts';
import type { Rng } from './schedule-pod.ts';

/** Tunables of a {@link StreamScheduler}; every field has a default. */
export interface StreamSchedulerConfig {
  /** Pods whose `spec.schedulerName` is this are ours (default `default-scheduler`). */
  schedulerName?: string;
  /** Plugins, weights and sampling (default {@link DEFAULT_CONFIGURATION}). */
  configuration?: SchedulerConfiguration;
  /** Scheduling passes per batch: the first, then retries of lost bindings (default 3). */
  maxRounds?: number;
  /** Bindings in flight at once (default 16). */
  bindParallelism?: number;
  /** FailedScheduling and Scheduled writes in flight at once (default 4). */
  writeParallelism?: number;
  /** Whether a successful binding records a `Scheduled` Event (default true). */
  scheduledEvents?: boolean;
  maxUnschedulableMs?: number;
  rng?: Rng;
}

/** What a {@link StreamScheduler} is built from. */
export interface StreamSchedulerDeps {
  store: Store;
  registry: Registry;
  logger: Logger;
  now?: () => Date;
  config?: StreamSchedulerConfig;
}

/** What one batch did. */
export interface StreamBatchOutcome {
  bound: number;
  unschedulable: number;
  /** Bindings that failed (lost races included), over every round. */
  bindFailures: number;
  /** `namespace/name` of pods whose binding still failed after the last round; they stay queued. */
  retrying: string[];
}

/** A stream-fed scheduler; see the file comment. Batches must not overlap: await one before the next. */
export class StreamScheduler {
  readonly #informers: CatchUpInformer[];
  readonly #queue: SchedulingQueue;
  readonly #runner: SchedulingRunner;
  readonly #maxRounds: number;

  constructor(deps: StreamSchedulerDeps) {
    const cfg = deps.config ?? {};
    const now = deps.now ?? (() => new Date());
    const cache = createSchedulerCache();
    // No backoff: a lost binding is retried in the next round, after catching up with what beat it.
    this.#queue = new SchedulingQueue({
      now: () => now().getTime(),
      initialBackoffMs: 0,
      maxBackoffMs: 0,
      maxUnschedulableMs: cfg.maxUnschedulableMs,
    });
    this.#runner = new SchedulingRunner({
      registry: deps.registry,
      logger: deps.logger,
      now,
      cache,
      queue: this.#queue,
      profile: buildProfile(cfg.configuration ?? DEFAULT_CONFIGURATION),
      rng: cfg.rng ?? Math.random,
      bindParallelism: cfg.bindParallelism ?? 16,
      writeParallelism: cfg.writeParallelism ?? 4,
      scheduledEvents: cfg.scheduledEvents !== false,
    });
    const handlers = clusterHandlers({
      cache,
      queue: this.#queue,
      schedulerName: cfg.schedulerName ?? SCHEDULER_COMPONENT,
      changed: () => {},
      podDeleted: (key) => this.#runner.spam.forget(key),
    });
    this.#informers = handlers.map(([resource, h]) => new CatchUpInformer(deps.store, resource, h));
    this.#maxRounds = cfg.maxRounds ?? 3;
  }

  /**
   * Catches up with the store and schedules every pod ready in the queue,
   * retrying lost bindings; resolves when every write of the batch is done.
   * Throws when reading the store fails (nothing is lost: the next batch
   * catches up from where this one stopped).
   */
  async runBatch(): Promise<StreamBatchOutcome> {
    const before = { ...this.#runner.stats };
    for (let round = 0; round < this.#maxRounds; round++) {
      for (const informer of this.#informers) await informer.sync();
      const batch = this.#queue.pop(Number.MAX_SAFE_INTEGER);
      if (batch.length === 0) break;
      const failuresBefore = this.#runner.stats.bindFailures;
      this.#runner.scheduleBatch(batch);
      await this.#runner.idle();
      if (this.#runner.stats.bindFailures === failuresBefore) break;
    }
    const after = this.#runner.stats;
    return {
      bound: after.bound - before.bound,
      unschedulable: after.unschedulable - before.unschedulable,
      bindFailures: after.bindFailures - before.bindFailures,
      // Pods whose last binding failed wait in backoff (without delay) for the next batch.
      retrying: this.#queue.backingOff().map((p) => `${p.metadata?.namespace ?? 'default'}/${p.metadata?.name ?? ''}`),
    };
  }
}
