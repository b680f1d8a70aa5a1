/**
 * SqsWorkQueue: the bookkeeping (dedup marks, delay hops, backoff) against a
 * fake SQS client with an injected clock, then delivery against moto's server
 * (or SKUBE_TEST_AWS_ENDPOINT): delays, retries into the dead-letter queue,
 * deduplication and partial batch failure.
 */
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SendMessageCommandInput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { InMemoryPendingMarks } from '../../../functions/lib/pending-marks.ts';
import { createSqsClient } from '../../../functions/lib/sqs-client.ts';
import { ensureWorkQueue } from '../../../functions/lib/sqs-queues.ts';
import { SqsWorkQueue, type SqsWorkQueueOptions, type WorkHandler } from '../../../functions/lib/sqs-work-queue.ts';
import { fromLambdaRecord, REMAINING_ATTRIBUTE, type WorkMessage } from '../../../functions/lib/work-message.ts';
import { motoForTests, TEST_AWS_SQS, uniqueName } from '../../support/moto.ts';

/** Records every command; answers SendMessage with ids. */
class FakeSqs {
  readonly sent: SendMessageCommandInput[] = [];
  readonly visibility: { handle: string; seconds: number }[] = [];
  failSends = 0;

  async send(command: unknown): Promise<unknown> {
    if (command instanceof SendMessageCommand) {
      if (this.failSends > 0) {
        this.failSends--;
        throw new Error('SQS down');
      }
      this.sent.push(command.input);
      return { MessageId: `m${this.sent.length}` };
    }
    if (command instanceof ChangeMessageVisibilityCommand) {
      this.visibility.push({
        handle: command.input.ReceiptHandle ?? '',
        seconds: command.input.VisibilityTimeout ?? -1,
      });
    }
    return {};
  }

  /** The n-th sent message as the consumer would receive it. */
  delivered(n: number, receiveCount = 1): WorkMessage {
    const input = this.sent[n];
    return {
      messageId: `m${n + 1}`,
      receiptHandle: `rh${n + 1}-${receiveCount}`,
      body: input.MessageBody ?? '',
      receiveCount,
      remainingMs: Number(input.MessageAttributes?.[REMAINING_ATTRIBUTE]?.StringValue ?? '0'),
    };
  }
}

