/**
 * Write throughput of several targets against a reference (the SQLite store
 * against etcd) in alternating rounds. On a shared machine the background
 * load drifts over minutes, so backends measured one after the other can
 * differ by several times for reasons of their own; rounds that take turns
 * (in a rotating order) spread that drift over every target, and the median
 * of the per-round ratios is what the target is judged by.
 */
import { createPhase, type PhaseLimits, updatePhase } from './store-workload.ts';
import type { StoreTarget } from './store-targets.ts';

/** Writes per second of one target in one round. */
export interface WriteRate {
  create: number;
  update: number;
  /** Creates and updates together: all writes over the time both phases took. */
  writes: number;
}

/** The rounds, and each target's median ratio over the reference. */
export interface HeadToHead {
  writers: number;
  reference: string;
  rounds: Record<string, WriteRate>[];
  /** Per target: the median over rounds of its rate divided by the reference's in the same round. */
  medianRatio: Record<string, WriteRate>;
}

/** Runs `rounds` rounds of create + status-update phases at `writers` on every target and the reference. */
export async function headToHead(
  targets: StoreTarget[],
  reference: StoreTarget,
  writers: number,
  limits: PhaseLimits,
  rounds: number,
): Promise<HeadToHead> {
  const all = [...targets, reference];
  const results: Record<string, WriteRate>[] = [];
  for (let round = 0; round < rounds; round++) {
    const rates: Record<string, WriteRate> = {};
    for (let k = 0; k < all.length; k++) {
      const target = all[(k + round) % all.length];
      const ns = `h2h-${round}`;
      const { result: create, pods } = await createPhase(target, ns, writers, limits);
      const update = await updatePhase(target, ns, limits, pods);
      rates[target.name] = {
        create: create.perSecond,
        update: update.perSecond,
        writes: Math.round((create.ops + update.ops) / (create.seconds + update.seconds)),
      };
    }
    results.push(rates);
  }
  const medianRatio: Record<string, WriteRate> = {};
  for (const t of targets) {
    const ratio = (field: keyof WriteRate) => median(results.map((r) => r[t.name][field] / r[reference.name][field]));
    medianRatio[t.name] = { create: ratio('create'), update: ratio('update'), writes: ratio('writes') };
  }
  return { writers, reference: reference.name, rounds: results, medianRatio };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const m = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return Math.round(m * 100) / 100;
}
