/**
 * Micro-benchmark of one scheduling cycle without the store: `BENCH_PODS`
 * identical ReplicaSet pods scheduled and assumed one after another over
 * `BENCH_NODES` simulated nodes (3 zones), as the loop does within a batch.
 * Prints JSON: wall and CPU microseconds per pod (the pure CPU side of
 * bench:scheduler) and max − min pods per node.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { createSchedulerCache } from '../core/scheduler/cache.ts';
import { buildProfile } from '../core/scheduler/config.ts';
import { schedulePod } from '../core/scheduler/schedule-pod.ts';

const NODES = Number(process.env.BENCH_NODES ?? 5000);
const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const allocatable = { cpu: '32', memory: '128Gi', pods: '250', 'ephemeral-storage': '100Gi' };
const nodes: Node[] = Array.from({ length: NODES }, (_, i) => ({
  metadata: {
    name: `node-${i}`,
    labels: { 'kubernetes.io/hostname': `node-${i}`, 'topology.kubernetes.io/zone': `zone-${i % 3}` },
  },
  status: { allocatable, capacity: allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
}));
const rs = {
  metadata: { name: 'web', namespace: 'bench', uid: 'rs-uid' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: {} },
};
const cache = createSchedulerCache({ nodes, replicaSets: [rs] });
const profile = buildProfile();
const pod = (i: number): Pod => ({
  metadata: {
    name: `web-${i}`,
    namespace: 'bench',
    uid: `uid-${i}`,
    labels: { app: 'web' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true }],
  },
  spec: { containers: [{ name: 'app', image: 'app', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
});
const started = performance.now();
const cpuBefore = process.cpuUsage();
const perNode = new Map<string, number>();
for (let i = 0; i < PODS; i++) {
  const p = pod(i);
  const r = schedulePod(p, cache.snapshot(), profile, Math.random);
  if (!('nodeName' in r)) throw new Error(r.message);
  cache.assume(p, r.nodeName);
  perNode.set(r.nodeName, (perNode.get(r.nodeName) ?? 0) + 1);
}
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
const counts = [...perNode.values()];
console.log(
  JSON.stringify({
    benchmark: 'scheduler-cycle',
    nodes: NODES,
    pods: PODS,
    microsecondsPerPod: Math.round((ms * 1000) / PODS),
    // CPU time, which the machine's other load changes less than wall time.
    cpuMicrosecondsPerPod: Math.round((cpu.user + cpu.system) / PODS),
    maxMinusMin: Math.max(...counts) - (perNode.size < NODES ? 0 : Math.min(...counts)),
  }),
);