describe('SqsWorkQueue bookkeeping', () => {
  let fake: FakeSqs;
  let now: number;
  let calls: string[];
  const ok: WorkHandler = async (key) => {
    calls.push(key);
  };
  const make = (extra: Partial<SqsWorkQueueOptions> = {}) =>
    new SqsWorkQueue({
      client: fake as unknown as SQSClient,
      queueUrl: 'http://sqs.invalid/q',
      marks: new InMemoryPendingMarks(),
      now: () => now,
      newToken: (() => {
        let n = 0;
        return () => `t${++n}`;
      })(),
      backoff: { baseSeconds: 5, maxSeconds: 300 },
      ...extra,
    });

  beforeEach(() => {
    fake = new FakeSqs();
    now = 1_000_000;
    calls = [];
  });

  it('sends one message for a key added ten times while pending', async () => {
    const q = make();
    for (let i = 0; i < 10; i++) q.add('ns/a', 1000);
    await q.flush();
    expect(fake.sent).toHaveLength(1);
  });

  it('chains a delay beyond 900 s through hops carrying the remaining delay', async () => {
    const q = make();
    const delayMs = 2_000_500;
    expect(await q.enqueue('ns/a', delayMs)).toBe(true);
    expect(fake.sent[0]).toMatchObject({ DelaySeconds: 900 });
    expect(fake.sent[0].MessageAttributes?.[REMAINING_ATTRIBUTE]?.StringValue).toBe('1100500');

    let waitedSeconds = fake.sent[0].DelaySeconds ?? 0;
    for (let hop = 0; hop < 2; hop++) {
      now += (fake.sent[hop].DelaySeconds ?? 0) * 1000;
      const result = await q.handleBatch([fake.delivered(hop)], ok, { deleteSucceeded: false });
      expect(result.batchItemFailures).toEqual([]);
      expect(calls).toEqual([]);
      waitedSeconds += fake.sent[hop + 1].DelaySeconds ?? 0;
    }
    expect(fake.sent.map((s) => s.DelaySeconds)).toEqual([900, 900, 201]);
    expect(fake.sent[2].MessageAttributes).toBeUndefined();
    expect(waitedSeconds * 1000).toBeGreaterThanOrEqual(delayMs);

    await q.handleBatch([fake.delivered(2)], ok, { deleteSucceeded: false });
    expect(calls).toEqual(['ns/a']);
    expect(fake.sent).toHaveLength(3);
  });

  it('lets an earlier add replace a later one and drops the replaced message on arrival', async () => {
    const q = make();
    await q.enqueue('ns/a', 60_000);
    expect(await q.enqueue('ns/a', 0)).toBe(true);
    expect(await q.enqueue('ns/a', 30_000)).toBe(false);
    // The replaced message arrives while the replacing one is still pending: only one sync.
    now += 60_000;
    await q.handleBatch([fake.delivered(0), fake.delivered(1)], ok, { deleteSucceeded: false });
    expect(calls).toEqual(['ns/a']);
  });

  it('queues a key again when it is added while being processed', async () => {
    const q = make();
    await q.enqueue('ns/a');
    const handler: WorkHandler = async (key) => {
      calls.push(key);
      q.add(key);
    };
    await q.handleBatch([fake.delivered(0)], handler, { deleteSucceeded: false });
    expect(fake.sent).toHaveLength(2);
  });

  it('requeues after a successful sync that asks for it', async () => {
    const q = make();
    await q.enqueue('ns/a');
    await q.handleBatch([fake.delivered(0)], async () => ({ requeueAfterMs: 3000 }), { deleteSucceeded: false });
    expect(fake.sent[1]).toMatchObject({ DelaySeconds: 3 });
  });

  it('backs off a failed key, reports it, and never drops its retry', async () => {
    const q = make();
    await q.enqueue('ns/a');
    const failing: WorkHandler = async () => {
      throw new Error('conflict');
    };
    const first = await q.handleBatch([fake.delivered(0, 1)], failing, { deleteSucceeded: false });
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    // Another add while the retry waits claims a fresh mark; the retry must still run.
    await q.enqueue('ns/a');
    await q.handleBatch([fake.delivered(0, 3)], failing, { deleteSucceeded: false });
    expect(fake.visibility.map((v) => v.seconds)).toEqual([5, 20]);
    await q.handleBatch([fake.delivered(0, 4)], ok, { deleteSucceeded: false });
    expect(calls).toEqual(['ns/a']);
  });

  it('releases the mark after a failed send so the next add sends', async () => {
    const q = make();
    fake.failSends = 1;
    await expect(q.enqueue('ns/a')).rejects.toThrow('SQS down');
    expect(await q.enqueue('ns/a')).toBe(true);
  });

  it('rethrows background add failures from flush', async () => {
    const q = make();
    fake.failSends = 2;
    q.add('ns/a');
    q.add('ns/b');
    await expect(q.flush()).rejects.toBeInstanceOf(AggregateError);
    await expect(q.flush()).resolves.toBeUndefined();
  });

  it('stops blocking adds once a lost message outlives its mark', async () => {
    const q = make({ markGraceMs: 1000 });
    await q.enqueue('ns/a');
    expect(await q.enqueue('ns/a')).toBe(false);
    now += 1001;
    expect(await q.enqueue('ns/a')).toBe(true);
  });

  it('reports malformed messages so the dead-letter queue takes them', async () => {
    const q = make();
    const junk: WorkMessage = { messageId: 'x', receiptHandle: 'r', body: 'hello', receiveCount: 1, remainingMs: 0 };
    expect((await q.handleBatch([junk], ok, { deleteSucceeded: false })).batchItemFailures).toEqual([
      { itemIdentifier: 'x' },
    ]);
  });

  it('handles a Lambda SQS event batch with partial failures', async () => {
    const q = make();
    for (const key of ['a', 'b', 'c']) await q.enqueue(key);
    const records = fake.sent.map((s, i) => ({
      messageId: `id-${i}`,
      receiptHandle: `rh-${i}`,
      body: s.MessageBody ?? '',
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {},
    }));
    const result = await q.handleBatch(
      records.map(fromLambdaRecord),
      async (key) => {
        if (key === 'b') throw new Error('no');
      },
      { deleteSucceeded: false },
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'id-1' }] });
  });

  it('neither adds nor receives after shutDown', async () => {
    const q = make();
    q.shutDown();
    q.add('ns/a');
    await q.flush();
    expect(fake.sent).toHaveLength(0);
    expect(await q.receive(ok)).toEqual({ received: 0, batchItemFailures: [] });
  });
});

const moto = await motoForTests();
afterAll(() => ('stop' in moto ? moto.stop() : undefined));

