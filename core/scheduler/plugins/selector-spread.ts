/**
 * SelectorSpread: spreads pods of the same Service, ReplicationController,
 * ReplicaSet or StatefulSet across nodes and zones (`topology.kubernetes.io/zone`),
 * favouring nodes and zones with fewer of them; zone spreading weighs 2/3 when
 * nodes carry zone labels. Pods with explicit `topologySpreadConstraints` are
 * left to PodTopologySpread. Not enabled by default since Kubernetes 1.27:
 * PodTopologySpread's system default constraints do this job.
 */
import { defaultSelector } from '../default-selector.ts';
import { MAX_NODE_SCORE, type PreScorePlugin, type ScorePlugin, SKIP, SUCCESS } from '../framework.ts';
import { zoneKey } from '../topology-spread.ts';

/** Plugin name. */
export const NAME = 'SelectorSpread';

const STATE_KEY = `PreScore${NAME}`;
const ZONE_WEIGHTING = 2 / 3;

/** The SelectorSpread plugin. */
export const selectorSpread = {
  name: NAME,
  preScore(pod, state, _nodes, snapshot) {
    if ((pod.spec?.topologySpreadConstraints?.length ?? 0) > 0) return SKIP;
    const selector = defaultSelector(pod, snapshot.workloads);
    // An empty selector scores every node alike; skipping changes no ranking.
    if (selector.empty) return SKIP;
    state.write(STATE_KEY, snapshot.countMatchingPods(pod.metadata?.namespace ?? 'default', selector));
    return SUCCESS;
  },
  score(_pod, nodeInfo, state) {
    return state.read<ReadonlyMap<string, number>>(STATE_KEY)?.get(nodeInfo.name) ?? 0;
  },
  normalize(scores, nodes, _state) {
    const zones = nodes.map((n) => zoneKey(n.node));
    const countsByZone = new Map<string, number>();
    let maxByNode = 0;
    for (let i = 0; i < scores.length; i++) {
      maxByNode = Math.max(maxByNode, scores[i]);
      if (zones[i] !== '') countsByZone.set(zones[i], (countsByZone.get(zones[i]) ?? 0) + scores[i]);
    }
    let maxByZone = 0;
    for (const c of countsByZone.values()) maxByZone = Math.max(maxByZone, c);
    for (let i = 0; i < scores.length; i++) {
      // Same float operation order as kube-scheduler, so truncation agrees.
      let f = maxByNode > 0 ? MAX_NODE_SCORE * ((maxByNode - scores[i]) / maxByNode) : MAX_NODE_SCORE;
      if (countsByZone.size > 0 && zones[i] !== '') {
        const zoneScore =
          maxByZone > 0 ? MAX_NODE_SCORE * ((maxByZone - countsByZone.get(zones[i])!) / maxByZone) : MAX_NODE_SCORE;
        f = f * (1 - ZONE_WEIGHTING) + ZONE_WEIGHTING * zoneScore;
      }
      scores[i] = Math.trunc(f);
    }
  },
} satisfies PreScorePlugin & ScorePlugin;
