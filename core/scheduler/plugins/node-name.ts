/** NodeName: a pod that names its node (`spec.nodeName`) fits only that node. */
import { type FilterPlugin, type PreFilterPlugin, SKIP, SUCCESS, unresolvable } from '../framework.ts';

/** Plugin name. */
export const NAME = 'NodeName';
/** Filter reason for any other node. */
export const ERR_REASON = "node(s) didn't match the requested node name";

/** The NodeName plugin. */
export const nodeName = {
  name: NAME,
  preFilter(pod, _state, _snapshot) {
    return { status: pod.spec?.nodeName ? SUCCESS : SKIP };
  },
  filter(pod, nodeInfo, _state) {
    const wanted = pod.spec?.nodeName;
    return !wanted || wanted === nodeInfo.name ? SUCCESS : unresolvable(ERR_REASON);
  },
} satisfies PreFilterPlugin & FilterPlugin;
