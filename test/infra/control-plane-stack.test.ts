import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ATTR, tableNames } from '../../core/storage/dynamodb/tables.ts';
import {
  type Environment,
  loadApiserverConfig,
  loadControllerConfig,
  loadSchedulerConfig,
} from '../../functions/lib/config.ts';
import { NODE_QUEUE_PREFIX } from '../../functions/lib/node-queues.ts';
import { MARK_ATTR, pendingMarksTableName } from '../../functions/lib/dynamo-pending-marks.ts';
import { PROTOBUF_MEDIA_TYPE } from '../../infra/stacks/control-plane-stack.ts';
import { synthControlPlane } from './support/control-plane.ts';

const { stack, template, messages, logicalId } = synthControlPlane();
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>;
const ids = {
  objects: logicalId(stack.tables.objects),
  log: logicalId(stack.tables.log),
  marks: logicalId(stack.tables.marks),
  work: logicalId(stack.queues.work),
  workDlq: logicalId(stack.queues.workDeadLetter),
  streamFailures: logicalId(stack.queues.streamFailures),
  apiserver: logicalId(stack.apiserver),
  streamConsumer: logicalId(stack.streamConsumer),
  controllerQueue: logicalId(stack.controllerQueue),
  resync: logicalId(stack.resync),
  scheduler: logicalId(stack.scheduler),
  digest: logicalId(stack.adminToken.node.findChild('Digest')),
};

/** A function's environment with deploy-time values replaced by plausible ones, as Lambda would present it. */
function deployedEnvironment(functionId: string): Environment {
  const vars = resources[functionId].Properties.Environment.Variables as Record<string, unknown>;
  const deployTime: Record<string, [unknown, string]> = {
    SKUBE_ADMIN_TOKEN_SHA256: [{ 'Fn::GetAtt': [ids.digest, 'Sha256'] }, 'ab'.repeat(32)],
    SKUBE_WORK_QUEUE_URL: [{ Ref: ids.work }, 'https://sqs.eu-west-1.amazonaws.com/123456789012/skube-test-work'],
  };
  const env: Environment = { AWS_REGION: 'eu-west-1' };
  for (const [name, value] of Object.entries(vars)) {
    if (typeof value === 'string') env[name] = value;
    else if (deployTime[name] && JSON.stringify(value) === JSON.stringify(deployTime[name][0]))
      env[name] = deployTime[name][1];
    else throw new Error(`${name} has an unexpected deploy-time value ${JSON.stringify(value)}`);
  }
  return env;
}

