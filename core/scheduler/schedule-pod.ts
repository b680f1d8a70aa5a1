/**
 * One scheduling cycle, as kube-scheduler's `schedulePod`: PreFilter, Filter
 * over a rotating sample of nodes until enough feasible ones are found,
 * PreScore, Score + normalize + weights, then the best node (ties broken at
 * random). Pure over the snapshot apart from advancing the profile's sampling cursor.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { numFeasibleNodesToFind, type SchedulerProfile } from './config.ts';
import { CycleState, isSuccess, type NodeInfo, type Snapshot, type Status } from './framework.ts';
import { fitErrorMessage, NO_NODES_AVAILABLE, statusMessage } from './message.ts';

/** The pod fits `nodeName`; bind it there (and assume it in the cache first). */
export interface ScheduleSuccess {
  readonly nodeName: string;
  /** Nodes the filters ran on. */
  readonly evaluatedNodes: number;
  /** Of those, how many fit. */
  readonly feasibleNodes: number;
}

/** No node fits; `message` is the FailedScheduling event / PodScheduled condition message. */
export interface ScheduleFailure {
  readonly unschedulable: true;
  readonly message: string;
  /** Reasons per node the filters (or a rejecting PreFilter) turned down. */
  readonly diagnosis: Map<string, readonly string[]>;
  /** Plugins that rejected the pod somewhere; a change they care about may make it schedulable. */
  readonly unschedulablePlugins: ReadonlySet<string>;
}

/** The outcome of {@link schedulePod}. */
export type ScheduleResult = ScheduleSuccess | ScheduleFailure;

/** A source of uniform numbers in [0, 1), for tie-breaking (`Math.random` in production). */
export type Rng = () => number;

function failure(
  message: string,
  diagnosis: Map<string, readonly string[]>,
  plugins: Iterable<string>,
): ScheduleFailure {
  return { unschedulable: true, message, diagnosis, unschedulablePlugins: new Set(plugins) };
}

function rejectAll(all: readonly NodeInfo[], status: Status, plugins: Iterable<string>): ScheduleFailure {
  const diagnosis = new Map<string, readonly string[]>();
  for (const n of all) diagnosis.set(n.name, status.reasons);
  return failure(
    fitErrorMessage({ numAllNodes: all.length, preFilterMessage: statusMessage(status) }),
    diagnosis,
    plugins,
  );
}

/**
 * Picks a node for `pod` in `snapshot`, or explains why none fits. Does not
 * mutate the snapshot: the caller assumes the pod in the cache before the next
 * call so that pods placed in the same batch count against capacity.
 */
export function schedulePod(pod: Pod, snapshot: Snapshot, profile: SchedulerProfile, rng: Rng): ScheduleResult {
  const all = snapshot.nodeInfos;
  if (all.length === 0) return failure(NO_NODES_AVAILABLE, new Map(), []);
  const state = new CycleState();

  // PreFilter: per-pod precomputation, early rejection, candidate narrowing.
  const skipFilter = new Set<string>();
  const narrowedBy: string[] = [];
  let allowed: Set<string> | undefined;
  for (const p of profile.preFilters) {
    const { status, nodeNames } = p.preFilter(pod, state, snapshot);
    if (status.code === 'Skip') {
      skipFilter.add(p.name);
      continue;
    }
    if (!isSuccess(status)) return rejectAll(all, status, [p.name]);
    if (!nodeNames) continue;
    narrowedBy.push(p.name);
    allowed = allowed ? new Set([...allowed].filter((n) => nodeNames.has(n))) : new Set(nodeNames);
    if (allowed.size === 0) {
      const names = [...narrowedBy].sort();
      const reason =
        names.length === 1
          ? `node(s) didn't satisfy plugin ${names[0]}`
          : `node(s) didn't satisfy plugin(s) [${names.join(' ')}] simultaneously`;
      return rejectAll(all, { code: 'UnschedulableAndUnresolvable', reasons: [reason] }, names);
    }
  }
  let nodes = all;
  let absentNodes: { count: number; reasons: string[] } | undefined;
  if (allowed) {
    nodes = [...allowed].map((n) => snapshot.get(n)).filter((n): n is NodeInfo => n !== undefined);
    const reason = `node(s) didn't satisfy plugin(s) [${[...narrowedBy].sort().join(' ')}]`;
    absentNodes = { count: all.length - nodes.length, reasons: [reason] };
  }

  // Filter from a rotating start until enough feasible nodes are found.
  const filters = profile.filters.filter((p) => !skipFilter.has(p.name));
  const wanted = numFeasibleNodesToFind(profile.percentageOfNodesToScore, nodes.length);
  const feasible: NodeInfo[] = [];
  const diagnosis = new Map<string, readonly string[]>();
  const rejectedBy = new Set<string>(narrowedBy);
  const start = profile.sampling.nextStartNodeIndex;
  let processed = 0;
  for (let i = 0; i < nodes.length && feasible.length < wanted; i++) {
    const nodeInfo = nodes[(start + i) % nodes.length];
    processed++;
    let rejection: Status | undefined;
    for (const f of filters) {
      const s = f.filter(pod, nodeInfo, state);
      if (!isSuccess(s)) {
        rejection = s;
        rejectedBy.add(f.name);
        break;
      }
    }
    if (rejection) diagnosis.set(nodeInfo.name, rejection.reasons);
    else feasible.push(nodeInfo);
  }
  profile.sampling.nextStartNodeIndex = (start + processed) % all.length;

  if (feasible.length === 0) {
    const message = fitErrorMessage({ numAllNodes: all.length, nodeReasons: diagnosis.values(), absentNodes });
    return failure(message, diagnosis, rejectedBy);
  }
  if (feasible.length === 1) return { nodeName: feasible[0].name, evaluatedNodes: processed, feasibleNodes: 1 };

  // Score.
  const skipScore = new Set<string>();
  for (const p of profile.preScores) {
    const s = p.preScore(pod, state, feasible, snapshot);
    if (s.code === 'Skip') skipScore.add(p.name);
    else if (!isSuccess(s)) throw new Error(`PreScore plugin ${p.name} failed: ${statusMessage(s)}`);
  }
  const totals = new Array<number>(feasible.length).fill(0);
  const raw = new Array<number>(feasible.length);
  for (const { plugin, weight } of profile.scores) {
    if (skipScore.has(plugin.name)) continue;
    if (plugin.scoreNodes) plugin.scoreNodes(pod, feasible, state, raw);
    else for (let i = 0; i < feasible.length; i++) raw[i] = plugin.score(pod, feasible[i], state);
    plugin.normalize?.(raw, feasible, state);
    for (let i = 0; i < feasible.length; i++) totals[i] += raw[i] * weight;
  }
  return {
    nodeName: feasible[selectHost(totals, rng)].name,
    evaluatedNodes: processed,
    feasibleNodes: feasible.length,
  };
}

/** Index of the highest total; among equals each is equally likely (reservoir sampling). */
export function selectHost(totals: readonly number[], rng: Rng): number {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < totals.length; i++) {
    if (totals[i] > totals[best]) {
      best = i;
      ties = 1;
    } else if (totals[i] === totals[best]) {
      ties++;
      if (Math.floor(rng() * ties) === 0) best = i;
    }
  }
  return best;
}
