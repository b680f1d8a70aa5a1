/**
 * The API server function: API Gateway (REST, Lambda proxy) → the core API
 * handler → the proxy result. Watches are answered as bounded long-polls.
 * Logs one line per request (the core handler's, with verb, path, status and
 * duration, plus the Lambda context) and records count and latency metrics.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ApiHandler } from '../core/apiserver/types.ts';
import { toApiRequest, toProxyResult } from './lib/api-gateway.ts';
import { createApiAssembly } from './lib/cluster.ts';
import { loadApiserverConfig, type WatchPollConfig } from './lib/config.ts';
import { lazyHandler } from './lib/lazy-handler.ts';
import { coreLogger, createObservability, instrument, MetricUnit, type Observability } from './lib/observability.ts';

/** What the API server function is built from. */
export interface ApiserverDeps {
  api: ApiHandler;
  watch: WatchPollConfig;
  obs: Observability;
  /** A monotonic clock in ms, for latency; default `performance.now`. */
  now?: () => number;
}

/** Creates the API server's middy handler over `deps`. */
export function createHandler(deps: ApiserverDeps) {
  const now = deps.now ?? (() => performance.now());
  return instrument<APIGatewayProxyEvent, APIGatewayProxyResult>(deps.obs, async (event, context) => {
    const started = now();
    const abort = new AbortController();
    const req = toApiRequest(event, abort.signal);
    deps.obs.logger.appendKeys({ verb: req.method, path: req.path });
    try {
      const res = await deps.api(req);
      const remainingMs = context.getRemainingTimeInMillis();
      const { result, longPoll } = await toProxyResult(req, res, { watch: deps.watch, remainingMs });
      if (longPoll) deps.obs.logger.debug('watch long-poll answered', { ...longPoll, status: result.statusCode });
      deps.obs.metrics.addMetric('ApiRequests', MetricUnit.Count, 1);
      deps.obs.metrics.addMetric('ApiLatency', MetricUnit.Milliseconds, Math.round(now() - started));
      if (result.statusCode >= 500) deps.obs.metrics.addMetric('ApiServerErrors', MetricUnit.Count, 1);
      return result;
    } finally {
      abort.abort();
    }
  });
}

/** The Lambda entry point, built from the environment on the first invocation. */
export const handler = lazyHandler(() => {
  const config = loadApiserverConfig();
  const obs = createObservability('skube-apiserver', config);
  const { api } = createApiAssembly(config, coreLogger(obs.logger));
  return createHandler({ api, watch: config.watch, obs });
});
