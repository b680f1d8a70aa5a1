/**
 * The simulated kubelet of the controllers benchmark: watches pods and, for
 * every bound pod, writes `Running` + `Ready=True` through `pods/status`, and
 * finishes the graceful deletion of terminating pods (grace period 0), a few
 * writes at a time, counting what it wrote.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../core/api/object.ts';
import { findResource, type ResourceInfo } from '../core/api/resources.ts';
import { rfc3339 } from '../core/api/time.ts';
import { systemContext } from '../core/registry/bootstrap.ts';
import { deleteObject } from '../core/registry/delete.ts';
import type { Registry } from '../core/registry/registry.ts';
import type { Store } from '../core/storage/store.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const CONCURRENCY = 8;

/** A running simulated kubelet. */
export interface SimulatedKubelet {
  /** Pod writes it has made (status updates and final deletes). */
  writes(): number;
  stop(): void;
}

/** Starts the simulated kubelet from the store's current revision. */
export async function startSimulatedKubelet(store: Store, registry: Registry): Promise<SimulatedKubelet> {
  const watch = await store.watch('pods', { fromRevision: await store.currentRevision('pods') });
  const pending = new Map<string, Pod>();
  const done = new Set<string>();
  let writes = 0;
  let running = 0;
  let stopped = false;
  const work = async (key: string, pod: Pod) => {
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const ctx = systemContext(new Date());
    try {
      if (pod.metadata?.deletionTimestamp) {
        await deleteObject(registry, { garbageCollector: false }, ctx, PODS, ns, name, {
          gracePeriodSeconds: 0,
          preconditions: { uid: pod.metadata.uid },
        });
      } else {
        const status = {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(ctx.now) }],
        };
        await registry.write(
          ctx,
          PODS,
          ns,
          name,
          (cur: KubeObject) => ({ ...cur, status: { ...(cur.status as object), ...status } }),
          'status',
          {
            uid: pod.metadata?.uid,
          },
        );
      }
      writes++;
      done.add(key);
    } catch {
      // Gone or changed: the watch brings the next state.
    }
  };
  const pump = () => {
    while (!stopped && running < CONCURRENCY && pending.size) {
      const [key, pod] = pending.entries().next().value as [string, Pod];
      pending.delete(key);
      running++;
      void work(key, pod).finally(() => {
        running--;
        pump();
      });
    }
  };
  void (async () => {
    for await (const e of watch) {
      if (e.type === 'DELETED') continue;
      const pod = e.object as unknown as Pod;
      if (!pod.spec?.nodeName) continue;
      const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      const key = `${pod.metadata?.uid}/${pod.metadata?.deletionTimestamp ? 'delete' : 'ready'}`;
      if (done.has(key) || (ready && !pod.metadata?.deletionTimestamp)) continue;
      pending.set(key, pod);
      pump();
    }
  })();
  return {
    writes: () => writes,
    stop() {
      stopped = true;
      watch.stop();
    },
  };
}
