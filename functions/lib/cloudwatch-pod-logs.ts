/**
 * `pods/log` in AWS, where the API server (a Lambda behind API Gateway REST)
 * cannot reach kubelets: containers log to CloudWatch Logs through Docker's
 * `awslogs` driver (`awslogs-group` = the cluster's pod log group,
 * `awslogs-stream` = `podLogStreamName(...)`, one event per line) and this
 * `PodConnector` reads them back with GetLogEvents. `exec` has no route
 * through API Gateway REST (no WebSocket upgrade) and answers 400.
 *
 * The reader is the GetLogEvents call of `@aws-sdk/client-cloudwatch-logs`
 * (`(input) => client.send(new GetLogEventsCommand(input))`), passed in.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodConnector, PodLogOptions } from '../../core/apiserver/connect.ts';
import type { ApiResponse } from '../../core/apiserver/types.ts';
import { badRequest } from '../../core/errors/index.ts';

/** The GetLogEvents input and output fields used. */
export interface GetLogEventsInput {
  logGroupName: string;
  logStreamName: string;
  startTime?: number;
  startFromHead?: boolean;
  limit?: number;
  nextToken?: string;
}

/** What GetLogEvents answers (the fields used). */
export interface GetLogEventsOutput {
  events?: { timestamp?: number; message?: string }[];
  nextForwardToken?: string;
}

/** Reads one page of a log stream; throws the SDK's `ResourceNotFoundException` for a stream that does not exist. */
export type LogEventsReader = (input: GetLogEventsInput) => Promise<GetLogEventsOutput>;

/** Options of the CloudWatch pod log connector. */
export interface CloudWatchPodLogsOptions {
  read: LogEventsReader;
  logGroupName: string;
  /** How often a `follow` polls for new events (default 1 s). */
  followPollMs?: number;
  /** How long a `follow` lasts at most: a buffered integration answers only when it ends (default 20 s). */
  followCapMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** The log stream of one container attempt: `<namespace>/<pod>/<uid>/<container>/<restartCount>`. */
export function podLogStreamName(namespace: string, pod: string, uid: string, container: string, restart: number) {
  return `${namespace}/${pod}/${uid}/${container}/${restart}`;
}

/** RFC 3339 with nanoseconds from milliseconds, as the kubelet prints `--timestamps`. */
export function nanoTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000000Z`;
}

function attemptOf(pod: Pod, container: string, previous: boolean): number {
  const s = pod.status;
  const status = [...(s?.initContainerStatuses ?? []), ...(s?.containerStatuses ?? [])].find(
    (c) => c.name === container,
  );
  const current = status?.restartCount ?? 0;
  return previous ? Math.max(current - 1, 0) : current;
}

const notFound = (e: unknown) => (e as { name?: string })?.name === 'ResourceNotFoundException';

/** Creates the connector. */
export function cloudWatchPodConnector(opts: CloudWatchPodLogsOptions): PodConnector {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const poll = opts.followPollMs ?? 1000;
  const cap = opts.followCapMs ?? 20_000;

  async function* lines(pod: Pod, options: PodLogOptions, signal?: AbortSignal): AsyncIterable<string> {
    const m = pod.metadata ?? {};
    const base = {
      logGroupName: opts.logGroupName,
      logStreamName: podLogStreamName(
        m.namespace ?? '',
        m.name ?? '',
        m.uid ?? '',
        options.container,
        attemptOf(pod, options.container, options.previous),
      ),
    };
    let startTime: number | undefined;
    if (options.sinceSeconds !== undefined) startTime = now() - options.sinceSeconds * 1000;
    else if (options.sinceTime) startTime = options.sinceTime.getTime();
    let remaining = options.limitBytes ?? Number.POSITIVE_INFINITY;
    const render = (e: { timestamp?: number; message?: string }) => {
      const stamp = options.timestamps ? `${nanoTimestamp(e.timestamp ?? 0)} ` : '';
      return `${stamp}${e.message ?? ''}\n`;
    };
    const read = async (input: Partial<GetLogEventsInput>): Promise<GetLogEventsOutput> => {
      try {
        return await opts.read({ ...base, ...input });
      } catch (e) {
        if (notFound(e)) return { events: [] };
        throw e;
      }
    };
    let token: string | undefined;
    let first: GetLogEventsOutput;
    if (options.tailLines !== undefined) {
      if (options.tailLines === 0 && !options.follow) return;
      first = await read({ startTime, startFromHead: false, limit: Math.max(options.tailLines, 1) });
      if (options.tailLines === 0) first = { ...first, events: [] };
    } else {
      first = await read({ startTime, startFromHead: true });
    }
    const deadline = now() + cap;
    let page = first;
    for (;;) {
      for (const e of page.events ?? []) {
        let text = render(e);
        if (Buffer.byteLength(text) > remaining) text = Buffer.from(text).subarray(0, remaining).toString('utf8');
        remaining -= Buffer.byteLength(text);
        yield text;
        if (remaining <= 0) return;
      }
      const next = page.nextForwardToken;
      const exhausted = !next || next === token || (page.events ?? []).length === 0;
      token = next ?? token;
      if (exhausted) {
        if (!options.follow || signal?.aborted || now() >= deadline) return;
        await sleep(poll);
        if (signal?.aborted) return;
      }
      page = await read({ startTime, startFromHead: true, nextToken: token });
    }
  }

  return {
    async containerLogs(target, options, signal): Promise<ApiResponse> {
      return { status: 200, headers: { 'content-type': 'text/plain' }, stream: lines(target.pod, options, signal) };
    },
    async exec() {
      throw badRequest(
        'pods/exec is not available through API Gateway REST: it needs a WebSocket upgrade to the node; run kubectl exec against a local cluster or from the node',
      );
    },
  };
}
