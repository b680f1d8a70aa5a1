/**
 * The pure half of the ReplicaSet / ReplicationController controller: given
 * the owner and every pod of its namespace, which pods to adopt and release,
 * how many to create, which to delete, and the status the owner should show.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Pod, PodCondition, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelMatcher, Labels } from '../../api/selectors/labels.ts';

/** Kubernetes' cap on creates or deletes of one sync (`burstReplicas`). */
export const BURST_REPLICAS = 500;

/** The owner as the plan sees it, independent of ReplicaSet vs ReplicationController. */
export interface ReplicaOwner {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  generation: number;
  deleting: boolean;
  replicas: number;
  minReadySeconds: number;
  selector: LabelMatcher;
  template: PodTemplateSpec | undefined;
}

/** The replica counts of `status` the controller owns (conditions are handled apart). */
export interface ReplicaCounts {
  replicas: number;
  fullyLabeledReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  observedGeneration: number;
}

/** What one sync should do. */
export interface ReplicaPlan {
  /** Orphans to give a controller ownerReference. */
  adopt: Pod[];
  /** Pods we own whose labels no longer match: remove our ownerReference. */
  release: Pod[];
  /** Pods to create from the template. */
  create: number;
  /** Pods to delete, most expendable first. */
  delete: Pod[];
  status: ReplicaCounts;
  /** When a ready pod becomes available (minReadySeconds), look again. */
  requeueAfterMs?: number;
}

/** The controller ownerReference of an object, if any. */
export function controllerRefOf(pod: Pod): OwnerReference | undefined {
  return (pod.metadata?.ownerReferences ?? []).find((r) => r.controller);
}

/** Whether a pod counts towards replicas: not terminating, not finished. */
export function isActivePod(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

function readyCondition(pod: Pod): PodCondition | undefined {
  return (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
}

/** Whether the pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** Milliseconds until a ready pod counts as available (0 = available now); undefined when not ready. */
function msUntilAvailable(pod: Pod, minReadySeconds: number, now: Date): number | undefined {
  const cond = readyCondition(pod);
  if (cond?.status !== 'True') return undefined;
  if (minReadySeconds <= 0) return 0;
  const since = cond.lastTransitionTime ? Date.parse(cond.lastTransitionTime) : Number.NaN;
  if (Number.isNaN(since)) return 0;
  return Math.max(0, since + minReadySeconds * 1000 - now.getTime());
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * Kubernetes' ActivePods ordering, simplified: negative when `a` is more
 * expendable than `b` (unassigned before assigned, Pending before Unknown
 * before Running, not ready before ready, newer before older; name breaks ties).
 */
export function compareForDeletion(a: Pod, b: Pod): number {
  const assigned = (p: Pod) => (p.spec?.nodeName ? 1 : 0);
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
  const phase = (p: Pod) => PHASE_RANK[p.status?.phase ?? 'Pending'] ?? 3;
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  const ready = (p: Pod) => (isPodReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  const created = (p: Pod) => Date.parse(p.metadata?.creationTimestamp ?? '') || 0;
  if (created(a) !== created(b)) return created(b) - created(a);
  return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

function labelsCover(labels: Labels, want: Labels): boolean {
  return Object.entries(want ?? {}).every(([k, v]) => labels?.[k] === v);
}

/**
 * Plans one sync. Pure. Only active pods are claimed; pods controlled by
 * another owner are left alone; an owner being deleted neither adopts,
 * releases, creates nor deletes.
 */
export function planReplicas(owner: ReplicaOwner, pods: readonly Pod[], now: Date): ReplicaPlan {
  const adopt: Pod[] = [];
  const release: Pod[] = [];
  const owned: Pod[] = [];
  for (const pod of pods) {
    if (!isActivePod(pod) || (pod.metadata?.namespace ?? '') !== owner.namespace) continue;
    const ref = controllerRefOf(pod);
    const matches = owner.selector.matches(pod.metadata?.labels);
    if (ref) {
      if (ref.uid !== owner.uid) continue;
      if (matches || owner.deleting) owned.push(pod);
      else release.push(pod);
    } else if (matches && !owner.deleting) {
      adopt.push(pod);
      owned.push(pod);
    }
  }
  let create = 0;
  let del: Pod[] = [];
  if (!owner.deleting) {
    const diff = owned.length - owner.replicas;
    if (diff < 0) create = Math.min(-diff, BURST_REPLICAS);
    else if (diff > 0) del = [...owned].sort(compareForDeletion).slice(0, Math.min(diff, BURST_REPLICAS));
  }
  const templateLabels = owner.template?.metadata?.labels;
  let readyReplicas = 0;
  let availableReplicas = 0;
  let requeueAfterMs: number | undefined;
  for (const pod of owned) {
    const wait = msUntilAvailable(pod, owner.minReadySeconds, now);
    if (wait === undefined) continue;
    readyReplicas++;
    if (wait === 0) availableReplicas++;
    else requeueAfterMs = Math.min(requeueAfterMs ?? wait, wait);
  }
  const status: ReplicaCounts = {
    replicas: owned.length,
    fullyLabeledReplicas: owned.filter((p) => labelsCover(p.metadata?.labels, templateLabels)).length,
    readyReplicas,
    availableReplicas,
    observedGeneration: owner.generation,
  };
  return { adopt, release, create, delete: del, status, ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) };
}

/** The controller ownerReference pods of `owner` carry. */
export function ownerReferenceFor(owner: ReplicaOwner): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.name,
    uid: owner.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The pod to create from `owner`'s template: `generateName` `<owner>-`, template labels, annotations and spec. */
export function podFromTemplate(owner: ReplicaOwner): Pod {
  const t = owner.template ?? {};
  const meta = t.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.name}-`,
      namespace: owner.namespace,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [ownerReferenceFor(owner)],
    },
    spec: structuredClone(t.spec ?? { containers: [] }),
  };
}

/** Sizes of Kubernetes' slow-start batches for `n` creates: 1, 2, 4, 8, … summing to `n`. */
export function slowStartBatches(n: number): number[] {
  const out: number[] = [];
  for (let size = 1, left = n; left > 0; size *= 2) {
    out.push(Math.min(size, left));
    left -= Math.min(size, left);
  }
  return out;
}
