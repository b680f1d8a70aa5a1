/**
 * Real parts for the controller function tests: DynamoDB store tables and the
 * pending-marks table on DynamoDB Local, an SQS work queue (with its
 * dead-letter queue) on moto, and the `ControllerFunctionDeps` a handler is
 * built from over them.
 */
import { DeleteTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, it } from 'vitest';
import { silentLogger } from '../../../core/apiserver/types.ts';
import type { Registry } from '../../../core/registry/registry.ts';
import type { ControllerFunctionDeps } from '../../../functions/lib/controller-function.ts';
import { createRegistry } from '../../../functions/lib/cluster.ts';
import { CONTROLLER_FACTORIES, type ControllerFactory, createControllers } from '../../../functions/lib/controllers.ts';
import {
  createPendingMarksTable,
  DynamoPendingMarks,
  pendingMarksTableName,
} from '../../../functions/lib/dynamo-pending-marks.ts';
import { createSqsClient } from '../../../functions/lib/sqs-client.ts';
import { ensureWorkQueue } from '../../../functions/lib/sqs-queues.ts';
import { SqsWorkQueue } from '../../../functions/lib/sqs-work-queue.ts';
import { REMAINING_ATTRIBUTE } from '../../../functions/lib/work-message.ts';
import { tableNames } from '../../../core/storage/dynamodb/tables.ts';
import { type DynamoHarness, dynamoHarness } from '../../core/storage/dynamodb-harness.ts';
import { TEST_AWS } from '../../support/emulators.ts';
import { TEST_AWS_SQS, uniqueName } from '../../support/moto.ts';
import { type CapturedOutput, captureOutput, testObservability } from './observe.ts';

/** A store, a registry and a work queue for one test file. */
export interface ControllerEnv {
  harness: DynamoHarness;
  registry: Registry;
  sqs: SQSClient;
  queueUrl: string;
  queueName: string;
  /** Handler deps over the env, with `factories` (default: the registered controllers) and `queueUrl`. */
  deps(options?: { factories?: Record<string, ControllerFactory>; queueUrl?: string }): ControllerFunctionDeps;
  /** Every record on the log table's stream so far, in the shape a Lambda event source mapping delivers. */
  readLogStream(): Promise<DynamoDBRecord[]>;
  /** Receives until `count` messages arrived (or `waitMs` passed), as the event source mapping would. */
  receive(count: number, waitMs?: number): Promise<Message[]>;
  cleanup(): Promise<void>;
}

/** Creates fresh tables and a fresh queue; `cleanup` deletes the tables. */
export async function controllerEnv(dynamoEndpoint: string, sqsEndpoint: string): Promise<ControllerEnv> {
  const harness = await dynamoHarness(dynamoEndpoint);
  const registry = createRegistry(
    {
      region: 'us-east-1',
      tablePrefix: harness.prefix,
      serviceCidr: '10.96.0.0/24',
      nodePortRange: { min: 30000, max: 32767 },
      metricsNamespace: 'skube-test',
    },
    harness.store,
  );
  // The functions' marks table, as `createControllerAssembly` names it.
  const marksTable = pendingMarksTableName(harness.prefix);
  await createPendingMarksTable(harness.client, marksTable);
  const sqs = createSqsClient({ endpoint: sqsEndpoint, ...TEST_AWS_SQS });
  const queueName = uniqueName('skube-work');
  const { queueUrl } = await ensureWorkQueue(sqs, {
    name: queueName,
    maxReceiveCount: 5,
    visibilityTimeoutSeconds: 30,
  });
  return {
    harness,
    registry,
    sqs,
    queueUrl,
    queueName,
    deps: (options = {}) => ({
      controllers: createControllers(
        { store: harness.store, registry, logger: silentLogger, now: () => new Date() },
        options.factories ?? CONTROLLER_FACTORIES,
      ),
      workQueue: () =>
        new SqsWorkQueue({
          client: sqs,
          queueUrl: options.queueUrl ?? queueUrl,
          marks: new DynamoPendingMarks({ client: harness.client, tableName: marksTable, scope: queueName }),
          backoff: { baseSeconds: 1, maxSeconds: 1 },
        }),
      obs: testObservability('skube-controller-test'),
    }),
    readLogStream: () => readStream(dynamoEndpoint, tableNames(harness.prefix).log),
    async receive(count, waitMs = 5_000) {
      const out: Message[] = [];
      const deadline = Date.now() + waitMs;
      while (out.length < count && Date.now() < deadline) {
        const r = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: [REMAINING_ATTRIBUTE],
          }),
        );
        out.push(...(r.Messages ?? []));
      }
      return out;
    },
    async cleanup() {
      sqs.destroy();
      await harness.client.send(new DeleteTableCommand({ TableName: marksTable })).catch(() => {});
      await harness.cleanup();
    },
  };
}

