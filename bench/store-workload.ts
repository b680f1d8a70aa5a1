/**
 * What the storage benchmark does to each target at one concurrency level:
 * create pods, update their status with a watch open (each writer owns its
 * pods, as each kubelet owns its node's, so writers never conflict), get
 * them, and list a namespace of pre-created pods. Each phase stops after
 * `ops` operations or `seconds`, whichever comes first.
 */
import { percentile } from './harness.ts';
import { makeBenchPod, withStatusUpdate } from './store-pod.ts';
import type { StoreTarget } from './store-targets.ts';

/** Limits of one phase. */
export interface PhaseLimits {
  ops: number;
  seconds: number;
}

/** Throughput and latency of one phase. */
export interface PhaseResult {
  ops: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
  errors?: { count: number; first: string };
}

/** Watch delivery: time from a write's acknowledgement to its event reaching the watcher. */
export interface WatchResult {
  events: number;
  /** Acknowledged writes whose event never arrived within the grace period. */
  missing: number;
  p50ms: number;
  p99ms: number;
  /** Events that arrived before the write's acknowledgement (counted as 0 ms above). */
  beforeAck: number;
  /** Time from the start of the write to its event, for context. */
  fromWriteStart: { p50ms: number; p99ms: number };
}

/** Everything measured at one concurrency level. */
export interface LevelResult {
  writers: number;
  create: PhaseResult;
  update: PhaseResult;
  get: PhaseResult;
  list: PhaseResult & { items: number };
  watch: WatchResult;
}

/** How long a watch may lag behind the last acknowledged write before its events count as missing. */
const WATCH_GRACE_MS = 5_000;

/**
 * Runs `op` with `concurrency` workers until `limits` are reached. `op` gets
 * the global operation number, the worker number and that worker's own count.
 */
export async function runPhase(
  limits: PhaseLimits,
  concurrency: number,
  op: (i: number, worker: number, j: number) => Promise<void>,
): Promise<PhaseResult> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError = '';
  const started = performance.now();
  const deadline = started + limits.seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let j = 0; next < limits.ops && performance.now() < deadline; j++) {
        const i = next++;
        const t = performance.now();
        try {
          await op(i, worker, j);
          latencies.push(performance.now() - t);
        } catch (e) {
          if (errors++ === 0) firstError = e instanceof Error ? e.message : String(e);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const result: PhaseResult = {
    ops: latencies.length,
    seconds: Math.round(seconds * 1000) / 1000,
    perSecond: Math.round(latencies.length / seconds),
    p50ms: percentile(latencies, 50),
    p99ms: percentile(latencies, 99),
  };
  if (errors) result.errors = { count: errors, first: firstError };
  return result;
}

/**
 * Creates `count` pods in `namespace` for the list phases. Two writers: more
 * only make DynamoDB's writers race for the revision counter.
 */
export async function fillNamespace(target: StoreTarget, namespace: string, count: number): Promise<PhaseResult> {
  return runPhase({ ops: count, seconds: Number.POSITIVE_INFINITY }, 2, async (i) => {
    await target.create(makeBenchPod(namespace, podName(i)));
  });
}

/** Pods written by a create phase: resourceVersions by pod number, and which pods each writer owns. */
export interface CreatedPods {
  rvs: string[];
  /** Worker w owns every writers-th pod from its own index on, so no two writers touch one pod. */
  owned: number[][];
}

/** The create phase: pods `podName(0…)` in `namespace`. */
export async function createPhase(
  target: StoreTarget,
  namespace: string,
  writers: number,
  limits: PhaseLimits,
): Promise<{ result: PhaseResult; pods: CreatedPods }> {
  const rvs: string[] = [];
  const result = await runPhase(limits, writers, async (i) => {
    rvs[i] = await target.create(makeBenchPod(namespace, podName(i)));
  });
  // A slow backend may create fewer pods in a short phase than there are writers; top up, untimed.
  for (let i = rvs.length; rvs.filter(Boolean).length < writers; i++) {
    rvs[i] = await target.create(makeBenchPod(namespace, podName(i)));
  }
  const all = rvs.flatMap((rv, i) => (rv === undefined ? [] : [i]));
  const owned = Array.from({ length: writers }, (_, w) => all.filter((_, k) => k % writers === w));
  return { result, pods: { rvs, owned } };
}

/** The status-update phase over pods from `createPhase`; `onAck` hears of each acknowledged write. */
export function updatePhase(
  target: StoreTarget,
  namespace: string,
  limits: PhaseLimits,
  pods: CreatedPods,
  onAck?: (name: string, rv: string, start: number) => void,
): Promise<PhaseResult> {
  const { rvs, owned } = pods;
  return runPhase(limits, owned.length, async (i, w, j) => {
    const index = owned[w][j % owned[w].length];
    const start = performance.now();
    const rv = await target.update(withStatusUpdate(makeBenchPod(namespace, podName(index)), i + 1), rvs[index]);
    onAck?.(podName(index), rv, start);
    rvs[index] = rv;
  });
}

/** Measures `target` at one concurrency level; `listNamespace` holds the pods the list phase reads. */
export async function runLevel(
  target: StoreTarget,
  writers: number,
  limits: PhaseLimits,
  listNamespace: string,
  listLimits: PhaseLimits,
): Promise<LevelResult> {
  const ns = `bench-c${writers}`;
  const { result: create, pods } = await createPhase(target, ns, writers, limits);
  const all = pods.owned.flat();

  const events = new Map<string, number>();
  const acks = new Map<string, { start: number; ack: number }>();
  const stopWatch = await target.watch(ns, (name, rv, at) => events.set(`${name}@${rv}`, at));
  const update = await updatePhase(target, ns, limits, pods, (name, rv, start) =>
    acks.set(`${name}@${rv}`, { start, ack: performance.now() }),
  );
  const graceEnd = performance.now() + WATCH_GRACE_MS;
  while ([...acks.keys()].some((k) => !events.has(k)) && performance.now() < graceEnd) {
    await new Promise((r) => setTimeout(r, 20));
  }
  stopWatch();

  const get = await runPhase(limits, writers, async (i) => {
    await target.get(ns, podName(all[i % all.length]));
  });
  let items = 0;
  const list = await runPhase(listLimits, writers, async () => {
    items = await target.list(listNamespace);
  });
  return { writers, create, update, get, list: { ...list, items }, watch: watchResult(acks, events) };
}

/** A pod name as a ReplicaSet would generate it. */
export const podName = (i: number) => `web-7c5ddbdf54-${i.toString(36).padStart(5, '0')}`;

function watchResult(acks: Map<string, { start: number; ack: number }>, events: Map<string, number>): WatchResult {
  const afterAck: number[] = [];
  const fromStart: number[] = [];
  let missing = 0;
  let beforeAck = 0;
  for (const [k, { start, ack }] of acks) {
    const at = events.get(k);
    if (at === undefined) {
      missing++;
      continue;
    }
    if (at < ack) beforeAck++;
    afterAck.push(Math.max(0, at - ack));
    fromStart.push(at - start);
  }
  return {
    events: afterAck.length,
    missing,
    p50ms: percentile(afterAck, 50),
    p99ms: percentile(afterAck, 99),
    beforeAck,
    fromWriteStart: { p50ms: percentile(fromStart, 50), p99ms: percentile(fromStart, 99) },
  };
}
