/**
 * Small SQS helpers shared by the work queues and the node wake-up queues:
 * creating a queue with its dead-letter queue, reading a queue's ARN, and
 * deleting received messages in batches of ten.
 */
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** SQS's limit on entries per batch call. */
export const MAX_BATCH_ENTRIES = 10;

/** SQS's ceiling for a long poll, seconds. */
export const MAX_WAIT_SECONDS = 20;

/** Options of `ensureWorkQueue`. */
export interface WorkQueueSpec {
  /** Queue name (standard queue); the dead-letter queue is `<name>-dlq`. */
  name: string;
  /** Deliveries before SQS moves a message to the dead-letter queue (1–1000). */
  maxReceiveCount: number;
  /** Default invisibility of a received message, seconds; should exceed the slowest sync (Lambda: ≥ 6× its timeout). */
  visibilityTimeoutSeconds?: number;
}

/** URLs and ARNs of a work queue and its dead-letter queue. */
export interface WorkQueueAddresses {
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
}

/**
 * Creates (or finds) a standard queue with a dead-letter queue and a redrive
 * policy after `maxReceiveCount` deliveries. Idempotent while the attributes
 * are unchanged; SQS refuses (QueueAlreadyExists) a same-named queue with
 * different attributes. In AWS the CDK stack owns these queues; this is for
 * emulators, tests and `skube up` against an SQS endpoint.
 */
export async function ensureWorkQueue(client: SQSClient, spec: WorkQueueSpec): Promise<WorkQueueAddresses> {
  const dlq = await client.send(
    new CreateQueueCommand({ QueueName: `${spec.name}-dlq`, Attributes: { MessageRetentionPeriod: '1209600' } }),
  );
  const deadLetterQueueUrl = required(dlq.QueueUrl, 'QueueUrl');
  const deadLetterQueueArn = await queueArn(client, deadLetterQueueUrl);
  const attributes: Record<string, string> = {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount: spec.maxReceiveCount }),
  };
  if (spec.visibilityTimeoutSeconds !== undefined) attributes.VisibilityTimeout = String(spec.visibilityTimeoutSeconds);
  const main = await client.send(new CreateQueueCommand({ QueueName: spec.name, Attributes: attributes }));
  const queueUrl = required(main.QueueUrl, 'QueueUrl');
  return { queueUrl, queueArn: await queueArn(client, queueUrl), deadLetterQueueUrl, deadLetterQueueArn };
}

/** The ARN of the queue at `queueUrl`. Throws what GetQueueAttributes throws (QueueDoesNotExist). */
export async function queueArn(client: SQSClient, queueUrl: string): Promise<string> {
  const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  return required(out.Attributes?.QueueArn, 'QueueArn');
}

/**
 * Deletes received messages by receipt handle, ten per call. Returns how many
 * SQS refused; a refused delete only means the message comes back later, which
 * every consumer here tolerates.
 */
export async function deleteMessages(client: SQSClient, queueUrl: string, receiptHandles: string[]): Promise<number> {
  let failed = 0;
  for (const part of chunk(receiptHandles, MAX_BATCH_ENTRIES)) {
    const out = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: part.map((handle, i) => ({ Id: String(i), ReceiptHandle: handle })),
      }),
    );
    failed += out.Failed?.length ?? 0;
  }
  return failed;
}

/** Splits `items` into arrays of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `n` floored and clamped to [lo, hi]. */
export function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.floor(n)));
}

/** Runs `fn` over `items` with at most `limit` calls in flight; rejects with the first failure. */
export async function runLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

function required(value: string | undefined, what: string): string {
  if (!value) throw new Error(`SQS answered without ${what}`);
  return value;
}
