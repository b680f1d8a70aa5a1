/** Helpers of the scheduler benchmark: a watch recording when each pod was bound, and summary statistics. */
import type { Store, StoreWatch } from '../core/storage/store.ts';

/** When (performance.now()) and where each pod was first seen bound. */
export interface BindWatch {
  readonly boundAt: Map<string, number>;
  readonly nodeOf: Map<string, string>;
  stop(): void;
}

/** Watches pods from the current revision and records the first bound state of each, by name. */
export async function watchBindings(store: Store): Promise<BindWatch> {
  const boundAt = new Map<string, number>();
  const nodeOf = new Map<string, string>();
  const watch: StoreWatch = await store.watch('pods', { fromRevision: await store.currentRevision('pods') });
  void (async () => {
    for await (const e of watch) {
      const name = e.object.metadata.name ?? '';
      const node = (e.object.spec as { nodeName?: string } | undefined)?.nodeName;
      if (node && !boundAt.has(name)) {
        boundAt.set(name, performance.now());
        nodeOf.set(name, node);
      }
    }
  })();
  return { boundAt, nodeOf, stop: () => watch.stop() };
}

/** The nearest-rank percentile of ascending `sorted` values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Pods per node over `nodeCount` nodes (nodes with none count as 0): min, max and their difference. */
export function maxMinusMin(
  nodes: readonly string[],
  nodeCount: number,
): { min: number; max: number; maxMinusMin: number } {
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n, (counts.get(n) ?? 0) + 1);
  const values = [...counts.values()];
  const min = counts.size < nodeCount ? 0 : Math.min(...values);
  const max = Math.max(0, ...values);
  return { min, max, maxMinusMin: max - min };
}
