/**
 * Per-node wake-up queues. Node agents in AWS hold no watch open: the
 * dispatcher drops a doorbell (`core/controllers/dispatcher/plan.ts`) on the
 * queue of every node a change concerns, and the agent long-polls its own
 * queue, then re-reads what the doorbell names through the API.
 *
 * Doorbells are hints, not a log: an agent resyncs fully when it starts and
 * periodically, so a lost or late doorbell only delays it. That is why the
 * agent creates its own queue (`ensureQueue` at registration), the dispatcher
 * skips nodes that have none instead of creating queues for names it merely
 * saw, messages expire after an hour, and `poll` deletes what it returns.
 */
import { createHash } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type Logger, silentLogger } from '../../core/apiserver/types.ts';
import { type Doorbell, parseDoorbell, type WakeupPlan } from '../../core/controllers/dispatcher/plan.ts';
import { chunk, clamp, deleteMessages, MAX_BATCH_ENTRIES, MAX_WAIT_SECONDS } from './sqs-queues.ts';

/** The default prefix of node queue names. */
export const NODE_QUEUE_PREFIX = 'skube-node-';

const MAX_QUEUE_NAME = 80;
const QUEUE_NAME_CHARS = /^[A-Za-z0-9_-]+$/;

/**
 * The queue name of a node: `<prefix><nodeName>` when that is a valid SQS
 * name (letters, digits, `-`, `_`; at most 80 characters). Otherwise the
 * other characters (such as the dots of `ip-10-0-1-5.ec2.internal`) become
 * `-`, the name is shortened to fit, and 8 hex digits of the node name's
 * SHA-256 are appended, so distinct nodes keep distinct queues. Deterministic.
 */
export function nodeQueueName(nodeName: string, prefix = NODE_QUEUE_PREFIX): string {
  const plain = prefix + nodeName;
  if (QUEUE_NAME_CHARS.test(nodeName) && plain.length <= MAX_QUEUE_NAME) return plain;
  const hash = createHash('sha256').update(nodeName).digest('hex').slice(0, 8);
  const room = MAX_QUEUE_NAME - prefix.length - hash.length - 1;
  return `${prefix}${nodeName.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, room)}-${hash}`;
}

/** Settings of NodeQueues. */
export interface NodeQueuesOptions {
  client: SQSClient;
  prefix?: string;
  /** How long an unread doorbell is kept, seconds (60–1209600); default 3600. */
  retentionSeconds?: number;
  logger?: Logger;
}

/** What `wake` did. */
export interface WakeResult {
  /** Messages SQS accepted. */
  sent: number;
  /** Nodes without a queue (no agent registered yet, or deleted); their doorbells were dropped. */
  missingNodes: string[];
}

/** The dispatcher's side of the node queues: create, look up, delete, and ring. */
export class NodeQueues {
  private readonly urls = new Map<string, string>();
  private readonly prefix: string;
  private readonly logger: Logger;

  constructor(private readonly opts: NodeQueuesOptions) {
    this.prefix = opts.prefix ?? NODE_QUEUE_PREFIX;
    this.logger = opts.logger ?? silentLogger;
  }

  /** Creates the node's queue if needed and returns its URL. Idempotent; throws what CreateQueue throws. */
  async ensureQueue(nodeName: string): Promise<string> {
    const out = await this.opts.client.send(
      new CreateQueueCommand({
        QueueName: nodeQueueName(nodeName, this.prefix),
        Attributes: {
          MessageRetentionPeriod: String(this.opts.retentionSeconds ?? 3600),
          ReceiveMessageWaitTimeSeconds: String(MAX_WAIT_SECONDS),
        },
      }),
    );
    if (!out.QueueUrl) throw new Error(`SQS created no queue for node ${nodeName}`);
    this.urls.set(nodeName, out.QueueUrl);
    return out.QueueUrl;
  }

  /** The node's queue URL, or undefined when it has no queue. Found URLs are cached. */
  async lookupQueue(nodeName: string): Promise<string | undefined> {
    const cached = this.urls.get(nodeName);
    if (cached) return cached;
    try {
      const out = await this.opts.client.send(
        new GetQueueUrlCommand({ QueueName: nodeQueueName(nodeName, this.prefix) }),
      );
      if (out.QueueUrl) this.urls.set(nodeName, out.QueueUrl);
      return out.QueueUrl;
    } catch (e) {
      if (isMissingQueue(e)) return undefined;
      throw e;
    }
  }

