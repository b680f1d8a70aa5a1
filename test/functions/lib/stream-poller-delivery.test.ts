/**
 * Batch delivery of the stream poller: bisection down to the failing record,
 * its retries with backoff, the poison report, partial batch responses, and
 * stopping — with every record ending committed exactly once or not at all.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/apiserver/types.ts';
import {
  type DeliveryDeps,
  deliverBatch,
  type StreamBatchHandler,
} from '../../../functions/lib/stream-poller-delivery.ts';

const records = (n: number): DynamoDBRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    eventID: `e${i}`,
    eventName: 'INSERT',
    dynamodb: { SequenceNumber: String(100 + i).padStart(21, '0') },
  }));
const ids = (rs: DynamoDBRecord[]) => rs.map((r) => r.eventID);

/** Delivery deps recording calls, commits, poison reports and sleeps. */
function harness(handler: StreamBatchHandler, extra: Partial<DeliveryDeps> = {}) {
  const calls: string[][] = [];
  const commits: string[] = [];
  const poison: string[] = [];
  const sleeps: number[] = [];
  const deps: DeliveryDeps = {
    handler: async (rs) => {
      calls.push(ids(rs) as string[]);
      return handler(rs);
    },
    onPoison: (r) => {
      poison.push(r.eventID!);
    },
    commit: async (r) => {
      commits.push(r.eventID!);
    },
    maxRetryAttempts: 2,
    backoffMs: (attempt) => attempt * 10,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    stopped: () => false,
    logger: silentLogger,
    ...extra,
  };
  return { deps, calls, commits, poison, sleeps };
}

const failOn =
  (bad: string): StreamBatchHandler =>
  async (rs) => {
    if (rs.some((r) => r.eventID === bad)) throw new Error(`cannot handle ${bad}`);
  };

describe('deliverBatch', () => {
  it('hands over the whole batch once and commits its last record when the handler succeeds', async () => {
    const h = harness(async () => undefined);
    expect(await deliverBatch(records(4), h.deps)).toBe(true);
    expect(h.calls).toEqual([['e0', 'e1', 'e2', 'e3']]);
    expect(h.commits).toEqual(['e3']);
  });

  it('bisects down to the failing record, retries it with backoff, then reports it as poison', async () => {
    const h = harness(failOn('e5'));
    expect(await deliverBatch(records(8), h.deps)).toBe(true);
    expect(h.calls).toEqual([
      ['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7'],
      ['e0', 'e1', 'e2', 'e3'],
      ['e4', 'e5', 'e6', 'e7'],
      ['e4', 'e5'],
      ['e4'],
      ['e5'],
      ['e5'],
      ['e5'],
      ['e6', 'e7'],
    ]);
    expect(h.sleeps).toEqual([10, 20]);
    expect(h.poison).toEqual(['e5']);
    // Commits only move forward, and each record is covered once.
    expect(h.commits).toEqual(['e3', 'e4', 'e5', 'e7']);
  });

  it('succeeds without reporting poison when a retry of the isolated record works', async () => {
    let failures = 0;
    const h = harness(async (rs) => {
      if (rs.some((r) => r.eventID === 'e1') && failures++ < 2) throw new Error('flaky');
    });
    await deliverBatch(records(2), h.deps);
    expect(h.poison).toEqual([]);
    expect(h.calls).toEqual([['e0', 'e1'], ['e0'], ['e1'], ['e1']]);
    expect(h.commits).toEqual(['e0', 'e1']);
  });

  it('reports at once when no retries are allowed', async () => {
    const h = harness(failOn('e0'), { maxRetryAttempts: 0 });
    await deliverBatch(records(1), h.deps);
    expect(h.calls).toEqual([['e0']]);
    expect(h.poison).toEqual(['e0']);
    expect(h.sleeps).toEqual([]);
  });

  it('commits the records before the lowest failure of a partial batch response', async () => {
    const rs = records(6);
    let first = true;
    const h = harness(async (batch): Promise<DynamoDBBatchResponse | undefined> => {
      if (!first) return undefined;
      first = false;
      const seq = (i: number) => batch[i].dynamodb!.SequenceNumber!;
      return { batchItemFailures: [{ itemIdentifier: seq(4) }, { itemIdentifier: seq(2) }] };
    });
    await deliverBatch(rs, h.deps);
    expect(h.calls).toEqual([ids(rs), ['e2', 'e3', 'e4', 'e5']]);
    expect(h.commits).toEqual(['e1', 'e5']);
  });

  it('treats an identifier naming no record of the batch as a failure of the whole batch', async () => {
    let first = true;
    const h = harness(async () => {
      if (!first) return undefined;
      first = false;
      return { batchItemFailures: [{ itemIdentifier: '' }] };
    });
    await deliverBatch(records(2), h.deps);
    expect(h.calls).toEqual([['e0', 'e1'], ['e0'], ['e1']]);
    expect(h.commits).toEqual(['e0', 'e1']);
  });

  it('stops without committing or reporting the failing record when stopped while retrying it', async () => {
    let stopped = false;
    const h = harness(failOn('e1'), {
      sleep: async () => {
        stopped = true;
      },
      stopped: () => stopped,
    });
    expect(await deliverBatch(records(3), h.deps)).toBe(false);
    expect(h.commits).toEqual(['e0']);
    expect(h.poison).toEqual([]);
  });

  it('rejects and leaves the record uncommitted when onPoison throws', async () => {
    const h = harness(failOn('e0'), {
      maxRetryAttempts: 0,
      onPoison: () => {
        throw new Error('dead-letter queue unreachable');
      },
    });
    await expect(deliverBatch(records(2), h.deps)).rejects.toThrow(/dead-letter/);
    expect(h.commits).toEqual([]);
  });
});
