/**
 * NodePorts: the node must have every host port the pod asks for free, per
 * protocol and host IP; a wildcard IP (0.0.0.0) conflicts with any IP.
 */
import type { FilterPlugin, HostPort, NodeInfo, PreFilterPlugin } from '../framework.ts';
import { SKIP, SUCCESS, unschedulable } from '../framework.ts';
import { cyclePodInfo, portKey } from '../node-info.ts';

/** Plugin name. */
export const NAME = 'NodePorts';
/** Filter reason for a host port conflict. */
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";

const WILDCARD = '0.0.0.0';

/** Whether `port` collides with a port already used on the node (`HostPortInfo.CheckConflict`). */
export function portConflicts(used: NodeInfo['usedPorts'], port: HostPort): boolean {
  const key = portKey(port);
  if (port.hostIP === WILDCARD) {
    for (const byIP of used.values()) if (byIP.has(key)) return true;
    return false;
  }
  return (used.get(WILDCARD)?.has(key) ?? false) || (used.get(port.hostIP)?.has(key) ?? false);
}

/** The NodePorts plugin. */
export const nodePorts = {
  name: NAME,
  preFilter(pod, state, _snapshot) {
    return { status: cyclePodInfo(pod, state).hostPorts.length === 0 ? SKIP : SUCCESS };
  },
  filter(pod, nodeInfo, state) {
    if (nodeInfo.usedPorts.size === 0) return SUCCESS;
    for (const p of cyclePodInfo(pod, state).hostPorts) {
      if (portConflicts(nodeInfo.usedPorts, p)) return unschedulable(ERR_REASON);
    }
    return SUCCESS;
  },
} satisfies PreFilterPlugin & FilterPlugin;
