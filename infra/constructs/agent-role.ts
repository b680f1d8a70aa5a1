/**
 * The IAM identity of node agents on EC2: a role and its instance profile.
 * Agents read and write the cluster through the API (API Gateway) and are
 * woken through their own SQS queue, which they create when they register
 * (`NodeQueues.ensureQueue` in `functions/lib/node-queues.ts`).
 */
import { Arn, Stack } from 'aws-cdk-lib';
import type { IRestApi } from 'aws-cdk-lib/aws-apigateway';
import { InstanceProfile, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Settings of AgentRole. */
export interface AgentRoleProps {
  /** The cluster's API. */
  api: IRestApi;
  /** The prefix of every node's wake-up queue name (`skube-node-`). */
  nodeQueuePrefix: string;
}

/**
 * The node agent's role (assumed by EC2) and instance profile. It may invoke
 * the cluster's API and create, find, receive from and delete messages of
 * queues named `<nodeQueuePrefix>*` in this account and region, and nothing
 * else: no table, no work queue, no other queue. Queue names are the
 * boundary, so any host with this profile can read any node's doorbells
 * (they carry object keys, never object bodies).
 */
export class AgentRole extends Construct {
  /** The role node hosts act as. */
  readonly role: Role;
  /** What an EC2 instance (launch template, Auto Scaling group) names to get `role`. */
  readonly instanceProfile: InstanceProfile;

  constructor(scope: Construct, id: string, props: AgentRoleProps) {
    super(scope, id);
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('ec2.amazonaws.com'),
      description: 'skube node agent: the cluster API and its own wake-up queue',
    });
    this.instanceProfile = new InstanceProfile(this, 'InstanceProfile', { role: this.role });

    const nodeQueues = Arn.format({ service: 'sqs', resource: `${props.nodeQueuePrefix}*` }, Stack.of(this));
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'NodeWakeupQueues',
        actions: [
          'sqs:CreateQueue',
          'sqs:GetQueueUrl',
          'sqs:GetQueueAttributes',
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
        ],
        resources: [nodeQueues],
      }),
    );
    // The API's methods authenticate bearer tokens in the API server, not IAM; this grant
    // matters once methods switch to AWS_IAM authorization, and is scoped to this API only.
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ClusterApi',
        actions: ['execute-api:Invoke'],
        resources: [props.api.arnForExecuteApi()],
      }),
    );
  }
}
