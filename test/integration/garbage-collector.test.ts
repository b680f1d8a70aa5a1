/**
 * The garbage collector in a local cluster, driven by the real kubectl:
 * `kubectl delete --cascade=background|foreground|orphan` of a Deployment
 * (Deployment → ReplicaSet → Pods), a foreground deletion held by a blocking
 * pod with a finalizer of its own, a dependent whose owner uid does not
 * match, and a cluster restart in the middle of foreground deletions. No
 * scheduler runs, so pods stay unbound and go at once when deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestCluster, type TestCluster } from '../support/local-cluster.ts';

interface Ref {
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}
interface Item {
  metadata: {
    name: string;
    uid: string;
    deletionTimestamp?: string;
    finalizers?: string[];
    ownerReferences?: Ref[];
  };
}

const deployment = (name: string, replicas = 2) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: default }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
      - { name: web, image: nginx:1.27 }
`;

/** Each test waits on several controllers of a loaded machine. */
const TEST_TIMEOUT = 180_000;

describe('garbage collector', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startTestCluster({ scheduler: false });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  const items = async (kind: string, selector: string): Promise<Item[]> =>
    (JSON.parse(await t.kubectlOk(['get', kind, '-l', selector, '-o', 'json'])) as { items: Item[] }).items;
  const get = async (kind: string, name: string): Promise<Item | undefined> => {
    const r = await t.kubectl(['get', kind, name, '-o', 'json']);
    if (r.code !== 0 && r.stderr.includes('NotFound')) return undefined;
    if (r.code !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as Item;
  };

  /** Applies Deployment `name` and waits for its ReplicaSet and `replicas` pods. */
  async function rollOut(name: string, replicas = 2): Promise<{ rs: Item; pods: Item[] }> {
    await t.kubectlOk(['apply', '-f', '-'], { input: deployment(name, replicas) });
    return eventually(
      async () => {
        const [rs] = await items('rs', `app=${name}`);
        const pods = await items('pods', `app=${name}`);
        return rs && pods.length === replicas ? { rs, pods } : undefined;
      },
      60_000,
      200,
    );
  }

  const gone = (kind: string, selector: string) =>
    eventually(async () => (await items(kind, selector)).length === 0, 60_000, 200);

  it(
    'deletes the ReplicaSet and pods after the Deployment with --cascade=background',
    async () => {
      await rollOut('bg');
      const out = await t.kubectlOk(['delete', 'deployment', 'bg', '--cascade=background']);
      expect(out).toContain('deployment.apps "bg" deleted');
      expect(await get('deployment', 'bg')).toBeUndefined();
      await gone('rs', 'app=bg');
      await gone('pods', 'app=bg');
    },
    TEST_TIMEOUT,
  );

  it(
    'removes the ReplicaSet and pods before the Deployment with --cascade=foreground',
    async () => {
      await rollOut('fg');
      // --wait (the default) returns once the Deployment is gone: by then its dependents are too.
      const out = await t.kubectlOk(['delete', 'deployment', 'fg', '--cascade=foreground', '--timeout=60s'], {
        timeoutMs: 90_000,
      });
      expect(out).toContain('deployment.apps "fg" deleted');
      expect(await get('deployment', 'fg')).toBeUndefined();
      expect(await items('rs', 'app=fg')).toEqual([]);
      expect(await items('pods', 'app=fg')).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'keeps the ReplicaSet without ownerReferences and its pods with --cascade=orphan',
    async () => {
      const { rs, pods } = await rollOut('or');
      await t.kubectlOk(['delete', 'deployment', 'or', '--cascade=orphan', '--timeout=60s'], { timeoutMs: 90_000 });
      expect(await get('deployment', 'or')).toBeUndefined();
      const left = await get('rs', rs.metadata.name);
      expect(left?.metadata.uid).toBe(rs.metadata.uid);
      expect(left?.metadata.ownerReferences).toBeUndefined();
      expect(left?.metadata.finalizers).toBeUndefined();
      const podsLeft = await items('pods', 'app=or');
      expect(podsLeft.map((p) => p.metadata.uid).sort()).toEqual(pods.map((p) => p.metadata.uid).sort());
      for (const p of podsLeft) {
        expect(p.metadata.ownerReferences).toEqual([
          expect.objectContaining({
            kind: 'ReplicaSet',
            name: rs.metadata.name,
            uid: rs.metadata.uid,
            controller: true,
          }),
        ]);
      }
      // Orphaning a ReplicaSet in turn leaves its pods without owners, and nothing adopts them back.
      await t.kubectlOk(['delete', 'rs', rs.metadata.name, '--cascade=orphan', '--timeout=60s'], { timeoutMs: 90_000 });
      const orphans = await items('pods', 'app=or');
      expect(orphans.map((p) => p.metadata.uid).sort()).toEqual(pods.map((p) => p.metadata.uid).sort());
      for (const p of orphans) expect(p.metadata.ownerReferences).toBeUndefined();
      await t.kubectlOk(['delete', 'pods', '-l', 'app=or']);
    },
    TEST_TIMEOUT,
  );

  it(
    'holds a foreground deletion while a blocking pod keeps a finalizer, then finishes',
    async () => {
      const { rs, pods } = await rollOut('held');
      const [held, other] = pods as [Item, Item];
      await t.kubectlOk([
        'patch',
        'pod',
        held.metadata.name,
        '--type=merge',
        '-p',
        '{"metadata":{"finalizers":["example.com/hold"]}}',
      ]);
      await t.kubectlOk(['delete', 'rs', rs.metadata.name, '--cascade=foreground', '--wait=false']);
      await eventually(async () => (await get('pod', other.metadata.name)) === undefined, 60_000, 200);
      const marked = await eventually(async () => {
        const p = await get('pod', held.metadata.name);
        return p?.metadata.deletionTimestamp ? p : undefined;
      }, 60_000);
      expect(marked.metadata.finalizers).toEqual(['example.com/hold']);
      const waiting = await get('rs', rs.metadata.name);
      expect(waiting?.metadata).toMatchObject({ finalizers: ['foregroundDeletion'] });
      expect(waiting?.metadata.deletionTimestamp).toBeTruthy();
      // The ReplicaSet being deleted creates no replacement for the pod that went.
      expect((await items('pods', 'app=held')).map((p) => p.metadata.name)).toEqual([held.metadata.name]);
      await t.kubectlOk(['patch', 'pod', held.metadata.name, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
      // The Deployment, which was not deleted, makes a new ReplicaSet (of the same name: the template did not change).
      await eventually(
        async () => {
          const now = await items('rs', 'app=held');
          return now.length === 1 && now[0]?.metadata.uid !== rs.metadata.uid;
        },
        60_000,
        200,
      );
      await t.kubectlOk(['delete', 'deployment', 'held']);
      await gone('pods', 'app=held');
    },
    TEST_TIMEOUT,
  );

  it(
    'collects a dependent whose owner uid does not match and keeps the one whose uid does',
    async () => {
      await t.kubectlOk(['create', 'configmap', 'owner']);
      const owner = (await get('configmap', 'owner')) as Item;
      const dependent = (name: string, uid: string) => `
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: default
  labels: { gc-test: uid }
  ownerReferences: [{ apiVersion: v1, kind: ConfigMap, name: owner, uid: ${uid} }]
`;
      await t.kubectlOk(['apply', '-f', '-'], {
        input: `${dependent('stale', '0d5c1c3e-0000-4000-8000-000000000000')}---${dependent('right', owner.metadata.uid)}`,
      });
      await eventually(async () => (await get('configmap', 'stale')) === undefined, 60_000, 200);
      expect((await items('configmap', 'gc-test=uid')).map((c) => c.metadata.name)).toEqual(['right']);
      await t.kubectlOk(['delete', 'configmap', 'owner']);
      await gone('configmap', 'gc-test=uid');
    },
    TEST_TIMEOUT,
  );

  it(
    'finishes foreground deletions begun before a restart',
    async () => {
      const a = await rollOut('ra');
      await rollOut('rb');
      await t.kubectlOk([
        'patch',
        'pod',
        a.pods[0]?.metadata.name ?? '',
        '--type=merge',
        '-p',
        '{"metadata":{"finalizers":["example.com/hold"]}}',
      ]);
      await t.kubectlOk(['delete', 'deployment', 'ra', 'rb', '--cascade=foreground', '--wait=false']);
      await t.stop();
      await t.restart();
      await eventually(async () => (await get('deployment', 'rb')) === undefined, 60_000, 200);
      expect(await items('rs', 'app=rb')).toEqual([]);
      expect(await items('pods', 'app=rb')).toEqual([]);
      const held = await get('deployment', 'ra');
      expect(held?.metadata.finalizers).toEqual(['foregroundDeletion']);
      await t.kubectlOk([
        'patch',
        'pod',
        a.pods[0]?.metadata.name ?? '',
        '--type=merge',
        '-p',
        '{"metadata":{"finalizers":null}}',
      ]);
      await eventually(async () => (await get('deployment', 'ra')) === undefined, 60_000, 200);
      expect(await items('rs', 'app=ra')).toEqual([]);
      expect(await items('pods', 'app=ra')).toEqual([]);
    },
    TEST_TIMEOUT,
  );
});