if ('skip' in moto) {
  console.warn(`skipping the SQS work queue tests: ${moto.skip}`);
  describe.skip(`SqsWorkQueue on moto (${moto.skip})`, () => {
    it('needs moto', () => {});
  });
} else {
  describe('SqsWorkQueue on moto', () => {
    const client = createSqsClient({ endpoint: moto.endpoint, ...TEST_AWS_SQS });
    afterAll(() => client.destroy());

    async function setup(maxReceiveCount = 5) {
      const addresses = await ensureWorkQueue(client, {
        name: uniqueName('skube-work'),
        maxReceiveCount,
        visibilityTimeoutSeconds: 30,
      });
      const queue = new SqsWorkQueue({
        client,
        queueUrl: addresses.queueUrl,
        marks: new InMemoryPendingMarks(),
        backoff: { baseSeconds: 1, maxSeconds: 1 },
      });
      return { ...addresses, queue };
    }

    /** Receives until `until()` holds or `ms` pass. */
    async function drain(queue: SqsWorkQueue, handler: WorkHandler, ms: number, until = async () => false) {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline && !(await until())) await queue.receive(handler, { waitSeconds: 1 });
    }

    async function visibleCount(queueUrl: string): Promise<number> {
      const out = await client.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      return Number(out.Attributes?.ApproximateNumberOfMessages);
    }

    it('delivers a delayed key no earlier than asked', async () => {
      const { queue } = await setup();
      const started = Date.now();
      await queue.enqueue('ns/late', 2000);
      await queue.enqueue('ns/now');
      const seen = new Map<string, number>();
      await drain(
        queue,
        async (key) => void seen.set(key, Date.now() - started),
        8000,
        async () => seen.size === 2,
      );
      expect(seen.get('ns/now')).toBeLessThan(2000);
      expect(seen.get('ns/late')).toBeGreaterThanOrEqual(2000);
    });

    it('re-sends a message that still owes delay and handles it once that has passed', async () => {
      const { queue, queueUrl } = await setup();
      // What the previous hop of a long delay leaves: due now, 1.5 s still owed in the attribute.
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify({ key: 'ns/chained', token: 'hop' }),
          MessageAttributes: { [REMAINING_ATTRIBUTE]: { DataType: 'Number', StringValue: '1500' } },
        }),
      );
      const started = Date.now();
      const seen: number[] = [];
      await drain(
        queue,
        async () => void seen.push(Date.now() - started),
        8000,
        async () => seen.length > 0,
      );
      expect(seen).toHaveLength(1);
      expect(seen[0]).toBeGreaterThanOrEqual(1500);
    });

    it('retries a failing key with backoff, then moves it to the dead-letter queue after N receives', async () => {
      const { queue, deadLetterQueueUrl } = await setup(3);
      await queue.enqueue('ns/poison');
      const attempts: number[] = [];
      await drain(
        queue,
        async () => {
          attempts.push(Date.now());
          throw new Error('always fails');
        },
        10_000,
        async () => attempts.length >= 3,
      );
      // SQS moves the message on the first receive after the last allowed one; no handler call may happen.
      await drain(
        queue,
        async () => void attempts.push(Date.now()),
        5000,
        async () => (await visibleCount(deadLetterQueueUrl)) > 0,
      );
      expect(attempts).toHaveLength(3);
      for (let i = 1; i < attempts.length; i++) expect(attempts[i] - attempts[i - 1]).toBeGreaterThanOrEqual(950);
      const dead = await client.send(new ReceiveMessageCommand({ QueueUrl: deadLetterQueueUrl, WaitTimeSeconds: 1 }));
      expect(dead.Messages?.map((m) => JSON.parse(m.Body ?? '{}').key)).toEqual(['ns/poison']);
    });

    it('delivers a key added ten times while pending once', async () => {
      const { queue, queueUrl } = await setup();
      for (let i = 0; i < 10; i++) queue.add('ns/busy');
      await queue.flush();
      expect(await visibleCount(queueUrl)).toBe(1);
      const calls: string[] = [];
      await drain(queue, async (key) => void calls.push(key), 2500);
      expect(calls).toEqual(['ns/busy']);
    });

    it('keeps only the failed messages of a partially failed batch', async () => {
      const { queue } = await setup();
      for (const key of ['a', 'b', 'c', 'd']) await queue.enqueue(key);
      const first: string[] = [];
      const result = await queue.receive(
        async (key) => {
          first.push(key);
          if (key === 'b' || key === 'd') throw new Error('fail');
        },
        { waitSeconds: 1 },
      );
      expect(result.received).toBe(4);
      expect(first.sort()).toEqual(['a', 'b', 'c', 'd']);
      expect(result.batchItemFailures).toHaveLength(2);
      const again: string[] = [];
      await drain(queue, async (key) => void again.push(key), 4000);
      expect(again.sort()).toEqual(['b', 'd']);
    });
  });
}
