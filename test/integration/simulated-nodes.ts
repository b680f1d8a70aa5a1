/**
 * Simulated nodes for controller integration tests: Node objects written
 * through the cluster's registry (no Docker, no agent), with the few things
 * a kubelet would do played by the test — post a Ready condition, renew the
 * node's Lease, mark bound pods Ready, and finish the deletion of pods it
 * was asked to stop.
 */
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../core/api/object.ts';
import { findResource, type ResourceInfo } from '../../core/api/resources.ts';
import { rfc3339, rfc3339Micro } from '../../core/api/time.ts';
import { isAlreadyExists, isNotFound } from '../../core/errors/index.ts';
import { systemContext } from '../../core/registry/bootstrap.ts';
import { deleteObject } from '../../core/registry/delete.ts';
import type { Registry } from '../../core/registry/registry.ts';

const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;
const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases') as ResourceInfo;

/** What a test says about a node. */
export interface SimNodeOpts {
  labels?: Record<string, string>;
  taints?: Taint[];
  /** Renew its Lease at creation (default true). */
  lease?: boolean;
}

/** Posts the node's Ready condition (and capacity), as a kubelet does on start and on change. */
export async function postNodeStatus(
  registry: Registry,
  name: string,
  ready: 'True' | 'False' = 'True',
): Promise<void> {
  const now = new Date();
  const capacity = { cpu: '8', memory: '16Gi', pods: '250' };
  const condition = {
    type: 'Ready',
    status: ready,
    reason: ready === 'True' ? 'KubeletReady' : 'KubeletNotReady',
    message: ready === 'True' ? 'kubelet is posting ready status' : 'container runtime is down',
    lastHeartbeatTime: rfc3339(now),
    lastTransitionTime: rfc3339(now),
  };
  await registry.write(
    systemContext(now),
    NODES,
    '',
    name,
    (cur) => ({
      ...cur,
      status: { ...(cur.status as object), capacity, allocatable: capacity, conditions: [condition] },
    }),
    'status',
  );
}

/** Creates or renews the node's Lease in `kube-node-lease`, as the node agent does every 10 s. */
export async function renewLease(registry: Registry, name: string): Promise<void> {
  const now = new Date();
  const ctx = systemContext(now);
  const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: rfc3339Micro(now) };
  try {
    await registry.create(ctx, LEASES, 'kube-node-lease', { metadata: { name }, spec } as KubeObject);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    await registry.write(ctx, LEASES, 'kube-node-lease', name, (cur) => ({ ...cur, spec }), '');
  }
}

/** Creates a Ready node with 8 CPUs and a fresh Lease. */
export async function addNode(registry: Registry, name: string, o: SimNodeOpts = {}): Promise<void> {
  const labels = { 'kubernetes.io/hostname': name, ...o.labels };
  const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: { taints: o.taints } };
  await registry.create(systemContext(new Date()), NODES, '', node as KubeObject);
  if (o.lease !== false) await renewLease(registry, name);
  await postNodeStatus(registry, name);
}

/** Deletes a node object. */
export async function removeNode(registry: Registry, name: string): Promise<void> {
  await deleteObject(registry, { garbageCollector: false }, systemContext(new Date()), NODES, '', name, {});
}

/** Marks bound, not-ready pods Running and Ready (optionally only those `on` passes); returns how many. */
export async function readyBoundPods(registry: Registry, on: (pod: Pod) => boolean = () => true): Promise<number> {
  const pods = (await registry.deps.store.list('pods')).items as unknown as Pod[];
  let n = 0;
  for (const p of pods) {
    if (!p.spec?.nodeName || p.metadata?.deletionTimestamp || !on(p)) continue;
    if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
    const now = new Date();
    const status = {
      ...p.status,
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(now) }],
    };
    try {
      await registry.write(
        systemContext(now),
        PODS,
        p.metadata?.namespace ?? '',
        p.metadata?.name ?? '',
        (cur) => ({ ...cur, status }),
        'status',
      );
      n++;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return n;
}

/** Finishes the graceful deletion of terminating pods (optionally only those `on` passes), as their kubelet would. */
export async function finishTerminating(registry: Registry, on: (pod: Pod) => boolean = () => true): Promise<number> {
  const pods = (await registry.deps.store.list('pods')).items as unknown as Pod[];
  let n = 0;
  for (const p of pods) {
    if (!p.metadata?.deletionTimestamp || !on(p)) continue;
    try {
      await deleteObject(
        registry,
        { garbageCollector: false },
        systemContext(new Date()),
        PODS,
        p.metadata.namespace ?? '',
        p.metadata.name ?? '',
        {
          gracePeriodSeconds: 0,
          preconditions: { uid: p.metadata.uid },
        },
      );
      n++;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return n;
}
