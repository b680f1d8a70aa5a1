/**
 * NodeResourcesFit: the node must have room for the pod's effective requests
 * (cpu, memory, ephemeral-storage, extended resources) and one more pod,
 * against `status.allocatable` minus what its pods already request.
 */
import { type FilterPlugin, type PreFilterPlugin, type Status, SUCCESS } from '../framework.ts';
import { cyclePodInfo } from '../node-info.ts';

/** Plugin name. */
export const NAME = 'NodeResourcesFit';
/** Filter reason when the node's pod capacity is used up. */
export const ERR_REASON_TOO_MANY_PODS = 'Too many pods';

/** Filter reason for a resource without enough room, e.g. `Insufficient cpu`. */
export function insufficientReason(resource: string): string {
  return `Insufficient ${resource}`;
}

/** The NodeResourcesFit plugin (filter only; scoring is NodeResourcesLeastAllocated). */
export const nodeResourcesFit = {
  name: NAME,
  preFilter(pod, state, _snapshot) {
    cyclePodInfo(pod, state);
    return { status: SUCCESS };
  },
  filter(pod, nodeInfo, state): Status {
    const req = cyclePodInfo(pod, state).requests;
    const alloc = nodeInfo.allocatable;
    const used = nodeInfo.requested;
    // Fast path: this runs for hundreds of nodes per pod and almost always fits.
    const tooMany = used.pods + 1 > alloc.pods;
    const cpu = req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU;
    const memory = req.memory > 0 && req.memory > alloc.memory - used.memory;
    const storage = req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage;
    let scalar = false;
    if (req.scalar.size > 0) {
      for (const [name, want] of req.scalar) {
        if (want > (alloc.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) scalar = true;
      }
    }
    if (!tooMany && !cpu && !memory && !storage && !scalar) return SUCCESS;
    const reasons: string[] = [];
    // A request larger than the whole node cannot be helped by evicting anyone.
    let unresolvable = false;
    if (tooMany) reasons.push(ERR_REASON_TOO_MANY_PODS);
    if (cpu) {
      reasons.push(insufficientReason('cpu'));
      unresolvable ||= req.milliCPU > alloc.milliCPU;
    }
    if (memory) {
      reasons.push(insufficientReason('memory'));
      unresolvable ||= req.memory > alloc.memory;
    }
    if (storage) {
      reasons.push(insufficientReason('ephemeral-storage'));
      unresolvable ||= req.ephemeralStorage > alloc.ephemeralStorage;
    }
    for (const [name, want] of req.scalar) {
      const have = alloc.scalar.get(name) ?? 0;
      if (want > have - (used.scalar.get(name) ?? 0)) {
        reasons.push(insufficientReason(name));
        unresolvable ||= want > have;
      }
    }
    return { code: unresolvable ? 'UnschedulableAndUnresolvable' : 'Unschedulable', reasons };
  },
} satisfies PreFilterPlugin & FilterPlugin;
