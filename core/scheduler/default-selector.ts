/**
 * The selector spreading uses for a pod that states none (kube-scheduler's
 * `helper.DefaultSelector`): the union of the selectors of the services that
 * select the pod and of its controlling ReplicationController, ReplicaSet or
 * StatefulSet. Pods matching it count as "the same workload".
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { WorkloadLister } from './framework.ts';
import { compileLabelSelector, LabelMatcher, setRequirements } from './selectors.ts';

/** The selector for `pod`'s workload; `empty` when no service or controller selects it. */
export function defaultSelector(pod: Pod, workloads: WorkloadLister): LabelMatcher {
  const namespace = pod.metadata?.namespace ?? 'default';
  const podLabels = pod.metadata?.labels ?? {};
  // Everything merged here selects this pod, so the sets cannot conflict.
  const set: Record<string, string> = {};
  for (const svc of workloads.services(namespace)) {
    const sel = svc.spec?.selector;
    if (sel == null) continue;
    if (new LabelMatcher(setRequirements(sel)).matches(podLabels)) Object.assign(set, sel);
  }
  const owner = pod.metadata?.ownerReferences?.find((r) => r.controller);
  if (owner?.apiVersion === 'v1' && owner.kind === 'ReplicationController') {
    const rc = workloads.replicationController(namespace, owner.name);
    if (rc) Object.assign(set, rc.spec?.selector ?? {});
  }
  let selector = new LabelMatcher(setRequirements(set));
  if (owner?.apiVersion === 'apps/v1' && (owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet')) {
    const controller =
      owner.kind === 'ReplicaSet'
        ? workloads.replicaSet(namespace, owner.name)
        : workloads.statefulSet(namespace, owner.name);
    if (controller) {
      const own = compileLabelSelector(controller.spec?.selector);
      if (!own.nothing) selector = selector.and(own.requirements);
    }
  }
  return selector;
}
