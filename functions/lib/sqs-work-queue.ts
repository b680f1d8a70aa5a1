/**
 * The WorkQueue of the AWS control loops, on a standard SQS queue, with its
 * consumer side (a Lambda SQS event batch, or a ReceiveMessage loop).
 *
 * Why a standard queue plus pending marks, not FIFO: a FIFO queue could
 * deduplicate with `MessageDeduplicationId = key + time bucket` and serialize
 * a key with `MessageGroupId = key`, but (1) FIFO has no per-message
 * `DelaySeconds`, only a queue-wide delay, and delayed requeue
 * (`requeueAfter`, backoff) is the point of this queue; (2) its dedup window
 * is a fixed 5 minutes that outlives the message, so a key added again right
 * after it was processed would be dropped, where a work queue must process it
 * again; (3) a failing key blocks its group until the DLQ takes it. Instead
 * `add` claims a `PendingMarks` entry (DynamoDB in production) and sends only
 * when it wins: one message per pending key, an earlier add replacing a
 * later one. The consumer releases the mark before calling the handler, so
 * an add during processing queues the key again.
 *
 * Guarantees: at-least-once per add, never earlier than asked (delays round
 * up to whole seconds; more than 900 s is chained through hops carrying the
 * remaining delay in a message attribute). Not guaranteed: a single sync per
 * key at a time across consumers (reconcilers are idempotent and write with
 * preconditions), nor the absence of an extra sync when a replaced message
 * arrives after the mark that replaced it was processed.
 */
import { randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type Logger, silentLogger } from '../../core/apiserver/types.ts';
import type { SyncResult } from '../../core/controllers/runtime/controller.ts';
import type { WorkQueue } from '../../core/controllers/runtime/work-queue.ts';
import type { PendingMark, PendingMarks } from './pending-marks.ts';
import { clamp, deleteMessages, MAX_BATCH_ENTRIES, MAX_WAIT_SECONDS, runLimited } from './sqs-queues.ts';
import {
  type BackoffOptions,
  type BatchResult,
  decodeWorkBody,
  encodeWorkBody,
  fromSqsMessage,
  nextHop,
  REMAINING_ATTRIBUTE,
  retryBackoffSeconds,
  type WorkBody,
  type WorkMessage,
} from './work-message.ts';

/** Reconciles one key; throws to retry with backoff; may ask to look again later. */
export type WorkHandler = (key: string) => Promise<SyncResult | undefined> | Promise<void>;

/** Dependencies and settings of an SqsWorkQueue. */
export interface SqsWorkQueueOptions {
  client: SQSClient;
  queueUrl: string;
  marks: PendingMarks;
  /** Epoch ms; injected so tests drive time. */
  now?: () => number;
  logger?: Logger;
  /** Invisibility after failures; default 5 s doubling to 300 s. */
  backoff?: BackoffOptions;
  /** How long after its due time a mark still blocks adds (bounds a lost message's hold); default 15 min. */
  markGraceMs?: number;
  /** Keys handled at once within one batch; default 10. */
  concurrency?: number;
  newToken?: () => string;
}

/** Options of one `receive` call. */
export interface ReceiveOptions {
  /** Long-poll wait, 0–20 s; default 0. */
  waitSeconds?: number;
  /** 1–10; default 10. */
  maxMessages?: number;
  abortSignal?: AbortSignal;
}

/** A WorkQueue over SQS: producer (`add`, `enqueue`, `flush`) and consumer (`receive`, `handleBatch`). */
export class SqsWorkQueue implements WorkQueue {
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly backoff: BackoffOptions;
  private readonly inflight = new Set<Promise<void>>();
  private errors: unknown[] = [];
  private stopped = false;

  constructor(private readonly opts: SqsWorkQueueOptions) {
    this.now = opts.now ?? Date.now;
    this.logger = opts.logger ?? silentLogger;
    this.backoff = opts.backoff ?? { baseSeconds: 5, maxSeconds: 300 };
  }

