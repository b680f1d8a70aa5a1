/**
 * Proportional scaling in a local cluster, driven by the real kubectl: a
 * Deployment of 10 (25% surge / 25% unavailable) whose rollout is stuck half
 * way (the new pods never become ready: there is no node agent) is scaled
 * with `kubectl scale`, and the change is spread over both ReplicaSets as
 * Kubernetes spreads it.
 */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestCluster, type TestCluster } from '../support/local-cluster.ts';

const DEPLOYMENT = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: default }
spec:
  replicas: 10
  strategy: { type: RollingUpdate, rollingUpdate: { maxSurge: 25%, maxUnavailable: 25% } }
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
      - name: web
        image: nginx:1.27
`;

describe('Deployment proportional scaling', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startTestCluster({ scheduler: false });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await t.kubectlOk([...args, '-o', 'json'])) as T;
  /** ReplicaSet sizes by image. */
  const sizes = async () => {
    const sets = (await json<{ items: ReplicaSet[] }>(['get', 'rs', '-l', 'app=web'])).items;
    return Object.fromEntries(sets.map((rs) => [rs.spec?.template?.spec?.containers[0]?.image, rs.spec?.replicas]));
  };
  const until = (want: Record<string, number>) =>
    eventually(async () => JSON.stringify(await sizes()) === JSON.stringify(want), 60_000).catch(async () => {
      throw new Error(`ReplicaSets are ${JSON.stringify(await sizes())}, not ${JSON.stringify(want)}`);
    });

  it('spreads a scale in the middle of a rollout over the old and new ReplicaSets', async () => {
    await t.kubectlOk(['apply', '-f', '-'], { input: DEPLOYMENT });
    // Play the kubelet for the first revision only: its pods become ready, the new ones never do.
    await eventually(async () => {
      const pods = (await json<{ items: Pod[] }>(['get', 'pods', '-l', 'app=web'])).items;
      const waiting = pods.filter((p) => !p.status?.conditions?.some((c) => c.type === 'Ready'));
      for (const p of waiting) {
        const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
        await t.kubectlOk([
          'patch',
          'pod',
          p.metadata?.name ?? '',
          '--subresource=status',
          '--type=merge',
          '-p',
          JSON.stringify({ status }),
        ]);
      }
      const d = await json<{ status?: { availableReplicas?: number } }>(['get', 'deployment', 'web']);
      return pods.length === 10 && d.status?.availableReplicas === 10;
    }, 60_000);
    await t.kubectlOk(['set', 'image', 'deployment/web', 'web=nginx:1.28']);
    await until({ 'nginx:1.27': 8, 'nginx:1.28': 5 });

    await t.kubectlOk(['scale', 'deployment/web', '--replicas=15']);
    // 15 + 4 surge = 19 over 8/5 of 13: old 8 × 19/13 ≈ 12, new 5 × 19/13 ≈ 7.
    await until({ 'nginx:1.27': 12, 'nginx:1.28': 7 });

    await t.kubectlOk(['scale', 'deployment/web', '--replicas=5']);
    // 5 + 2 surge = 7 over 12/7 of 19: old 12 × 7/19 ≈ 4, new 7 × 7/19 ≈ 3.
    await until({ 'nginx:1.27': 4, 'nginx:1.28': 3 });
    const events = (
      await json<{ items: { reason: string; message: string }[] }>([
        'get',
        'events',
        '--field-selector',
        'involvedObject.kind=Deployment',
      ])
    ).items;
    expect(events.map((e) => e.message)).toContainEqual(
      expect.stringMatching(/^Scaled up replica set web-\w+ from 8 to 12$/),
    );
  });
});
