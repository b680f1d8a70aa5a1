/**
 * The CDK app: one ControlPlaneStack named `skube-<stage>`. Settings come
 * from CDK context (`-c key=value` on the command line, or `context` in
 * `cdk.json`): `stage` (default `dev`), `serviceCidr` (default
 * `10.96.0.0/12`), `nodePortRange` (default `30000-32767`),
 * `adminTokenGeneration` (bump to recompute the admin token's digest after
 * replacing the secret). The stack is environment-agnostic, so synthesis needs
 * no AWS credentials; `cdk deploy` deploys to the account and region of the
 * caller's credentials.
 */
import { App } from 'aws-cdk-lib';
import { ControlPlaneStack } from './stacks/control-plane-stack.ts';

const app = new App({
  // Findings of CDK's built-in CloudFormation validation fail the synthesis instead of scrolling by as warnings.
  context: { '@aws-cdk/core:validateAgainstDefaultRules': true },
});
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

const assembly = app.synth();
// Run by the CDK CLI, the CLI reports; run directly (`npm run synth`), say where the template went.
if (!process.env.CDK_OUTDIR)
  console.log(`synthesized ${assembly.stacks.map((s) => s.stackName).join(', ')} into ${assembly.directory}`);
