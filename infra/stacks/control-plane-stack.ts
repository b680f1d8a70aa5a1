/**
 * The one stack of skube's AWS control plane: the store's tables, the work
 * queues, the five functions (API server, stream consumer and node
 * dispatcher, work queue consumer, resync, scheduler) and their triggers, the
 * REST API, the admin token, and the node agents' role. Environment-agnostic: synthesizes without AWS
 * credentials or lookups.
 */
import { Arn, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { EndpointType, LambdaRestApi } from 'aws-cdk-lib/aws-apigateway';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { parseCidr } from '../../core/registry/allocators.ts';
import { ATTR } from '../../core/storage/dynamodb/tables.ts';
import { NODE_QUEUE_PREFIX } from '../../functions/lib/node-queues.ts';
import { AdminToken } from '../constructs/admin-token.ts';
import { AgentRole } from '../constructs/agent-role.ts';
import { SkubeQueues } from '../constructs/queues.ts';
import { SkubeFunction } from '../constructs/skube-function.ts';
import { SkubeTables } from '../constructs/tables.ts';

/** The media type of Kubernetes protobuf bodies. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** API Gateway REST cuts a buffered integration at 29 s; watches are long-polls answered before it. */
export const API_INTEGRATION_TIMEOUT = Duration.seconds(29);

/** Settings of the control plane. */
export interface ControlPlaneStackProps extends StackProps {
  /** Names this deployment: tables `skube-<stage>-objects`, queues `skube-<stage>-work`, the API stage. Lower-case letters, digits, `-`. */
  stage: string;
  /** The ClusterIP range Services are allocated from (`SKUBE_SERVICE_CIDR`), such as `10.96.0.0/12`. */
  serviceCidr: string;
  /** The NodePort range (`SKUBE_NODE_PORT_RANGE`); default `30000-32767`. */
  nodePortRange?: string;
  /** The prefix of node wake-up queue names; default `NODE_QUEUE_PREFIX` (`skube-node-`). */
  nodeQueuePrefix?: string;
  /** See `AdminTokenProps.generation`. */
  adminTokenGeneration?: string;
}

/**
 * skube's control plane in one stack. Throws at synthesis when `stage`,
 * `serviceCidr` or `nodePortRange` is malformed, so a bad value never reaches
 * a function's cold start. Each function is granted only what it uses: the
 * API server the tables; the stream consumer the log stream and table (read)
 * and sending work; the queue consumer the tables and the work queue; the
 * scheduler the tables (bindings, statuses, events); the
 * resync reading the tables and sending work; the three controller
 * functions the pending-marks table; the stream consumer also reading the
 * objects (nodes) and managing and ringing the node queues.
 */
export class ControlPlaneStack extends Stack {
  readonly tables: SkubeTables;
  readonly queues: SkubeQueues;
  readonly adminToken: AdminToken;
  readonly apiserver: SkubeFunction;
  readonly streamConsumer: SkubeFunction;
  readonly controllerQueue: SkubeFunction;
  readonly resync: SkubeFunction;
  readonly scheduler: SkubeFunction;
  readonly api: LambdaRestApi;
  readonly agent: AgentRole;

  constructor(scope: Construct, id: string, props: ControlPlaneStackProps) {
    super(scope, id, { description: `skube control plane (${props.stage})`, ...props });
    const nodePortRange = props.nodePortRange ?? '30000-32767';
    validate(props.stage, props.serviceCidr, nodePortRange);
    const prefix = `skube-${props.stage}`;
    const controllerTimeout = Duration.seconds(60);

    this.tables = new SkubeTables(this, 'Tables', { tablePrefix: prefix });
    this.queues = new SkubeQueues(this, 'Queues', { namePrefix: prefix, consumerTimeout: controllerTimeout });
    this.adminToken = new AdminToken(this, 'AdminToken', { generation: props.adminTokenGeneration });

    // The variable names are those `functions/lib/config.ts` parses; AWS_REGION comes from Lambda itself.
    const common = {
      SKUBE_TABLE_PREFIX: prefix,
      SKUBE_SERVICE_CIDR: props.serviceCidr,
      SKUBE_NODE_PORT_RANGE: nodePortRange,
      SKUBE_METRICS_NAMESPACE: 'skube',
    };
    const nodeQueuePrefix = props.nodeQueuePrefix ?? NODE_QUEUE_PREFIX;
    const controllers = {
      ...common,
      SKUBE_WORK_QUEUE_URL: this.queues.work.queueUrl,
      SKUBE_NODE_QUEUE_PREFIX: nodeQueuePrefix,
    };

    this.apiserver = new SkubeFunction(this, 'Apiserver', {
      entry: 'functions/apiserver.ts',
      description: 'skube API server (kube-apiserver behind API Gateway)',
      timeout: API_INTEGRATION_TIMEOUT,
      environment: {
        ...common,
        SKUBE_ADMIN_TOKEN_SHA256: this.adminToken.sha256,
        // Below the integration timeout, leaving the function time to answer.
        SKUBE_WATCH_CAP_SECONDS: '25',
      },
    });
    this.streamConsumer = new SkubeFunction(this, 'StreamConsumer', {
      entry: 'functions/stream-consumer.ts',
      description: 'skube watch: log table stream records to controller work keys and node wake-ups',
      timeout: controllerTimeout,
      environment: controllers,
    });
    this.controllerQueue = new SkubeFunction(this, 'ControllerQueue', {
      entry: 'functions/controller-queue.ts',
      description: 'skube controllers: syncs the keys of the work queue',
      timeout: controllerTimeout,
      environment: controllers,
    });
    this.resync = new SkubeFunction(this, 'Resync', {
      entry: 'functions/resync.ts',
      description: 'skube controllers: queues every owned key on a schedule',
      timeout: Duration.seconds(120),
      environment: controllers,
    });

    this.scheduler = new SkubeFunction(this, 'Scheduler', {
      entry: 'functions/scheduler.ts',
      description: 'skube scheduler: binds pending pods rung by the log stream',
      // Below the 2-minute grace of an allocation record's in-flight reservations (core/registry/node-allocation.ts).
      timeout: controllerTimeout,
      environment: common,
    });

    this.tables.objects.grantReadWriteData(this.apiserver);
    this.tables.log.grantReadWriteData(this.apiserver);
    // Decoding a record may read a previous body kept in an overflow row of the log.
    this.tables.log.grantReadData(this.streamConsumer);
    this.queues.work.grantSendMessages(this.streamConsumer);
    this.tables.objects.grantReadWriteData(this.controllerQueue);
    this.tables.log.grantReadWriteData(this.controllerQueue);
    this.queues.work.grantConsumeMessages(this.controllerQueue);
    this.queues.work.grantSendMessages(this.controllerQueue);
    this.tables.objects.grantReadData(this.resync);
    this.tables.log.grantReadData(this.resync);
    this.queues.work.grantSendMessages(this.resync);
    // Every function that queues or consumes work keys shares their pending marks.
    for (const fn of [this.streamConsumer, this.controllerQueue, this.resync]) this.tables.marks.grantReadWriteData(fn);

    this.streamConsumer.addEventSource(
      new DynamoEventSource(this.tables.log, {
        // LATEST could miss the changes made while the mapping is being created.
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        // Records are doorbells and the resync is the safety net: give up within the hour rather than block a shard for a day.
        retryAttempts: 5,
        maxRecordAge: Duration.hours(1),
        onFailure: new SqsDlq(this.queues.streamFailures),
        // Removals (TTL expiry, compaction) are never changes; skipping them saves an invocation per expired row.
        filters: [FilterCriteria.filter({ eventName: FilterRule.or('INSERT', 'MODIFY') })],
      }),
    );
    // Bindings, FailedScheduling statuses and Events write both tables; catching up reads the log.
    this.tables.objects.grantReadWriteData(this.scheduler);
    this.tables.log.grantReadWriteData(this.scheduler);
    this.scheduler.addEventSource(
      new DynamoEventSource(this.tables.log, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 5,
        maxRecordAge: Duration.hours(1),
        onFailure: new SqsDlq(this.queues.streamFailures),
        // Pods and nodes only. "Pods without spec.nodeName" cannot be a filter: the object is an opaque JSON
        // string attribute of the log row, so bound pods still ring (and change nothing).
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.or('INSERT', 'MODIFY'),
            dynamodb: { Keys: { [ATTR.pk]: { S: FilterRule.or('pods', 'nodes') } } },
          }),
        ],
      }),
    );
    // The node dispatcher inside the stream consumer: it lists nodes (for Service and Endpoints changes) and
    // manages and rings the node queues.
    this.tables.objects.grantReadData(this.streamConsumer);
    this.streamConsumer.addToRolePolicy(
      new PolicyStatement({
        sid: 'NodeWakeupQueues',
        actions: ['sqs:CreateQueue', 'sqs:GetQueueUrl', 'sqs:SendMessage', 'sqs:DeleteQueue'],
        resources: [Arn.format({ service: 'sqs', resource: `${nodeQueuePrefix}*` }, this)],
      }),
    );
    this.controllerQueue.addEventSource(
      new SqsEventSource(this.queues.work, {
        batchSize: 10,
        reportBatchItemFailures: true,
        // Writes of one resource type serialize on its head item; more concurrent syncs would only contend.
        maxConcurrency: 10,
      }),
    );
    new Rule(this, 'ResyncSchedule', {
      description: 'skube: the controllers’ periodic resync',
      schedule: Schedule.rate(Duration.minutes(5)),
      // A resync older than the next one is worthless.
      targets: [new LambdaFunction(this.resync, { retryAttempts: 2, maxEventAge: Duration.minutes(5) })],
    });

    this.api = new LambdaRestApi(this, 'Api', {
      handler: this.apiserver,
      proxy: true,
      restApiName: prefix,
      description: 'skube Kubernetes API',
      endpointTypes: [EndpointType.REGIONAL],
      // The protobuf type explicitly, and every type because API Gateway decodes a base64 result only when the
      // request's Accept matches the list; the API server's adapter accepts either body encoding.
      binaryMediaTypes: [PROTOBUF_MEDIA_TYPE, '*/*'],
      integrationOptions: { timeout: API_INTEGRATION_TIMEOUT, allowTestInvoke: false },
      cloudWatchRole: false,
      deployOptions: { stageName: props.stage, throttlingRateLimit: 100, throttlingBurstLimit: 200 },
    });

    this.agent = new AgentRole(this, 'Agent', {
      api: this.api,
      nodeQueuePrefix,
    });

    const outputs: Record<string, [string, string]> = {
      ApiUrl: [this.api.url, 'The Kubernetes API server URL (kubeconfig `server`)'],
      ObjectsTableName: [this.tables.objects.tableName, 'DynamoDB table of the objects'],
      LogTableName: [this.tables.log.tableName, 'DynamoDB table of revisions (its stream drives the controllers)'],
      WorkQueueUrl: [this.queues.work.queueUrl, 'SQS work queue of the controllers'],
      WorkDeadLetterQueueUrl: [this.queues.workDeadLetter.queueUrl, 'Work keys whose sync kept failing'],
      StreamFailureQueueUrl: [this.queues.streamFailures.queueUrl, 'Stream batches the watch gave up on'],
      AgentInstanceProfileArn: [this.agent.instanceProfile.instanceProfileArn, 'Instance profile for node hosts'],
      AdminTokenSecretArn: [this.adminToken.secret.secretArn, 'Secrets Manager secret holding the admin token'],
    };
    for (const [outputId, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, outputId, { value, description });
    }
  }
}

function validate(stage: string, serviceCidr: string, nodePortRange: string): void {
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
    throw new Error(`stage "${stage}" must be 1-20 lower-case letters, digits or "-", starting with a letter`);
  }
  parseCidr(serviceCidr);
  const m = /^(\d+)-(\d+)$/.exec(nodePortRange);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2]) || Number(m[2]) > 65535) {
    throw new Error(`nodePortRange "${nodePortRange}" must be <min>-<max> with 1 <= min <= max <= 65535`);
  }
}
