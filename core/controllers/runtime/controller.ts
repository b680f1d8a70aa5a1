/**
 * Runs one level-triggered control loop in process: watches store types,
 * maps every change to the keys it concerns (the event is only a doorbell),
 * and calls `sync(key)` through a deduplicating work queue, retrying failures
 * with exponential backoff and honouring `requeueAfter`.
 */
import type { Logger } from '../../apiserver/types.ts';
import type { Store, StoreEvent, StoreWatch } from '../../storage/store.ts';
import { InMemoryWorkQueue } from './work-queue.ts';

/** What a sync returns: optionally when to look at the key again. */
export interface SyncResult {
  requeueAfterMs?: number;
}

/** A control loop definition. */
export interface ControllerSpec {
  name: string;
  /** Storage resources to watch, each with a function mapping a change to keys. */
  watches: { resource: string; keys(e: StoreEvent): string[] }[];
  /** Reconciles one key; throws to retry with backoff. */
  sync(key: string): Promise<SyncResult | undefined>;
  /** Keys to sync at start (a full resync). */
  initialKeys(): Promise<string[]>;
}

/** A running controller. */
export interface RunningController {
  queue: InMemoryWorkQueue;
  stop(): Promise<void>;
}

const MAX_BACKOFF_MS = 60_000;

/** Starts a controller over `store`. */
export async function startController(store: Store, spec: ControllerSpec, logger: Logger): Promise<RunningController> {
  const failures = new Map<string, number>();
  const queue = new InMemoryWorkQueue({
    process: async (key) => {
      const started = performance.now();
      try {
        const result = await spec.sync(key);
        failures.delete(key);
        if (result?.requeueAfterMs) queue.add(key, result.requeueAfterMs);
        logger.debug({ controller: spec.name, key, ms: Math.round(performance.now() - started) }, 'sync');
      } catch (e) {
        const n = (failures.get(key) ?? 0) + 1;
        failures.set(key, n);
        const delay = Math.min(MAX_BACKOFF_MS, 5 * 2 ** n);
        logger.warn({ controller: spec.name, key, err: (e as Error).message, retryMs: delay }, 'sync failed');
        queue.add(key, delay);
      }
    },
  });
  const watches: StoreWatch[] = [];
  for (const w of spec.watches) {
    const revision = await store.currentRevision(w.resource);
    const watch = await store.watch(w.resource, { fromRevision: revision });
    watches.push(watch);
    void (async () => {
      try {
        for await (const e of watch) for (const key of w.keys(e)) queue.add(key);
      } catch (e) {
        logger.error({ controller: spec.name, err: (e as Error).message }, 'watch ended');
      }
    })();
  }
  for (const key of await spec.initialKeys()) queue.add(key);
  return {
    queue,
    async stop() {
      for (const w of watches) w.stop();
      queue.shutDown();
    },
  };
}
