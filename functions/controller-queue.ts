/**
 * The controller queue function: SQS work queue → the controller each work
 * key names (`functions/lib/controllers.ts`) → its sync. Records whose sync
 * threw are reported in `batchItemFailures` (retried with backoff, then
 * dead-lettered); a sync's `requeueAfterMs` queues its key again.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type ControllerFunctionDeps, controllerFunctionDeps } from './lib/controller-function.ts';
import { syncWorkKey } from './lib/controllers.ts';
import { lazyHandler } from './lib/lazy-handler.ts';
import { instrument, MetricUnit } from './lib/observability.ts';
import { fromLambdaRecord } from './lib/work-message.ts';

/** Creates the queue consumer's middy handler over `deps`. */
export function createHandler(deps: ControllerFunctionDeps) {
  return instrument<SQSEvent, SQSBatchResponse>(deps.obs, async (event) => {
    const messages = event.Records.map((r) => fromLambdaRecord({ ...r, attributes: { ...r.attributes } }));
    const out = await deps
      .workQueue()
      .handleBatch(messages, (key) => syncWorkKey(deps.controllers, key), { deleteSucceeded: false });
    deps.obs.metrics.addMetric('WorkItems', MetricUnit.Count, messages.length);
    deps.obs.metrics.addMetric('WorkItemFailures', MetricUnit.Count, out.batchItemFailures.length);
    return { batchItemFailures: out.batchItemFailures };
  });
}

/** The Lambda entry point, built from the environment on the first invocation. */
export const handler = lazyHandler(() => createHandler(controllerFunctionDeps('skube-controller-queue')));
