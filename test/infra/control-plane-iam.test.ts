import type { IRole } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { actionsOn, allActions, roleStatements, synthControlPlane } from './support/control-plane.ts';

// control-plane-stack.test.ts validates the template; this file only reads its policies.
const { stack, template, logicalId } = synthControlPlane({}, { validate: false });
const json = template.toJSON();
const resources = json.Resources as Record<string, { Type: string; Properties: Record<string, any> }>;
const ids = {
  objects: logicalId(stack.tables.objects),
  log: logicalId(stack.tables.log),
  marks: logicalId(stack.tables.marks),
  work: logicalId(stack.queues.work),
  workDlq: logicalId(stack.queues.workDeadLetter),
  streamFailures: logicalId(stack.queues.streamFailures),
  secret: logicalId(stack.adminToken.secret),
  digest: logicalId(stack.adminToken.node.findChild('Digest')),
};
const statementsOf = (role: IRole) => roleStatements(template, logicalId(role));
const fn = {
  apiserver: statementsOf(stack.apiserver.role!),
  streamConsumer: statementsOf(stack.streamConsumer.role!),
  controllerQueue: statementsOf(stack.controllerQueue.role!),
  resync: statementsOf(stack.resync.role!),
  scheduler: statementsOf(stack.scheduler.role!),
};

const TABLE_WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];
const TABLE_READS = ['dynamodb:GetItem', 'dynamodb:Query'];
const CONSUME = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'];

