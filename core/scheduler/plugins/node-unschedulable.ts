/**
 * NodeUnschedulable: keeps pods off cordoned nodes (`spec.unschedulable`)
 * unless they tolerate the `node.kubernetes.io/unschedulable:NoSchedule` taint.
 */
import type { Taint } from 'kubernetes-types/core/v1.js';
import { type FilterPlugin, SUCCESS, unresolvable } from '../framework.ts';
import { TAINT_NODE_UNSCHEDULABLE, tolerationsTolerateTaint } from '../taints.ts';

/** Plugin name. */
export const NAME = 'NodeUnschedulable';
/** Filter reason for a cordoned node. */
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';

const UNSCHEDULABLE_TAINT: Taint = { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' };

/** The NodeUnschedulable plugin. */
export const nodeUnschedulable = {
  name: NAME,
  filter(pod, nodeInfo, _state) {
    if (!nodeInfo.node.spec?.unschedulable) return SUCCESS;
    if (tolerationsTolerateTaint(pod.spec?.tolerations, UNSCHEDULABLE_TAINT)) return SUCCESS;
    return unresolvable(ERR_REASON_UNSCHEDULABLE);
  },
} satisfies FilterPlugin;
