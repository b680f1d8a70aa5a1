/**
 * The pod a DaemonSet runs on one node: its template, the
 * `controller-revision-hash` and `pod-template-generation` labels, a
 * controller ownerReference, required node affinity pinning it to the node
 * through a `metadata.name` field requirement (the scheduler binds it), and
 * the tolerations every DaemonSet pod gets so node conditions do not evict it.
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { NodeSelectorTerm, Pod, PodSpec, Toleration } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE, TAINT_NODE_UNSCHEDULABLE } from '../../scheduler/taints.ts';
import { podTemplateHash } from '../deployment/hash.ts';

/** The label carrying the hash of the DaemonSet template a pod was made from. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
/** The (deprecated, still written) label carrying the DaemonSet generation a pod was made from. */
export const POD_TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

/** Taint keys whose NoSchedule effect DaemonSet pods tolerate. */
const PRESSURE_TAINTS = [
  'node.kubernetes.io/disk-pressure',
  'node.kubernetes.io/memory-pressure',
  'node.kubernetes.io/pid-pressure',
  TAINT_NODE_UNSCHEDULABLE,
];
const NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/** The hash of `ds`'s current template (and collision count). Pure. */
export function daemonSetHash(ds: DaemonSet): string {
  return podTemplateHash(ds.spec?.template, ds.status?.collisionCount);
}

/** The tolerations Kubernetes adds to every DaemonSet pod (network-unavailable only for host-network pods). */
export function daemonTolerations(spec: PodSpec | undefined): Toleration[] {
  const out: Toleration[] = [
    { key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
    ...PRESSURE_TAINTS.map((key) => ({ key, operator: 'Exists', effect: 'NoSchedule' })),
  ];
  if (spec?.hostNetwork) out.push({ key: NETWORK_UNAVAILABLE, operator: 'Exists', effect: 'NoSchedule' });
  return out;
}

/** `tolerations` with each of `extra` added, replacing one with the same key and effect. */
function addOrUpdateTolerations(
  tolerations: readonly Toleration[] | undefined,
  extra: readonly Toleration[],
): Toleration[] {
  const out = [...(tolerations ?? [])];
  for (const t of extra) {
    const at = out.findIndex((o) => (o.key ?? '') === t.key && (o.effect ?? '') === t.effect);
    if (at >= 0) out[at] = t;
    else out.push(t);
  }
  return out;
}

/**
 * `spec` with its required node affinity pinned to `nodeName`: every required
 * term's field requirements become `metadata.name In [nodeName]` (label
 * requirements stay), or one term holding only that when there are none.
 */
function pinToNode(spec: PodSpec, nodeName: string): PodSpec {
  const pin = [{ key: 'metadata.name', operator: 'In', values: [nodeName] }];
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const existing = required?.nodeSelectorTerms ?? [];
  const terms: NodeSelectorTerm[] = existing.length
    ? existing.map((t) => ({ ...t, matchFields: pin }))
    : [{ matchFields: pin }];
  return {
    ...spec,
    affinity: {
      ...spec.affinity,
      nodeAffinity: {
        ...spec.affinity?.nodeAffinity,
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms },
      },
    },
  };
}

/** The controller ownerReference of `ds`'s pods. */
export function daemonSetOwnerReference(ds: DaemonSet): OwnerReference {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    name: ds.metadata?.name ?? '',
    uid: ds.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * The pod `ds` runs on `nodeName` (`generateName` `<ds>-`). Pure; also what
 * the eligibility predicates judge a node against, so tolerations and
 * affinity are the ones the pod will really carry.
 */
export function daemonPodFor(ds: DaemonSet, nodeName: string, hash = daemonSetHash(ds)): Pod {
  const t = ds.spec?.template ?? {};
  const meta = t.metadata ?? {};
  const spec = structuredClone(t.spec ?? { containers: [] });
  spec.tolerations = addOrUpdateTolerations(spec.tolerations, daemonTolerations(spec));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${ds.metadata?.name}-`,
      namespace: ds.metadata?.namespace,
      labels: {
        ...meta.labels,
        [CONTROLLER_REVISION_HASH_LABEL]: hash,
        [POD_TEMPLATE_GENERATION_LABEL]: String(ds.metadata?.generation ?? 1),
      },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [daemonSetOwnerReference(ds)],
    },
    spec: pinToNode(spec, nodeName),
  };
}

/** The node a daemon pod is for: `spec.nodeName`, else the single name its node affinity pins; '' when neither. */
export function targetNodeName(pod: Pod): string {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  for (const term of terms ?? []) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return '';
}
