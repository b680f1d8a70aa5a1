/**
 * How the kubelet configures containers, end to end with real Docker (one
 * node, 127.0.0.8): init containers in order, env from every source,
 * volumes with their file modes, downward API, working dir; and the
 * failure reports Kubernetes gives (OOMKilled, DeadlineExceeded,
 * CreateContainerConfigError, ErrImageNeverPull). Results come back through
 * the termination message.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentCluster, startAgentCluster, uniqueNodeName } from '../support/agent-cluster.ts';
import { dockerForTests } from '../support/docker.ts';
import { eventually } from '../support/local-cluster.ts';

const docker = await dockerForTests();
const skip = 'skip' in docker ? docker.skip : undefined;
if (skip) console.warn(`agent configuration tests skipped: ${skip}`);

const NODE = uniqueNodeName('config');

const waitFor = async <T>(check: () => Promise<T | undefined>, timeoutMs = 90_000, intervalMs = 500): Promise<T> =>
  (await eventually(check, timeoutMs, intervalMs)) as T;

describe.skipIf(skip)('container configuration', () => {
  let c: AgentCluster;
  const pod = async (name: string) => JSON.parse(await c.test.kubectlOk(['get', 'pod', name, '-o', 'json'])) as Pod;
  const apply = (yaml: string) => c.test.kubectlOk(['apply', '-f', '-'], { input: yaml });
  const phase = (name: string, want: string) =>
    waitFor(async () => {
      const p = await pod(name);
      return p.status?.phase === want ? p : undefined;
    });

  beforeAll(async () => {
    c = await startAgentCluster({ nodes: [{ name: NODE, ip: '127.0.0.8' }] });
  });
  afterAll(async () => {
    if (c && process.env.SKUBE_TEST_AGENT_LOGS) for (const a of c.agents.values()) console.log(a.output());
    await c?.cleanup();
  });

  it('runs init containers in order, then the app with env, volumes, modes and downward API', async () => {
    await apply(`
apiVersion: v1
kind: ConfigMap
metadata: { name: app-config }
data: { mode: fast, app.conf: "x=1" }
---
apiVersion: v1
kind: Secret
metadata: { name: app-secret }
stringData: { password: s3cret, key: KEY }
---
apiVersion: v1
kind: Pod
metadata: { name: configured, labels: { app: configured } }
spec:
  restartPolicy: Never
  volumes:
  - { name: work, emptyDir: {} }
  - { name: cfg, configMap: { name: app-config, items: [{ key: app.conf, path: app.conf, mode: 0600 }] } }
  - { name: sec, secret: { secretName: app-secret, defaultMode: 0400 } }
  - { name: info, downwardAPI: { items: [{ path: labels, fieldRef: { fieldPath: metadata.labels } }] } }
  initContainers:
  - { name: first, image: ${c.image}, command: [sh, -c, 'echo one > /work/order'], volumeMounts: [{ name: work, mountPath: /work }] }
  - { name: second, image: ${c.image}, command: [sh, -c, 'echo two >> /work/order'], volumeMounts: [{ name: work, mountPath: /work }] }
  containers:
  - name: app
    image: ${c.image}
    workingDir: /work
    resources: { limits: { memory: 64Mi } }
    envFrom: [{ configMapRef: { name: app-config }, prefix: CFG_ }]
    env:
    - { name: MODE, valueFrom: { configMapKeyRef: { name: app-config, key: mode } } }
    - { name: PW, valueFrom: { secretKeyRef: { name: app-secret, key: password } } }
    - { name: POD, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
    - { name: NODE, valueFrom: { fieldRef: { fieldPath: spec.nodeName } } }
    - { name: MEM, valueFrom: { resourceFieldRef: { resource: limits.memory, divisor: 1Mi } } }
    - { name: GREETING, value: 'mode is $(MODE)' }
    command:
    - sh
    - -c
    - >-
      { cat order; echo "MODE=$MODE PW=$PW POD=$POD NODE=$NODE MEM=$MEM CFG=$CFG_mode";
      echo "GREETING=$GREETING"; echo "PWD=$(pwd)";
      stat -c '%a' /cfg/app.conf /sec/key /sec/password; cat /cfg/app.conf; echo; cat /info/labels; echo;
      echo x > /cfg/new 2>/dev/null || echo read-only; } > /dev/termination-log
    volumeMounts:
    - { name: work, mountPath: /work }
    - { name: cfg, mountPath: /cfg }
    - { name: sec, mountPath: /sec }
    - { name: info, mountPath: /info }
`);
    const p = await phase('configured', 'Succeeded');
    expect(p.status!.initContainerStatuses!.map((s) => [s.name, s.state?.terminated?.reason])).toEqual([
      ['first', 'Completed'],
      ['second', 'Completed'],
    ]);
    const message = p.status!.containerStatuses![0].state!.terminated!.message!;
    expect(message.trim().split('\n')).toEqual([
      'one',
      'two',
      `MODE=fast PW=s3cret POD=configured NODE=${NODE} MEM=64 CFG=fast`,
      'GREETING=mode is fast',
      'PWD=/work',
      '600',
      '400',
      '400',
      'x=1',
      'app="configured"',
      'read-only',
    ]);
    expect(p.status!.conditions!.find((k) => k.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PodCompleted',
    });
  }, 240_000);

  it('reports an out-of-memory kill as OOMKilled and fails the pod', async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: { name: hungry }
spec:
  restartPolicy: Never
  containers:
  - name: app
    image: ${c.image}
    resources: { limits: { memory: 16Mi } }
    command: [sh, -c, 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo survived']
`);
    const p = await phase('hungry', 'Failed');
    expect(p.status!.containerStatuses![0].state!.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
  }, 240_000);

  it('fails a pod past its activeDeadlineSeconds with DeadlineExceeded', async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: { name: slowpoke }
spec:
  activeDeadlineSeconds: 3
  terminationGracePeriodSeconds: 1
  containers:
  - { name: app, image: ${c.image}, command: [sleep, '3600'] }
`);
    const p = await phase('slowpoke', 'Failed');
    expect(p.status).toMatchObject({
      reason: 'DeadlineExceeded',
      message: 'Pod was active on the node longer than the specified deadline',
    });
    await waitFor(async () => (await pod('slowpoke')).status!.containerStatuses![0].state!.terminated ?? undefined);
  }, 240_000);

  it.each([
    [
      'a missing ConfigMap',
      'config-error',
      'image: IMAGE, env: [{ name: X, valueFrom: { configMapKeyRef: { name: nope, key: x } } }]',
      'CreateContainerConfigError',
      'configmap "nope" not found',
    ],
    [
      'imagePullPolicy Never and no image',
      'never-pull',
      'image: skube-test/absent:1.0, imagePullPolicy: Never',
      'ErrImageNeverPull',
      'Container image "skube-test/absent:1.0" is not present with pull policy of Never',
    ],
  ])(
    'holds a container with %s waiting as %s',
    async (_what, name, container, reason, message) => {
      await apply(`
apiVersion: v1
kind: Pod
metadata: { name: ${name} }
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - { name: app, command: [sleep, '3600'], ${container.replace('IMAGE', c.image)} }
`);
      const waiting = await waitFor(async () => {
        const w = (await pod(name)).status?.containerStatuses?.[0]?.state?.waiting;
        return w?.reason === reason ? w : undefined;
      });
      expect(waiting.message).toBe(message);
      expect((await pod(name)).status!.phase).toBe('Pending');
    },
    240_000,
  );
});
