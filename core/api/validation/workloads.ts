/**
 * Workload validation: Deployment, ReplicaSet and DaemonSet (apps/v1) and
 * ReplicationController (core/v1) specs, their pod templates, and the apps/v1
 * rule that `spec.selector` may not change after creation.
 */
import { type FieldError, field } from '../../errors/index.ts';
import { entries, type Json, jsonEqual, obj, str } from './json.ts';
import { isValidPercent } from './names.ts';
import { validatePodTemplateSpec } from './pod-spec.ts';
import { selectorIsEmpty, selectorMatches, validateLabelSelector } from './selector.ts';

const NEGATIVE = 'must be greater than or equal to 0';
const MISMATCH = '`selector` does not match template `labels`';

function nonNegative(v: unknown, path: string): FieldError[] {
  return typeof v === 'number' && v < 0 ? [field.invalid(path, v, NEGATIVE)] : [];
}

function templateLabels(spec: Json): unknown {
  return obj(obj(spec.template)?.metadata)?.labels;
}

function templateRules(spec: Json, path: string, owner: string): FieldError[] {
  const podSpec = obj(obj(spec.template)?.spec) ?? {};
  const errs = validatePodTemplateSpec(spec.template, `${path}.template`);
  const restart = str(podSpec.restartPolicy);
  if (restart && restart !== 'Always')
    errs.push(field.notSupported(`${path}.template.spec.restartPolicy`, restart, ['Always']));
  if (podSpec.activeDeadlineSeconds != null) {
    errs.push(
      field.forbidden(
        `${path}.template.spec.activeDeadlineSeconds`,
        `activeDeadlineSeconds in ${owner} is not Supported`,
      ),
    );
  }
  return errs;
}

// Deployments and ReplicaSets share Kubernetes' ReplicaSet rules (and its wording).
function replicaSetLike(spec: Json, path: string, kind: string): FieldError[] {
  const errs = [
    ...nonNegative(spec.replicas, `${path}.replicas`),
    ...nonNegative(spec.minReadySeconds, `${path}.minReadySeconds`),
  ];
  const selector = obj(spec.selector);
  if (!selector) errs.push(field.required(`${path}.selector`, ''));
  else {
    errs.push(...validateLabelSelector(selector, `${path}.selector`));
    if (selectorIsEmpty(selector))
      errs.push(field.invalid(`${path}.selector`, selector, `empty selector is invalid for ${kind}`));
  }
  if (selector && !selectorIsEmpty(selector) && !selectorMatches(selector, templateLabels(spec))) {
    errs.push(field.invalid(`${path}.template.metadata.labels`, templateLabels(spec) ?? null, MISMATCH));
  }
  return [...errs, ...templateRules(spec, path, 'ReplicaSet')];
}

function percentOrInt(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((msg) => field.invalid(path, v, msg));
  return nonNegative(v, path);
}

/** The value of an IntOrString that is an int or a valid percentage (`25%` → 25). */
function intOrPercent(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && isValidPercent(v).length === 0) return Number(v.slice(0, -1));
  return 0;
}

function notOver100(v: unknown, path: string): FieldError[] {
  return typeof v === 'string' && isValidPercent(v).length === 0 && intOrPercent(v) > 100
    ? [field.invalid(path, v, 'must not be greater than 100%')]
    : [];
}

