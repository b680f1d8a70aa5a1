/**
 * The resync function: on a schedule (EventBridge), queues the key of every
 * object each controller owns, so a change the stream consumer missed is
 * still reconciled (level-triggered safety net). Throws when a key cannot be
 * queued, so the asynchronous invocation is retried.
 */
import type { ScheduledEvent } from 'aws-lambda';
import { type ControllerFunctionDeps, controllerFunctionDeps } from './lib/controller-function.ts';
import { resyncAll } from './lib/controllers.ts';
import { lazyHandler } from './lib/lazy-handler.ts';
import { instrument, MetricUnit } from './lib/observability.ts';

/** Creates the resync's middy handler over `deps`; it answers how many keys there were and how many were sent. */
export function createHandler(deps: ControllerFunctionDeps) {
  return instrument<ScheduledEvent, { keys: number; queued: number }>(deps.obs, async (event) => {
    const queue = deps.workQueue();
    const out = await resyncAll(deps.controllers, (key) => queue.enqueue(key));
    deps.obs.logger.info('resync queued', { ...out, scheduledAt: event.time });
    deps.obs.metrics.addMetric('ResyncKeys', MetricUnit.Count, out.keys);
    return out;
  });
}

/** The Lambda entry point, built from the environment on the first invocation. */
export const handler = lazyHandler(() => createHandler(controllerFunctionDeps('skube-resync')));