describe('ControlPlaneStack IAM', () => {
  it('lets the API server read and write both tables and touch no queue or stream', () => {
    for (const table of [ids.objects, ids.log]) {
      expect([...actionsOn(fn.apiserver, table)]).toEqual(expect.arrayContaining([...TABLE_READS, ...TABLE_WRITES]));
    }
    const actions = [...allActions(fn.apiserver)];
    expect(actions.filter((a) => a.startsWith('sqs:'))).toEqual([]);
    expect(actionsOn(fn.apiserver, ids.log, 'StreamArn').size).toBe(0);
  });

  it('lets the stream consumer read the stream and both tables, send work, ring node queues, and nothing more', () => {
    expect([...actionsOn(fn.streamConsumer, ids.log, 'StreamArn')]).toEqual(
      expect.arrayContaining(['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeStream']),
    );
    for (const table of [ids.objects, ids.log]) {
      const actions = actionsOn(fn.streamConsumer, table);
      expect([...actions]).toEqual(expect.arrayContaining(TABLE_READS));
      for (const write of TABLE_WRITES) expect(actions.has(write)).toBe(false);
    }
    const nodeQueues = fn.streamConsumer.find((s) => s.actions.includes('sqs:CreateQueue'));
    expect([...(nodeQueues?.actions ?? [])].sort()).toEqual([
      'sqs:CreateQueue',
      'sqs:DeleteQueue',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
    expect(JSON.stringify(nodeQueues?.resources)).toContain('skube-node-*');
    const onWork = actionsOn(fn.streamConsumer, ids.work);
    expect(onWork.has('sqs:SendMessage')).toBe(true);
    for (const consume of CONSUME) expect(onWork.has(consume)).toBe(false);
    // The event source mapping delivers give-ups with the function's role.
    expect(actionsOn(fn.streamConsumer, ids.streamFailures).has('sqs:SendMessage')).toBe(true);
  });

  it('lets the queue consumer consume and requeue work and write both tables', () => {
    const onWork = actionsOn(fn.controllerQueue, ids.work);
    expect([...onWork]).toEqual(expect.arrayContaining([...CONSUME, 'sqs:SendMessage']));
    for (const table of [ids.objects, ids.log]) {
      expect([...actionsOn(fn.controllerQueue, table)]).toEqual(expect.arrayContaining(TABLE_WRITES));
    }
    expect(actionsOn(fn.controllerQueue, ids.log, 'StreamArn').size).toBe(0);
  });

  it('lets the scheduler read the stream, read and write both tables, give up to the failure queue, and nothing more', () => {
    expect([...actionsOn(fn.scheduler, ids.log, 'StreamArn')]).toEqual(
      expect.arrayContaining(['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeStream']),
    );
    for (const table of [ids.objects, ids.log]) {
      expect([...actionsOn(fn.scheduler, table)]).toEqual(expect.arrayContaining([...TABLE_READS, ...TABLE_WRITES]));
    }
    const sqs = [...allActions(fn.scheduler)].filter((a) => a.startsWith('sqs:'));
    expect(actionsOn(fn.scheduler, ids.streamFailures).has('sqs:SendMessage')).toBe(true);
    expect(actionsOn(fn.scheduler, ids.work).size).toBe(0);
    for (const consume of CONSUME) expect(sqs).not.toContain(consume);
  });

  it('lets the resync read the tables and send work, never write or consume', () => {
    for (const table of [ids.objects, ids.log]) {
      const actions = actionsOn(fn.resync, table);
      expect([...actions]).toEqual(expect.arrayContaining(TABLE_READS));
      for (const write of TABLE_WRITES) expect(actions.has(write)).toBe(false);
    }
    const onWork = actionsOn(fn.resync, ids.work);
    expect(onWork.has('sqs:SendMessage')).toBe(true);
    for (const consume of CONSUME) expect(onWork.has(consume)).toBe(false);
  });

  it('lets the three controller functions, and only them, claim and release pending marks', () => {
    for (const statements of [fn.streamConsumer, fn.controllerQueue, fn.resync]) {
      expect([...actionsOn(statements, ids.marks)]).toEqual(
        expect.arrayContaining(['dynamodb:GetItem', ...TABLE_WRITES]),
      );
    }
    expect(actionsOn(fn.apiserver, ids.marks).size).toBe(0);
  });

  it('gives no function a dead-letter queue or the admin token secret', () => {
    for (const statements of Object.values(fn)) {
      expect(actionsOn(statements, ids.workDlq).size).toBe(0);
      expect(actionsOn(statements, ids.secret).size).toBe(0);
    }
  });

  it('allows wildcard resources only for dynamodb:ListStreams (which has no resource)', () => {
    for (const statements of Object.values(fn)) {
      const wildcard = statements.filter((s) => s.resources.includes('*'));
      expect(wildcard.flatMap((s) => s.actions)).toEqual(wildcard.length ? ['dynamodb:ListStreams'] : []);
    }
  });

  describe('node agent', () => {
    const agent = statementsOf(stack.agent.role);

    it('is assumed by EC2 through the instance profile', () => {
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' } }],
        },
      });
      template.hasResourceProperties('AWS::IAM::InstanceProfile', { Roles: [{ Ref: logicalId(stack.agent.role) }] });
    });

    it('may create and drain only skube-node-* queues, and invoke only this API', () => {
      const sqs = agent.filter((s) => s.actions.some((a) => a.startsWith('sqs:')));
      expect(sqs).toHaveLength(1);
      expect(sqs[0].actions).toEqual(
        expect.arrayContaining(['sqs:CreateQueue', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueUrl']),
      );
      expect(sqs[0].actions).not.toContain('sqs:SendMessage');
      expect(JSON.stringify(sqs[0].resources)).toMatch(/":sqs:",.*":skube-node-\*"/);
      const api = agent.filter((s) => s.actions.includes('execute-api:Invoke'));
      expect(JSON.stringify(api.map((s) => s.resources))).toContain(logicalId(stack.api));
    });

    it('has no access to the tables, the work queues or the token', () => {
      expect(
        [...allActions(agent)].filter((a) => a.startsWith('dynamodb:') || a.startsWith('secretsmanager:')),
      ).toEqual([]);
      for (const id of [ids.objects, ids.log, ids.work, ids.workDlq, ids.streamFailures]) {
        expect(actionsOn(agent, id).size).toBe(0);
      }
    });
  });

  describe('admin token', () => {
    it('is generated by Secrets Manager, never written into the template', () => {
      const secret = resources[ids.secret].Properties;
      expect(secret.SecretString).toBeUndefined();
      expect(secret.GenerateSecretString).toMatchObject({ PasswordLength: 48, ExcludePunctuation: true });
      // A dynamic reference would put the token itself into some resource's configuration.
      expect(JSON.stringify(json)).not.toContain('resolve:secretsmanager');
    });

    it('reaches the API server only as the digest resource attribute', () => {
      const env = resources[logicalId(stack.apiserver)].Properties.Environment.Variables;
      expect(env.SKUBE_ADMIN_TOKEN_SHA256).toEqual({ 'Fn::GetAtt': [ids.digest, 'Sha256'] });
      expect(resources[ids.digest].Properties).toEqual({
        ServiceToken: expect.anything(),
        SecretArn: { Ref: ids.secret },
        Generation: '1',
      });
    });

    it('is readable by the digest function only, which waits for that grant', () => {
      const digestFunction = stack.adminToken.node.findChild('DigestFunction') as typeof stack.apiserver;
      const digestStatements = statementsOf(digestFunction.role!);
      expect([...actionsOn(digestStatements, ids.secret)]).toEqual(
        expect.arrayContaining(['secretsmanager:GetSecretValue']),
      );
      expect([...allActions(digestStatements)].every((a) => a.startsWith('secretsmanager:'))).toBe(true);
      const dependsOn = (template.toJSON().Resources[ids.digest].DependsOn ?? []) as string[];
      const policyId = Object.keys(template.findResources('AWS::IAM::Policy')).find((id) =>
        JSON.stringify(resources[id].Properties.Roles).includes(logicalId(digestFunction.role!)),
      );
      expect(dependsOn).toContain(policyId);
    });
  });
});
