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
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Logger } from '../apiserver/types.ts';
import { isConflict, isNotFound } from '../errors/index.ts';
import { bindPod } from '../registry/binding.ts';
import type { Registry } from '../registry/registry.ts';
import type { Store } from '../storage/store.ts';
import { type SchedulerCache, type WorkloadKind, createSchedulerCache } from './cache.ts';
import { buildProfile, DEFAULT_CONFIGURATION, type SchedulerConfiguration } from './config.ts';
import { EventRecorder, EventSpamFilter, SCHEDULER_COMPONENT, schedulerContext } from './events.ts';
import { type Informer, startInformer } from './informer.ts';
import { Limiter } from './limiter.ts';
import { podKey } from './node-info.ts';
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
  /** Status and Event writes in flight at once (default 4). */
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

const WORKLOADS: [string, WorkloadKind][] = [
  ['services', 'Service'],
  ['replicasets.apps', 'ReplicaSet'],
  ['replicationcontrollers', 'ReplicationController'],
];

const isTerminal = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

// What a node contributes to scheduling decisions; heartbeats and other status noise leave it unchanged.
function nodeView(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  const s = node.status;
  return JSON.stringify([
    node.metadata?.labels,
    node.spec?.taints,
    node.spec?.unschedulable,
    s?.allocatable ?? s?.capacity,
    ready,
  ]);
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
  const recorder = new EventRecorder(registry, now);
  const spam = new EventSpamFilter();
  let stopped = false;
  let kicked = false;
  let wake: (() => void) | undefined;
  const kick = () => {
    kicked = true;
    wake?.();
  };

  const ours = (pod: Pod) =>
    !pod.spec?.nodeName &&
    !pod.metadata?.deletionTimestamp &&
    !isTerminal(pod) &&
    !pod.spec?.schedulingGates?.length &&
    (pod.spec?.schedulerName || SCHEDULER_COMPONENT) === schedulerName;

  const onPod = (pod: Pod, old?: Pod) => {
    const key = podKey(pod);
    if (pod.spec?.nodeName) {
      cache.upsertPod(pod);
      queue.delete(key);
      // A pod finishing frees its node's resources.
      if (old?.spec?.nodeName && !isTerminal(old) && isTerminal(pod)) queue.moveAll();
    } else if (ours(pod)) {
      // A copy of a pod whose binding is in flight only refreshes its entry (see scheduleBatch).
      queue.add(pod);
    } else {
      queue.delete(key);
    }
    kick();
  };

  const informers: Informer[] = [];
  const asPod = (o: KubeObject) => o as unknown as Pod;
  const asNode = (o: KubeObject) => o as unknown as Node;
  informers.push(
    await startInformer(
      store,
      'nodes',
      {
        add: (o) => {
          cache.upsertNode(asNode(o));
          queue.moveAll();
          kick();
        },
        update: (old, o) => {
          cache.upsertNode(asNode(o));
          if (nodeView(asNode(old)) !== nodeView(asNode(o))) queue.moveAll();
          kick();
        },
        remove: (o) => cache.removeNode(o.metadata.name ?? ''),
      },
      logger,
    ),
  );
  for (const [resource, kind] of WORKLOADS) {
    const upsert = (o: KubeObject) => cache.upsertWorkload(kind, o as never);
    informers.push(
      await startInformer(
        store,
        resource,
        {
          add: upsert,
          update: (_old, o) => upsert(o),
          remove: (o) => cache.removeWorkload(kind, o.metadata.namespace ?? '', o.metadata.name ?? ''),
        },
        logger,
      ),
    );
  }
  informers.push(
    await startInformer(
      store,
      'pods',
      {
        add: (o) => onPod(asPod(o)),
        update: (old, o) => onPod(asPod(o), asPod(old)),
        remove: (o) => {
          const pod = asPod(o);
          cache.removePod(pod);
          queue.delete(podKey(pod));
          spam.forget(podKey(pod));
          if (pod.spec?.nodeName && !isTerminal(pod)) queue.moveAll();
          kick();
        },
      },
      logger,
    ),
  );

  const bind = async (q: QueuedPod, nodeName: string): Promise<void> => {
    const pod = q.pod;
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const started = performance.now();
    try {
      await bindPod(registry, schedulerContext(now()), ns, name, nodeName, { uid: pod.metadata?.uid });
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
      writes.run(() =>
        recorder.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${nodeName}`),
      );
    }
  };

  const fail = async (q: QueuedPod, result: ScheduleFailure): Promise<void> => {
    const pod = q.pod;
    const at = now();
    try {
      await markUnschedulable(registry, pod, result.message, at);
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
    },
    async idle() {
      for (;;) {
        await binds.idle();
        await writes.idle();
        const s = queue.stats();
        if (stopped || (s.active === 0 && s.inflight === 0 && binds.pending === 0)) return;
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}
