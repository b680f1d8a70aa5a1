/**
 * Synthesizes the control plane stack for assertions, without bundling (the
 * `aws:cdk:bundling-stacks` context excludes every stack, so no esbuild run),
 * and reads IAM policies out of the template by the resources they name.
 */
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { ControlPlaneStack, type ControlPlaneStackProps } from '../../../infra/stacks/control-plane-stack.ts';

/** A synthesized stack, its template, and a way to find logical IDs. */
export interface SynthesizedControlPlane {
  stack: ControlPlaneStack;
  template: Template;
  /** What CDK reported about the stack while synthesizing it (warnings, errors, infos). */
  messages: { level: string; id: string; entry: { data: unknown } }[];
  /** The logical ID of a construct's CloudFormation resource (its default child). */
  logicalId(construct: IConstruct): string;
}

/** The props the tests use unless they say otherwise. */
export const TEST_PROPS: ControlPlaneStackProps = { stage: 'test', serviceCidr: '10.96.0.0/12' };

/**
 * Builds and synthesizes a ControlPlaneStack in a fresh app. With `validate`
 * (the default), CDK's built-in CloudFormation validation runs and its findings
 * are errors, as `cdk.json` makes them for `cdk synth`. Throws what the stack
 * throws for bad props, and ValidationFailed for an invalid template.
 */
export function synthControlPlane(
  props: Partial<ControlPlaneStackProps> = {},
  { validate = true }: { validate?: boolean } = {},
): SynthesizedControlPlane {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:validateAgainstDefaultRules': true },
    builtinCloudFormationValidation: validate,
  });
  const stack = new ControlPlaneStack(app, 'SkubeTest', { ...TEST_PROPS, ...props });
  // One synthesis serves both: Template.fromStack reuses it, where Annotations.fromStack would force another.
  const assembly = app.synth();
  const template = Template.fromStack(stack);
  const messages = assembly.getStackArtifact(stack.artifactId).messages.map((m) => ({
    level: String(m.level),
    id: m.id,
    entry: { data: m.entry.data },
  }));
  const logicalId = (construct: IConstruct) => {
    const child = construct.node.defaultChild;
    if (!child) throw new Error(`${construct.node.path} has no CloudFormation resource`);
    return stack.getLogicalId(child as CfnElement);
  };
  return { stack, template, messages, logicalId };
}

/** One IAM statement, with its actions and resources as lists. */
export interface Statement {
  effect: string;
  actions: string[];
  resources: unknown[];
}

/** Every statement of the inline policies (`AWS::IAM::Policy`) attached to the role with logical ID `roleId`. */
export function roleStatements(template: Template, roleId: string): Statement[] {
  const out: Statement[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles ?? []) as unknown[];
    if (!roles.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId }))) continue;
    for (const s of policy.Properties.PolicyDocument.Statement as Record<string, unknown>[]) {
      out.push({ effect: String(s.Effect), actions: list(s.Action) as string[], resources: list(s.Resource) });
    }
  }
  return out;
}

/**
 * The actions `statements` allow on the resource with logical ID `id`:
 * resources written as `Ref` of it or `Fn::GetAtt` of its `attribute`
 * (default `Arn`; `StreamArn` for a table's stream).
 */
export function actionsOn(statements: readonly Statement[], id: string, attribute = 'Arn'): Set<string> {
  const getAtt = JSON.stringify([id, attribute]);
  const ref = JSON.stringify({ Ref: id });
  const out = new Set<string>();
  for (const s of statements) {
    if (s.effect !== 'Allow') continue;
    const names = s.resources.some((r) => {
      const json = JSON.stringify(r);
      return json.includes(getAtt) || json.includes(ref);
    });
    if (names) for (const a of s.actions) out.add(a);
  }
  return out;
}

/** Every action `statements` allow, on anything. */
export function allActions(statements: readonly Statement[]): Set<string> {
  return new Set(statements.filter((s) => s.effect === 'Allow').flatMap((s) => s.actions));
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}
