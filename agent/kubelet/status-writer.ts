/**
 * Writes a pod's status through `pods/status` with optimistic concurrency,
 * re-reading and retrying on 409 Conflict, together with annotations the
 * kubelet owns (published ports). A pod that is gone (404) or was replaced
 * (other uid) is not written.
 */
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { ApiClient } from '../../core/client/api-client.ts';
import { isConflict, isNotFound } from '../../core/errors/index.ts';

const podPath = (p: Pod) =>
  `/api/v1/namespaces/${encodeURIComponent(p.metadata!.namespace!)}/pods/${encodeURIComponent(p.metadata!.name!)}`;

/** Writes `status` (and `annotations`) onto the pod; true when written. Throws on errors other than 404/409. */
export async function writePodStatus(
  client: ApiClient,
  pod: Pod,
  status: PodStatus,
  annotations: Record<string, string>,
): Promise<boolean> {
  let base = pod;
  for (let attempt = 0; attempt < 8; attempt++) {
    const body: Pod = {
      ...base,
      metadata: { ...base.metadata, annotations: { ...base.metadata?.annotations, ...annotations } },
      status: { ...status, conditions: mergeForeignConditions(status, base.status) },
    };
    try {
      await client.update(`${podPath(pod)}/status`, body);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      if (!isConflict(e)) throw e;
      try {
        base = await client.get<Pod>(podPath(pod));
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
      if (base.metadata?.uid !== pod.metadata?.uid) return false;
    }
  }
  return false;
}

const OWN = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady']);

/** The kubelet's conditions plus conditions others own (PodScheduled, DisruptionTarget, readiness gates). */
function mergeForeignConditions(status: PodStatus, current: PodStatus | undefined): PodStatus['conditions'] {
  const own = (status.conditions ?? []).filter((c) => OWN.has(c.type));
  const foreign = (current?.conditions ?? []).filter((c) => !OWN.has(c.type));
  return [...own, ...foreign];
}