describe('ControlPlaneStack', () => {
  describe('tables', () => {
    it.each([
      ['objects', 'S', tableNames('skube-test').objects],
      ['log', 'N', tableNames('skube-test').log],
    ] as const)('lays out the %s table as the DynamoDB store expects', (table, skType, name) => {
      expect(resources[ids[table]].Properties).toMatchObject({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: ATTR.pk, KeyType: 'HASH' },
          { AttributeName: ATTR.sk, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: ATTR.pk, AttributeType: 'S' },
          { AttributeName: ATTR.sk, AttributeType: skType },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      });
    });

    it('retains both store tables when the stack or the resource goes away', () => {
      template.resourceCountIs('AWS::DynamoDB::Table', 3);
      for (const table of [ids.objects, ids.log]) {
        expect(template.toJSON().Resources[table]).toMatchObject({
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
        });
      }
    });

    it('keeps pending marks in a table of their own, keyed by pk, expiring through TTL, not retained', () => {
      expect(resources[ids.marks].Properties).toMatchObject({
        TableName: pendingMarksTableName('skube-test'),
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: MARK_ATTR.pk, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: MARK_ATTR.pk, AttributeType: 'S' }],
        TimeToLiveSpecification: { AttributeName: MARK_ATTR.ttl, Enabled: true },
      });
      expect(resources[ids.marks].Properties.StreamSpecification).toBeUndefined();
      expect(template.toJSON().Resources[ids.marks].DeletionPolicy).toBe('Delete');
    });

    it('expires log rows through TTL and streams new images of the log only', () => {
      expect(resources[ids.log].Properties).toMatchObject({
        TimeToLiveSpecification: { AttributeName: ATTR.ttl, Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      });
      expect(resources[ids.objects].Properties.TimeToLiveSpecification).toBeUndefined();
      expect(resources[ids.objects].Properties.StreamSpecification).toBeUndefined();
    });

    it('keeps the logical IDs of stateful resources (a new ID is a new, empty resource)', () => {
      expect(Object.keys(template.findResources('AWS::DynamoDB::Table')).sort()).toEqual([
        'TablesLogTable24FF1110',
        'TablesObjectsTableB168B198',
        'TablesPendingMarksTable634AEB24',
      ]);
      expect(Object.keys(template.findResources('AWS::SecretsManager::Secret'))).toEqual(['AdminTokenSecret9A53E880']);
    });
  });

  describe('queues', () => {
    it('redrives the work queue to its dead-letter queue', () => {
      expect(resources[ids.work].Properties).toMatchObject({
        QueueName: 'skube-test-work',
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [ids.workDlq, 'Arn'] }, maxReceiveCount: 10 },
      });
      expect(resources[ids.workDlq].Properties).toMatchObject({
        QueueName: 'skube-test-work-dlq',
        MessageRetentionPeriod: 1209600,
      });
    });

    it('encrypts every queue and refuses requests without TLS', () => {
      template.resourceCountIs('AWS::SQS::Queue', 3);
      template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
      for (const id of [ids.work, ids.workDlq, ids.streamFailures]) {
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: id }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          },
        });
      }
    });

    it('keeps work messages invisible for at least six times the consumer timeout', () => {
      const timeout = resources[ids.controllerQueue].Properties.Timeout as number;
      expect(resources[ids.work].Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
    });
  });

  describe('functions', () => {
    it.each(['apiserver', 'streamConsumer', 'controllerQueue', 'resync', 'digestFunction'])(
      'runs %s on nodejs22.x, arm64, with its own log group kept a month',
      (name) => {
        const fn =
          name === 'digestFunction' ? stack.adminToken.node.findChild('DigestFunction') : stack[name as 'resync'];
        const props = resources[logicalId(fn)].Properties;
        expect(props).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
        const logGroupId = props.LoggingConfig.LogGroup.Ref as string;
        expect(resources[logGroupId]).toMatchObject({
          Type: 'AWS::Logs::LogGroup',
          Properties: { RetentionInDays: 30 },
        });
      },
    );

    it('gives every function the default memory except the deploy-time digest', () => {
      const fns = [ids.apiserver, ids.streamConsumer, ids.controllerQueue, ids.resync, ids.scheduler];
      for (const id of fns) expect(resources[id].Properties.MemorySize).toBe(512);
      template.resourceCountIs('AWS::Lambda::Function', 6);
    });

    it('sets exactly the API server variables config.ts parses, and they parse', () => {
      const env = deployedEnvironment(ids.apiserver);
      expect(Object.keys(env).sort()).toEqual([
        'AWS_REGION',
        'NODE_OPTIONS',
        'SKUBE_ADMIN_TOKEN_SHA256',
        'SKUBE_METRICS_NAMESPACE',
        'SKUBE_NODE_PORT_RANGE',
        'SKUBE_SERVICE_CIDR',
        'SKUBE_TABLE_PREFIX',
        'SKUBE_WATCH_CAP_SECONDS',
      ]);
      const config = loadApiserverConfig(env);
      expect(config).toMatchObject({
        tablePrefix: 'skube-test',
        serviceCidr: '10.96.0.0/12',
        adminTokenHashes: ['ab'.repeat(32)],
      });
      // The long-poll must end before API Gateway cuts the integration.
      expect(config.watch.capSeconds).toBeLessThan(resources[ids.apiserver].Properties.Timeout);
    });

    it('sets exactly the scheduler variables config.ts parses, and they parse', () => {
      const env = deployedEnvironment(ids.scheduler);
      expect(Object.keys(env).sort()).toEqual([
        'AWS_REGION',
        'NODE_OPTIONS',
        'SKUBE_METRICS_NAMESPACE',
        'SKUBE_NODE_PORT_RANGE',
        'SKUBE_SERVICE_CIDR',
        'SKUBE_TABLE_PREFIX',
      ]);
      expect(loadSchedulerConfig(env)).toMatchObject({ tablePrefix: 'skube-test', schedulerName: 'default-scheduler' });
    });

    it.each(['streamConsumer', 'controllerQueue', 'resync'] as const)(
      'sets exactly the controller variables config.ts parses for %s, and they parse',
      (name) => {
        const env = deployedEnvironment(ids[name]);
        expect(Object.keys(env).sort()).toEqual([
          'AWS_REGION',
          'NODE_OPTIONS',
          'SKUBE_METRICS_NAMESPACE',
          'SKUBE_NODE_PORT_RANGE',
          'SKUBE_NODE_QUEUE_PREFIX',
          'SKUBE_SERVICE_CIDR',
          'SKUBE_TABLE_PREFIX',
          'SKUBE_WORK_QUEUE_URL',
        ]);
        expect(loadControllerConfig(env)).toMatchObject({
          tablePrefix: 'skube-test',
          nodePortRange: { min: 30000, max: 32767 },
          nodeQueuePrefix: NODE_QUEUE_PREFIX,
        });
      },
    );
  });

  describe('triggers', () => {
    it('feeds the log stream to the stream consumer with partial failures, bisection, bounded retries and a failure queue', () => {
      // Two stream readers (this and the scheduler), as many as a DynamoDB stream serves without throttling.
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', 3);
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [ids.log, 'StreamArn'] },
        FunctionName: { Ref: ids.streamConsumer },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [ids.streamFailures, 'Arn'] } } },
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT', 'MODIFY'] }) }] },
      });
    });

    it('feeds the pods and nodes of the log stream to the scheduler, with partial failures and a failure queue', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [ids.log, 'StreamArn'] },
        FunctionName: { Ref: ids.scheduler },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [ids.streamFailures, 'Arn'] } } },
        FilterCriteria: {
          Filters: [
            {
              Pattern: JSON.stringify({
                eventName: ['INSERT', 'MODIFY'],
                dynamodb: { Keys: { [ATTR.pk]: { S: ['pods', 'nodes'] } } },
              }),
            },
          ],
        },
      });
    });

    it('feeds the work queue to the controller queue function with partial failures', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [ids.work, 'Arn'] },
        FunctionName: { Ref: ids.controllerQueue },
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 10 },
      });
    });

    it('runs the resync every five minutes', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(5 minutes)',
        State: 'ENABLED',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [ids.resync, 'Arn'] } })],
      });
    });
  });

  describe('API', () => {
    it('takes protobuf (and every other type) as binary on a regional REST API', () => {
      template.hasResourceProperties('AWS::ApiGateway::RestApi', {
        BinaryMediaTypes: Match.arrayWith([PROTOBUF_MEDIA_TYPE, '*/*']),
        EndpointConfiguration: { Types: ['REGIONAL'] },
      });
    });

    it('proxies every path and method to the API server within 29 seconds', () => {
      template.resourceCountIs('AWS::ApiGateway::Method', 2);
      template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
      template.allResourcesProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'ANY',
        Integration: {
          Type: 'AWS_PROXY',
          TimeoutInMillis: 29000,
          Uri: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [ids.apiserver, 'Arn'] }])] }),
        },
      });
      template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'test' });
    });
  });

  it('outputs the API URL, table names, queue URLs, agent profile and token secret', () => {
    for (const name of [
      'ApiUrl',
      'ObjectsTableName',
      'LogTableName',
      'WorkQueueUrl',
      'WorkDeadLetterQueueUrl',
      'StreamFailureQueueUrl',
      'AgentInstanceProfileArn',
      'AdminTokenSecretArn',
    ]) {
      template.hasOutput(name, { Value: Match.anyValue() });
    }
    template.hasOutput('ObjectsTableName', { Value: { Ref: ids.objects } });
    template.hasOutput('WorkQueueUrl', { Value: { Ref: ids.work } });
  });

  // synthControlPlane already failed on any finding of the built-in CloudFormation validation.
  it('synthesizes without CDK warnings or errors', () => {
    expect(messages.filter((m) => m.level !== 'info')).toEqual([]);
  });

  it.each([
    [{ stage: 'Prod' }, /stage "Prod"/],
    [{ stage: '' }, /stage ""/],
    [{ serviceCidr: '10.96.0.0' }, /CIDR/],
    [{ nodePortRange: '32767-30000' }, /nodePortRange/],
  ])('refuses %j at synthesis', (props, message) => {
    expect(() => synthControlPlane(props)).toThrow(message);
  });
});