function validateDeploymentStrategy(strategy: Json, path: string): FieldError[] {
  const rolling = obj(strategy.rollingUpdate);
  switch (strategy.type) {
    case 'Recreate':
      return strategy.rollingUpdate != null
        ? [field.forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")]
        : [];
    case 'RollingUpdate': {
      if (!rolling) return [field.required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil')];
      const at = `${path}.rollingUpdate`;
      const errs = [
        ...percentOrInt(rolling.maxUnavailable, `${at}.maxUnavailable`),
        ...percentOrInt(rolling.maxSurge, `${at}.maxSurge`),
      ];
      if (intOrPercent(rolling.maxUnavailable) === 0 && intOrPercent(rolling.maxSurge) === 0) {
        errs.push(
          field.invalid(`${at}.maxUnavailable`, rolling.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'),
        );
      }
      return [...errs, ...notOver100(rolling.maxUnavailable, `${at}.maxUnavailable`)];
    }
    default:
      return [field.notSupported(path, strategy, ['Recreate', 'RollingUpdate'])];
  }
}

/** Errors in a Deployment's spec. */
export function validateDeploymentSpec(obj_: Json): FieldError[] {
  const spec: Json = obj(obj_.spec) ?? {};
  const errs = replicaSetLike(spec, 'spec', 'deployment');
  errs.push(...validateDeploymentStrategy(obj(spec.strategy) ?? {}, 'spec.strategy'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const deadline = spec.progressDeadlineSeconds;
  if (typeof deadline === 'number') {
    errs.push(...nonNegative(deadline, 'spec.progressDeadlineSeconds'));
    if (deadline <= (typeof spec.minReadySeconds === 'number' ? spec.minReadySeconds : 0)) {
      errs.push(field.invalid('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

/** Errors in a ReplicaSet's spec (Kubernetes says "deployment" in the empty-selector message too). */
export function validateReplicaSetSpec(rs: Json): FieldError[] {
  return replicaSetLike(obj(rs.spec) ?? {}, 'spec', 'deployment');
}

function validateDaemonSetStrategy(strategy: Json, path: string): FieldError[] {
  if (strategy.type === 'OnDelete') return [];
  if (strategy.type !== 'RollingUpdate') return [field.notSupported(path, strategy, ['RollingUpdate', 'OnDelete'])];
  const rolling = obj(strategy.rollingUpdate);
  if (!rolling) return [field.required(`${path}.rollingUpdate`, '')];
  const at = `${path}.rollingUpdate`;
  const errs = [
    ...percentOrInt(rolling.maxUnavailable, `${at}.maxUnavailable`),
    ...percentOrInt(rolling.maxSurge, `${at}.maxSurge`),
    ...notOver100(rolling.maxUnavailable, `${at}.maxUnavailable`),
    ...notOver100(rolling.maxSurge, `${at}.maxSurge`),
  ];
  const unavailable = intOrPercent(rolling.maxUnavailable) !== 0;
  const surge = intOrPercent(rolling.maxSurge) !== 0;
  if (unavailable && surge)
    errs.push(field.invalid(`${at}.maxSurge`, rolling.maxSurge, 'may not be set when maxUnavailable is non-zero'));
  if (!unavailable && !surge) errs.push(field.required(`${at}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
  return errs;
}

/** Errors in a DaemonSet's spec. */
export function validateDaemonSetSpec(ds: Json): FieldError[] {
  const spec: Json = obj(ds.spec) ?? {};
  const errs = validateLabelSelector(spec.selector, 'spec.selector');
  // A missing selector selects nothing, so it never matches the template.
  if (!selectorMatches(spec.selector, templateLabels(spec))) {
    errs.push(field.invalid('spec.template.metadata.labels', templateLabels(spec) ?? null, MISMATCH));
  }
  if (selectorIsEmpty(spec.selector))
    errs.push(field.invalid('spec.selector', spec.selector, 'empty selector is invalid for daemonset'));
  errs.push(...templateRules(spec, 'spec', 'DaemonSet'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateDaemonSetStrategy(obj(spec.updateStrategy) ?? {}, 'spec.updateStrategy'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

/** Errors in a ReplicationController's spec (map selector, optional template). */
export function validateReplicationControllerSpec(rc: Json): FieldError[] {
  const spec: Json = obj(rc.spec) ?? {};
  const errs = nonNegative(spec.minReadySeconds, 'spec.minReadySeconds');
  const selector = entries(spec.selector);
  if (selector.length === 0) errs.push(field.required('spec.selector', ''));
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  if (!obj(spec.template)) return [...errs, field.required('spec.template', '')];
  const labels = obj(templateLabels(spec)) ?? {};
  if (selector.length > 0 && !selector.every(([k, v]) => labels[k] === v)) {
    errs.push(field.invalid('spec.template.metadata.labels', templateLabels(spec) ?? null, MISMATCH));
  }
  return [...errs, ...templateRules(spec, 'spec', 'ReplicationController')];
}

/** The apps/v1 rule: `spec.selector` is immutable (Deployment, ReplicaSet, DaemonSet). */
export function validateSelectorUnchanged(now: Json, old: Json): FieldError[] {
  const selector = obj(now.spec)?.selector;
  return jsonEqual(selector, obj(old.spec)?.selector)
    ? []
    : [field.invalid('spec.selector', selector ?? null, 'field is immutable')];
}
