/**
 * The SQS queues of the control plane: the controllers' work queue with its
 * dead-letter queue (the same shape `ensureWorkQueue` in
 * `functions/lib/sqs-queues.ts` creates on emulators), and the queue that
 * receives what the stream's event source mapping gives up on.
 */
import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** SQS's longest retention: what is dead-lettered waits as long as possible for someone to look. */
const MAX_RETENTION = Duration.days(14);

/** Settings of SkubeQueues. */
export interface SkubeQueuesProps {
  /** Queue name prefix: `<prefix>-work`, `<prefix>-work-dlq`, `<prefix>-stream-failures`. */
  namePrefix: string;
  /** The timeout of the function consuming the work queue; the queue's visibility timeout is six times it, as Lambda advises. */
  consumerTimeout: Duration;
  /** Deliveries of a work message before it is dead-lettered; default 10. */
  maxReceiveCount?: number;
}

/**
 * The work queue (standard, SSE-SQS, TLS only) redriving to its dead-letter
 * queue after `maxReceiveCount` deliveries, and the stream failure queue (the
 * on-failure destination of the log stream's mapping, which receives record
 * metadata, not the records). Construct IDs are stable: a new ID would orphan
 * the messages of the old queue.
 */
export class SkubeQueues extends Construct {
  /** The controllers' work keys (`<controller>:<key>`). */
  readonly work: Queue;
  /** Work messages whose sync kept failing. */
  readonly workDeadLetter: Queue;
  /** Where the log stream's mapping reports batches it gave up on (shard and sequence range). */
  readonly streamFailures: Queue;

  constructor(scope: Construct, id: string, props: SkubeQueuesProps) {
    super(scope, id);
    const common = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true };
    this.workDeadLetter = new Queue(this, 'WorkDeadLetterQueue', {
      ...common,
      queueName: `${props.namePrefix}-work-dlq`,
      retentionPeriod: MAX_RETENTION,
    });
    this.work = new Queue(this, 'WorkQueue', {
      ...common,
      queueName: `${props.namePrefix}-work`,
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.workDeadLetter, maxReceiveCount: props.maxReceiveCount ?? 10 },
    });
    this.streamFailures = new Queue(this, 'StreamFailureQueue', {
      ...common,
      queueName: `${props.namePrefix}-stream-failures`,
      retentionPeriod: MAX_RETENTION,
    });
  }
}
