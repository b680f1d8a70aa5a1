/**
 * Kubernetes v1.32 defaulting for every served kind, as the API server
 * applies it after decoding (the `defaults.go` of each API group, plus the
 * few values admission and registries fill in that users see on every
 * object: pod priority, Service IP families, the Namespace finalizer).
 * Not defaults: ClusterIPs and NodePorts, which the registry allocates.
 */
import { clone, type KubeObject } from '../object.ts';
import type { ResourceInfo } from '../resources.ts';
import { defaultEndpoints, defaultNamespace, defaultNode, defaultSecret } from './core-kinds.ts';
import type { Json } from './fields.ts';
import { defaultPod } from './pod.ts';
import { defaultService } from './service.ts';
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultReplicationController } from './workloads.ts';

const DEFAULTERS: Record<string, (obj: Json) => void> = {
  '/Pod': defaultPod,
  '/Service': defaultService,
  '/Namespace': defaultNamespace,
  '/Secret': defaultSecret,
  '/Endpoints': defaultEndpoints,
  '/Node': defaultNode,
  '/ReplicationController': defaultReplicationController,
  'apps/Deployment': defaultDeployment,
  'apps/ReplicaSet': defaultReplicaSet,
  'apps/DaemonSet': defaultDaemonSet,
};

/**
 * A copy of `obj` with Kubernetes' defaults filled in; `obj` is never
 * changed. Values that are set are kept, including explicit zeros and empty
 * strings wherever Kubernetes keeps them (pointer fields such as
 * `spec.replicas: 0`); plain string and int fields that Go cannot tell from
 * unset (`imagePullPolicy: ""`, a probe's `timeoutSeconds: 0`) get the
 * default, as in Kubernetes. Idempotent. Kinds without defaults (ConfigMap,
 * Event, Lease, ResourceQuota, Binding) come back as an unchanged copy.
 */
export function applyDefaults(info: Pick<ResourceInfo, 'group' | 'kind'>, obj: KubeObject): KubeObject {
  const out = clone(obj);
  DEFAULTERS[`${info.group}/${info.kind}`]?.(out as Json);
  return out;
}

export { imageTag } from './pod.ts';
export { addDefaultTolerationSeconds, DEFAULT_TOLERATION_SECONDS } from './tolerations.ts';
export { dropServiceTypeDependentFields } from './service.ts';