  /** Deletes the node's queue (node deleted). Idempotent. */
  async deleteQueue(nodeName: string): Promise<void> {
    const url = await this.lookupQueue(nodeName);
    this.urls.delete(nodeName);
    if (!url) return;
    await this.opts.client.send(new DeleteQueueCommand({ QueueUrl: url })).catch((e) => {
      if (!isMissingQueue(e)) throw e;
    });
  }

  /**
   * Sends the plans' doorbells to their nodes, ten per SendMessageBatch. Per
   * node, doorbells for the same object collapse into the latest revision.
   * Nodes without a queue are skipped and reported. Entries SQS refuses are
   * retried once; throws when some still fail (the stream batch is then
   * retried, and ringing twice is harmless).
   */
  async wake(plans: readonly WakeupPlan[]): Promise<WakeResult> {
    const perNode = new Map<string, Map<string, Doorbell>>();
    for (const { nodes, doorbell } of plans) {
      for (const node of nodes) {
        const bells = perNode.get(node) ?? new Map<string, Doorbell>();
        const id = `${doorbell.resource}/${doorbell.namespace}/${doorbell.name}`;
        const prev = bells.get(id);
        if (!prev || prev.revision < doorbell.revision) bells.set(id, doorbell);
        perNode.set(node, bells);
      }
    }
    const result: WakeResult = { sent: 0, missingNodes: [] };
    for (const [node, bells] of perNode) {
      const url = await this.lookupQueue(node);
      if (!url) {
        result.missingNodes.push(node);
        continue;
      }
      try {
        for (const part of chunk([...bells.values()], MAX_BATCH_ENTRIES))
          result.sent += await this.sendBatch(url, part);
      } catch (e) {
        if (!isMissingQueue(e)) throw e;
        this.urls.delete(node);
        result.missingNodes.push(node);
      }
    }
    if (result.missingNodes.length) this.logger.debug({ nodes: result.missingNodes }, 'nodes without a wake-up queue');
    return result;
  }

  private async sendBatch(queueUrl: string, bells: Doorbell[]): Promise<number> {
    let entries = bells.map((b, i) => ({ Id: String(i), MessageBody: JSON.stringify(b) }));
    let sent = 0;
    for (let attempt = 0; attempt < 2 && entries.length > 0; attempt++) {
      const out = await this.opts.client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      sent += out.Successful?.length ?? 0;
      const failed = new Set((out.Failed ?? []).map((f) => f.Id));
      entries = entries.filter((e) => failed.has(e.Id));
    }
    if (entries.length > 0) throw new Error(`SQS refused ${entries.length} wake-up(s) for ${queueUrl}`);
    return sent;
  }
}

/** The agent's side: long-polls one node's queue for doorbells. */
export class NodeWakeupClient {
  constructor(private readonly opts: { client: SQSClient; queueUrl: string; logger?: Logger }) {}

  /**
   * Waits up to `waitSeconds` (clamped to 0–20, SQS's long-poll ceiling) for
   * doorbells and returns at most ten, deleting them from the queue first
   * (malformed ones are deleted and skipped). Empty when none came. Throws
   * what ReceiveMessage throws, including an abort through `abortSignal`.
   */
  async poll(waitSeconds: number, options: { abortSignal?: AbortSignal } = {}): Promise<Doorbell[]> {
    const out = await this.opts.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.opts.queueUrl,
        MaxNumberOfMessages: MAX_BATCH_ENTRIES,
        WaitTimeSeconds: clamp(waitSeconds, 0, MAX_WAIT_SECONDS),
      }),
      { abortSignal: options.abortSignal },
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) return [];
    await deleteMessages(
      this.opts.client,
      this.opts.queueUrl,
      messages.map((m) => m.ReceiptHandle ?? ''),
    );
    const bells: Doorbell[] = [];
    for (const m of messages) {
      const bell = parseDoorbell(safeJson(m.Body ?? ''));
      if (bell) bells.push(bell);
      else this.opts.logger?.warn({ messageId: m.MessageId }, 'malformed wake-up message dropped');
    }
    return bells;
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function isMissingQueue(e: unknown): boolean {
  const name = (e as { name?: string }).name ?? '';
  return name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue';
}
