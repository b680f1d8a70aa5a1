/**
 * Workload defaulting (apps/v1 `defaults.go` and core/v1's for
 * ReplicationController): replicas, rollout strategies, history limits and
 * the pod template's PodSpec defaults.
 */
import { child, defaultPointer, defaultString, type Json, optional } from './fields.ts';
import { defaultPodTemplate } from './pod.ts';

/** Applies Deployment defaults in place. */
export function defaultDeployment(d: Json): void {
  const spec = child(d, 'spec');
  defaultPointer(spec, 'replicas', 1);
  const strategy = child(spec, 'strategy');
  defaultString(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rolling = child(strategy, 'rollingUpdate');
    defaultPointer(rolling, 'maxUnavailable', '25%');
    defaultPointer(rolling, 'maxSurge', '25%');
  }
  defaultPointer(spec, 'revisionHistoryLimit', 10);
  defaultPointer(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(child(spec, 'template'));
}

/** Applies ReplicaSet defaults in place. */
export function defaultReplicaSet(rs: Json): void {
  const spec = child(rs, 'spec');
  defaultPointer(spec, 'replicas', 1);
  defaultPodTemplate(child(spec, 'template'));
}

/** Applies DaemonSet defaults in place. */
export function defaultDaemonSet(ds: Json): void {
  const spec = child(ds, 'spec');
  const strategy = child(spec, 'updateStrategy');
  defaultString(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rolling = child(strategy, 'rollingUpdate');
    defaultPointer(rolling, 'maxUnavailable', 1);
    defaultPointer(rolling, 'maxSurge', 0);
  }
  defaultPointer(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(child(spec, 'template'));
}

const isEmptyMap = (v: unknown) => !v || typeof v !== 'object' || Object.keys(v).length === 0;

/**
 * Applies ReplicationController defaults in place: the selector and the
 * object's labels default to the template's labels (its template is optional).
 */
export function defaultReplicationController(rc: Json): void {
  const spec = child(rc, 'spec');
  const template = optional(spec, 'template');
  const labels = optional(optional(template, 'metadata'), 'labels');
  if (labels) {
    if (isEmptyMap(spec.selector)) spec.selector = { ...labels };
    const meta = child(rc, 'metadata');
    if (isEmptyMap(meta.labels)) meta.labels = { ...labels };
  }
  defaultPointer(spec, 'replicas', 1);
  if (template) defaultPodTemplate(template);
}
