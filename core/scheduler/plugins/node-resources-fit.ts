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
  preFilter(pod, state) {
    cyclePodInfo(pod, state);
    return { status: SUCCESS };
  },
  filter(pod, nodeInfo, state): Status {
    const req = cyclePodInfo(pod, state).requests;
    const alloc = nodeInfo.allocatable;
    const used = nodeInfo.requested;
    const reasons: string[] = [];
    // A request larger than the whole node cannot be helped by evicting anyone.
    let unresolvable = false;
    if (used.pods + 1 > alloc.pods) reasons.push(ERR_REASON_TOO_MANY_PODS);
    const check = (name: string, want: number, have: number, inUse: number) => {
      if (want > 0 && want > have - inUse) {
        reasons.push(insufficientReason(name));
        if (want > have) unresolvable = true;
      }
    };
    check('cpu', req.milliCPU, alloc.milliCPU, used.milliCPU);
    check('memory', req.memory, alloc.memory, used.memory);
    check('ephemeral-storage', req.ephemeralStorage, alloc.ephemeralStorage, used.ephemeralStorage);
    for (const [name, want] of req.scalar) {
      check(name, want, alloc.scalar.get(name) ?? 0, used.scalar.get(name) ?? 0);
    }
    if (reasons.length === 0) return SUCCESS;
    return { code: unresolvable ? 'UnschedulableAndUnresolvable' : 'Unschedulable', reasons };
  },
} satisfies PreFilterPlugin & FilterPlugin;