/** Reads every shard of `table`'s stream from TRIM_HORIZON to its current end. */
async function readStream(endpoint: string, table: string): Promise<DynamoDBRecord[]> {
  const dynamodb = new DynamoDBClient({ endpoint, ...TEST_AWS });
  const streams = new DynamoDBStreamsClient({ endpoint, ...TEST_AWS });
  try {
    const streamArn = (await dynamodb.send(new DescribeTableCommand({ TableName: table }))).Table?.LatestStreamArn;
    if (!streamArn) throw new Error(`table ${table} has no stream`);
    const shards = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards;
    const out: DynamoDBRecord[] = [];
    for (const shard of shards ?? []) {
      let iterator = (
        await streams.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: shard.ShardId,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        )
      ).ShardIterator;
      while (iterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        for (const r of page.Records ?? []) {
          out.push({
            eventID: r.eventID,
            eventName: r.eventName,
            eventVersion: r.eventVersion,
            eventSource: r.eventSource,
            awsRegion: r.awsRegion,
            dynamodb: {
              ...(r.dynamodb as unknown as DynamoDBRecord['dynamodb']),
              ApproximateCreationDateTime: Math.floor((r.dynamodb?.ApproximateCreationDateTime?.getTime() ?? 0) / 1000),
            },
            eventSourceARN: streamArn,
          });
        }
        // An open shard answers an empty page at its end; a closed one ends the iterator.
        if (!page.Records?.length) break;
        iterator = page.NextShardIterator;
      }
    }
    return out;
  } finally {
    dynamodb.destroy();
    streams.destroy();
  }
}

/**
 * Declares a suite that needs DynamoDB Local and moto: skipped with the
 * install hint when either is missing (the emulator helpers already fail under
 * CI=true), otherwise given a fresh controller environment and captured
 * Powertools output per test through `t.env` and `t.output`.
 */
export function describeWithControllerEnv(
  name: string,
  dynamo: { endpoint: string } | { skip: string },
  moto: { endpoint: string } | { skip: string },
  body: (t: { readonly env: ControllerEnv; readonly output: CapturedOutput }) => void,
): void {
  if ('skip' in dynamo || 'skip' in moto) {
    const why = 'skip' in dynamo ? dynamo.skip : 'skip' in moto ? moto.skip : '';
    console.warn(`skipping the ${name} tests: ${why}`);
    describe.skip(`${name} (${why})`, () => {
      it('needs DynamoDB and SQS emulators', () => {});
    });
    return;
  }
  const { endpoint: dynamoEndpoint } = dynamo;
  const { endpoint: motoEndpoint } = moto;
  describe(name, () => {
    const t = {} as { env: ControllerEnv; output: CapturedOutput };
    // Fresh tables and queue per test: failed messages come back to their queue after the backoff.
    beforeEach(async () => {
      t.env = await controllerEnv(dynamoEndpoint, motoEndpoint);
      t.output = captureOutput();
    });
    afterEach(async () => {
      t.output.restore();
      await t.env.cleanup();
    });
    body(t);
  });
}