  /** Queues `key` in the background (see `enqueue`); failures are logged and rethrown by the next `flush`. */
  add(key: string, delayMs = 0): void {
    if (this.stopped) return;
    const p = this.enqueue(key, delayMs).then(
      () => {},
      (e) => {
        this.errors.push(e);
        this.logger.error({ key, err: (e as Error).message }, 'work queue add failed');
      },
    );
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /**
   * Queues `key` after `delayMs`: claims the key's pending mark and sends one
   * message. Resolves false without sending when a message already pending
   * covers the key no later (deduplication). Throws what SQS or the marks
   * throw; after a failed send the mark is released so a retry can claim it.
   */
  async enqueue(key: string, delayMs = 0): Promise<boolean> {
    const now = this.now();
    const delay = Math.max(0, delayMs);
    const mark: PendingMark = {
      token: this.opts.newToken?.() ?? randomUUID(),
      dueAt: now + delay,
      expiresAt: now + delay + (this.opts.markGraceMs ?? 15 * 60_000),
    };
    if (!(await this.opts.marks.claim(key, mark, now))) return false;
    try {
      await this.send({ key, token: mark.token }, delay);
    } catch (e) {
      await this.opts.marks.release(key, mark.token).catch(() => {});
      throw e;
    }
    return true;
  }

  /** Waits for every background `add`; throws the failures since the last flush (AggregateError when several). */
  async flush(): Promise<void> {
    await this.settle();
    const errors = this.errors.splice(0);
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} work queue adds failed`);
  }

  private async settle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  /** Stops adding and receiving. Messages already in SQS stay there for the next consumer (the queue is durable). */
  shutDown(): void {
    this.stopped = true;
  }

  /**
   * Receives one batch (long-polling up to `waitSeconds`), handles it as
   * `handleBatch` does and deletes what succeeded. Returns how many messages
   * arrived and which failed. Throws when ReceiveMessage fails or is aborted.
   */
  async receive(handler: WorkHandler, options: ReceiveOptions = {}): Promise<BatchResult & { received: number }> {
    if (this.stopped) return { received: 0, batchItemFailures: [] };
    const out = await this.opts.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.opts.queueUrl,
        MaxNumberOfMessages: clamp(options.maxMessages ?? MAX_BATCH_ENTRIES, 1, MAX_BATCH_ENTRIES),
        WaitTimeSeconds: clamp(options.waitSeconds ?? 0, 0, MAX_WAIT_SECONDS),
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        MessageAttributeNames: [REMAINING_ATTRIBUTE],
      }),
      { abortSignal: options.abortSignal },
    );
    const messages = (out.Messages ?? []).map(fromSqsMessage);
    const result = await this.handleBatch(messages, handler, { deleteSucceeded: true });
    return { received: messages.length, ...result };
  }

  /**
   * Handles received messages with partial-failure semantics and returns the
   * failed messageIds (Lambda's `batchItemFailures`). Per key: a message on
   * its first delivery that another pending mark already covers is dropped;
   * a message still owing delay is re-sent as the next hop; the rest release
   * their mark and the handler runs once for the key. A failed key's messages
   * become invisible for the backoff and are reported; SQS moves them to the
   * dead-letter queue after `maxReceiveCount` deliveries. Malformed bodies are
   * reported so they end in the dead-letter queue. With `deleteSucceeded` the
   * rest are deleted here; a Lambda event source mapping deletes them itself.
   */
  async handleBatch(
    messages: readonly WorkMessage[],
    handler: WorkHandler,
    options: { deleteSucceeded: boolean },
  ): Promise<BatchResult> {
    const failed: WorkMessage[] = [];
    const done: WorkMessage[] = [];
    const byKey = new Map<string, { message: WorkMessage; body: WorkBody }[]>();
    for (const message of messages) {
      const body = decodeWorkBody(message.body);
      if (!body) {
        this.logger.warn({ messageId: message.messageId }, 'work queue message is not a work body');
        failed.push(message);
        continue;
      }
      const group = byKey.get(body.key) ?? [];
      group.push({ message, body });
      byKey.set(body.key, group);
    }
    await runLimited([...byKey], this.opts.concurrency ?? 10, async ([key, items]) => {
      const outcome = await this.handleKey(key, items, handler).catch((e) => {
        this.logger.error({ key, err: (e as Error).message }, 'work queue bookkeeping failed');
        return { done: [], failed: items.map((i) => i.message) };
      });
      done.push(...outcome.done);
      failed.push(...outcome.failed);
    });
    // Adds the handlers made must reach SQS before a Lambda returns; their errors stay for `flush`.
    await this.settle();
    if (options.deleteSucceeded && done.length > 0) {
      const refused = await deleteMessages(
        this.opts.client,
        this.opts.queueUrl,
        done.map((m) => m.receiptHandle),
      );
      if (refused > 0) this.logger.warn({ refused }, 'work queue deletes refused; those messages will return');
    }
    return { batchItemFailures: failed.map((m) => ({ itemIdentifier: m.messageId })) };
  }

  private async handleKey(
    key: string,
    items: { message: WorkMessage; body: WorkBody }[],
    handler: WorkHandler,
  ): Promise<{ done: WorkMessage[]; failed: WorkMessage[] }> {
    const done: WorkMessage[] = [];
    const failed: WorkMessage[] = [];
    const now = this.now();
    const mark = await this.opts.marks.get(key, now);
    const live: { message: WorkMessage; body: WorkBody }[] = [];
    for (const item of items) {
      const { message, body } = item;
      // A retry is never dropped: it carries the failure count the DLQ needs.
      const superseded =
        message.receiveCount <= 1 && mark && mark.token !== body.token && mark.dueAt <= now + message.remainingMs;
      if (superseded) {
        done.push(message);
      } else if (message.remainingMs > 0) {
        await this.send(body, message.remainingMs).then(
          () => done.push(message),
          () => failed.push(message),
        );
      } else {
        live.push(item);
      }
    }
    if (live.length === 0) return { done, failed };
    for (const { body } of live) await this.opts.marks.release(key, body.token);
    const started = this.now();
    try {
      const result = (await handler(key)) as SyncResult | undefined;
      if (result?.requeueAfterMs) await this.enqueue(key, result.requeueAfterMs);
      done.push(...live.map((i) => i.message));
      this.logger.debug({ key, ms: this.now() - started }, 'work queue sync');
    } catch (e) {
      const receiveCount = Math.max(...live.map((i) => i.message.receiveCount));
      const seconds = retryBackoffSeconds(receiveCount, this.backoff);
      this.logger.warn(
        { key, receiveCount, retrySeconds: seconds, err: (e as Error).message },
        'work queue sync failed',
      );
      for (const { message } of live) {
        await this.opts.client
          .send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: this.opts.queueUrl,
              ReceiptHandle: message.receiptHandle,
              VisibilityTimeout: seconds,
            }),
          )
          .catch((err) => this.logger.warn({ key, err: (err as Error).message }, 'visibility change failed'));
        failed.push(message);
      }
    }
    return { done, failed };
  }

  private async send(body: WorkBody, delayMs: number): Promise<void> {
    const hop = nextHop(delayMs);
    await this.opts.client.send(
      new SendMessageCommand({
        QueueUrl: this.opts.queueUrl,
        MessageBody: encodeWorkBody(body),
        DelaySeconds: hop.delaySeconds,
        ...(hop.remainingMs > 0
          ? {
              MessageAttributes: {
                [REMAINING_ATTRIBUTE]: { DataType: 'Number', StringValue: String(hop.remainingMs) },
              },
            }
          : {}),
      }),
    );
  }
}
