/**
 * The CloudWatch Logs read-back of pods/log over an in-memory GetLogEvents
 * with CloudWatch's paging rules (forward tokens, the same token again at the
 * end, the newest events first when not reading from the head).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { parsePodLogOptions } from '../../../core/apiserver/connect.ts';
import {
  cloudWatchPodConnector,
  type GetLogEventsInput,
  nanoTimestamp,
  podLogStreamName,
} from '../../../functions/lib/cloudwatch-pod-logs.ts';

const T0 = Date.parse('2026-12-03T08:00:00Z');
const pod = {
  metadata: { name: 'web', namespace: 'default', uid: 'u1' },
  spec: { containers: [{ name: 'app' }] },
  status: { containerStatuses: [{ name: 'app', restartCount: 1 }] },
} as Pod;

function fakeLogs(streams: Record<string, { timestamp: number; message: string }[]>, pageSize = 2) {
  const calls: GetLogEventsInput[] = [];
  const read = async (input: GetLogEventsInput) => {
    calls.push(input);
    const events = streams[input.logStreamName];
    if (!events) throw Object.assign(new Error('stream not found'), { name: 'ResourceNotFoundException' });
    const visible = events.filter((e) => input.startTime === undefined || e.timestamp >= input.startTime);
    let from = input.nextToken ? Number(input.nextToken.slice(2)) : 0;
    let to = Math.min(from + (input.limit ?? pageSize), visible.length);
    if (!input.nextToken && input.startFromHead === false) {
      to = visible.length;
      from = Math.max(0, to - (input.limit ?? pageSize));
    }
    return { events: visible.slice(from, to), nextForwardToken: `f/${to}` };
  };
  return { read, calls };
}

async function text(stream: AsyncIterable<string> | undefined) {
  let out = '';
  for await (const s of stream ?? []) out += s;
  return out;
}

const stream = podLogStreamName('default', 'web', 'u1', 'app', 1);
const previousStream = podLogStreamName('default', 'web', 'u1', 'app', 0);
const events = [1, 2, 3, 4, 5].map((i) => ({ timestamp: T0 + i * 1000, message: `line ${i}` }));

describe('cloudWatchPodConnector', () => {
  const logs = (
    query: string,
    streams = { [stream]: events, [previousStream]: [{ timestamp: T0, message: 'old' }] },
  ) => {
    const fake = fakeLogs(streams);
    const connector = cloudWatchPodConnector({
      read: fake.read,
      logGroupName: '/skube/pods',
      now: () => T0 + 10_000,
      sleep: async () => {},
      followCapMs: 0,
    });
    return connector
      .containerLogs({ pod, container: 'app' }, parsePodLogOptions(new URLSearchParams(query), 'app'))
      .then((r) => text(r.stream));
  };

  it('reads the current attempt from the head, page after page', async () => {
    expect(await logs('')).toBe('line 1\nline 2\nline 3\nline 4\nline 5\n');
  });

  it('reads the previous attempt with previous=true', async () => {
    expect(await logs('previous=true')).toBe('old\n');
  });

  it.each([
    ['tailLines=2', 'line 4\nline 5\n'],
    ['tailLines=0', ''],
    ['sinceSeconds=7', 'line 3\nline 4\nline 5\n'],
    ['sinceTime=2026-12-03T08:00:04Z', 'line 4\nline 5\n'],
    ['limitBytes=10', 'line 1\nlin'],
    ['tailLines=1&timestamps=true', `${nanoTimestamp(T0 + 5000)} line 5\n`],
  ])('honours %s', async (query, expected) => {
    expect(await logs(query)).toBe(expected);
  });

  it('follows by polling with the forward token until its cap', async () => {
    const live = [...events];
    const fake = fakeLogs({ [stream]: live });
    let clock = T0;
    const connector = cloudWatchPodConnector({
      read: fake.read,
      logGroupName: '/skube/pods',
      now: () => clock,
      followPollMs: 1000,
      followCapMs: 3000,
      sleep: async (ms) => {
        clock += ms;
        live.push({ timestamp: clock, message: `polled ${clock - T0}` });
      },
    });
    const res = await connector.containerLogs(
      { pod, container: 'app' },
      parsePodLogOptions(new URLSearchParams('follow=true&tailLines=1'), 'app'),
    );
    expect(await text(res.stream)).toBe('line 5\npolled 1000\npolled 2000\npolled 3000\n');
  });

  it('answers an empty log for a stream that does not exist yet', async () => {
    expect(await logs('', {})).toBe('');
  });

  it('prints timestamps as RFC 3339 with nanoseconds', () => {
    expect(nanoTimestamp(T0 + 5)).toBe('2026-12-03T08:00:00.005000000Z');
  });

  it('refuses exec: API Gateway REST cannot upgrade', async () => {
    const connector = cloudWatchPodConnector({ read: fakeLogs({}).read, logGroupName: 'g' });
    await expect(connector.exec({ pod, container: 'app' }, new URLSearchParams())).rejects.toThrow(
      'pods/exec is not available through API Gateway REST',
    );
  });
});
