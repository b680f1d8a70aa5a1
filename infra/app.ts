/**
 * The CDK app: one ControlPlaneStack named `skube-<stage>`. Settings come
 * from CDK context (`cdk.json`, or `-c key=value` on the command line):
 * `stage` (default `dev`), `serviceCidr` (default `10.96.0.0/12`),
 * `nodePortRange` (default `30000-32767`), `adminTokenGeneration` (bump to
 * recompute the admin token's digest after replacing the secret). The stack is
 * environment-agnostic, so `cdk synth` needs no AWS credentials; `cdk deploy`
 * deploys to the account and region of the caller's credentials.
 */
import { App } from 'aws-cdk-lib';
import { ControlPlaneStack } from './stacks/control-plane-stack.ts';

const app = new App();
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return value === undefined || value === null || value === '' ? undefined : String(value);
};

const stage = context('stage') ?? 'dev';
new ControlPlaneStack(app, `skube-${stage}`, {
  stage,
  serviceCidr: context('serviceCidr') ?? '10.96.0.0/12',
  nodePortRange: context('nodePortRange'),
  adminTokenGeneration: context('adminTokenGeneration'),
});

app.synth();
