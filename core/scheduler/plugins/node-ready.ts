/**
 * NodeReady: keeps pods off nodes whose `Ready` condition is not `True`.
 *
 * Kubernetes does this through taints: the node lifecycle controller taints a
 * node `node.kubernetes.io/not-ready` (or `unreachable` when its status is
 * Unknown) and TaintToleration rejects it. This plugin covers the window
 * before such a taint exists (a node that just registered, a cluster without
 * that controller) with the same outcome: once the taint is there it steps
 * aside so the message is TaintToleration's, and a pod that tolerates the
 * taint the controller would set (DaemonSet pods) is let through.
 */
import type { Taint } from 'kubernetes-types/core/v1.js';
import { type FilterPlugin, SUCCESS, unresolvable } from '../framework.ts';
import {
  isDoNotScheduleTaint,
  TAINT_NODE_NOT_READY,
  TAINT_NODE_UNREACHABLE,
  tolerationsTolerateTaint,
} from '../taints.ts';

/** Plugin name. */
export const NAME = 'NodeReady';
/** Filter reason for a node that is not ready (the wording of the old CheckNodeCondition predicate). */
export const ERR_REASON_NOT_READY = 'node(s) were not ready';

const NOT_READY_TAINT: Taint = { key: TAINT_NODE_NOT_READY, effect: 'NoSchedule' };
const UNREACHABLE_TAINT: Taint = { key: TAINT_NODE_UNREACHABLE, effect: 'NoSchedule' };

/** The NodeReady plugin. */
export const nodeReady = {
  name: NAME,
  filter(pod, nodeInfo, _state) {
    const status = nodeInfo.readyStatus;
    if (status === 'True') return SUCCESS;
    for (const t of nodeInfo.taints) {
      if ((t.key === TAINT_NODE_NOT_READY || t.key === TAINT_NODE_UNREACHABLE) && isDoNotScheduleTaint(t))
        return SUCCESS;
    }
    const implied = status === 'Unknown' ? UNREACHABLE_TAINT : NOT_READY_TAINT;
    if (tolerationsTolerateTaint(pod.spec?.tolerations, implied)) return SUCCESS;
    return unresolvable(ERR_REASON_NOT_READY);
  },
} satisfies FilterPlugin;
