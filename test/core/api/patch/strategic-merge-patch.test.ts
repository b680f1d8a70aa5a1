import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../core/api/object.ts';
import { applyStrategicMergePatch } from '../../../../core/api/patch/strategic-merge-patch.ts';
import { StatusError } from '../../../../core/errors/index.ts';

const POD = { group: '', version: 'v1', kind: 'Pod' };
const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };
const SERVICE = { group: '', version: 'v1', kind: 'Service' };
const NODE = { group: '', version: 'v1', kind: 'Node' };

const pod = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default' },
  spec,
  ...extra,
});
const c = (name: string, more: Record<string, unknown> = {}) => ({ name, image: `${name}:1`, ...more });

interface Case {
  name: string;
  gvk?: typeof POD;
  original: KubeObject;
  patch: Record<string, unknown>;
  expected: KubeObject;
}

const cases: Case[] = [
  {
    name: 'merges maps and deletes keys set to null',
    original: pod({}, { metadata: { name: 'p', labels: { a: '1', b: '2' } } }),
    patch: { metadata: { labels: { b: null, c: '3' } } },
    expected: pod({}, { metadata: { name: 'p', labels: { a: '1', c: '3' } } }),
  },
  {
    name: 'merges containers by name and keeps the live order',
    original: pod({ containers: [c('app'), c('log', { args: ['-f'] })] }),
    patch: { spec: { containers: [{ name: 'log', image: 'log:2' }] } },
    expected: pod({ containers: [c('app'), c('log', { image: 'log:2', args: ['-f'] })] }),
  },
  {
    name: 'puts a container the live list lacks first, as Kubernetes does',
    original: pod({ containers: [c('app'), c('log')] }),
    patch: { spec: { containers: [c('new')] } },
    expected: pod({ containers: [c('new'), c('app'), c('log')] }),
  },
  {
    name: 'deletes a container with $patch: delete',
    original: pod({ containers: [c('app'), c('log')] }),
    patch: { spec: { containers: [{ name: 'log', $patch: 'delete' }] } },
    expected: pod({ containers: [c('app')] }),
  },
  {
    name: 'reorders containers with $setElementOrder',
    original: pod({ containers: [c('one'), c('two'), c('three')] }),
    patch: { spec: { '$setElementOrder/containers': [{ name: 'three' }, { name: 'one' }, { name: 'two' }] } },
    expected: pod({ containers: [c('three'), c('one'), c('two')] }),
  },
  {
    name: 'interleaves server-only items by their live position under $setElementOrder',
    original: pod({ containers: [c('a'), c('server'), c('b')] }),
    patch: {
      spec: {
        '$setElementOrder/containers': [{ name: 'new' }, { name: 'a' }, { name: 'b' }],
        containers: [c('new')],
      },
    },
    expected: pod({ containers: [c('new'), c('a'), c('server'), c('b')] }),
  },
  {
    name: 'places server-only items by the live list as Kubernetes edits it in place',
    original: pod({ containers: [c('a'), c('b'), c('injected')] }),
    patch: {
      spec: {
        '$setElementOrder/containers': [{ name: 'a' }, { name: 'c' }],
        containers: [c('c'), { name: 'b', $patch: 'delete' }],
      },
    },
    expected: pod({ containers: [c('a'), c('injected'), c('c')] }),
  },
  {
    name: 'replaces the whole list for a $patch: replace element',
    original: pod({ containers: [c('app'), c('log')] }),
    patch: { spec: { containers: [{ $patch: 'replace' }, c('only')] } },
    expected: pod({ containers: [c('only')] }),
  },
  {
    name: 'deletes every item sharing the merge key',
    original: pod({ containers: [c('a'), c('dup'), c('dup', { image: 'x' })] }),
    patch: { spec: { containers: [{ name: 'dup', $patch: 'delete' }] } },
    expected: pod({ containers: [c('a')] }),
  },
  {
    name: 'merges env by name inside a merged container',
    original: pod({
      containers: [
        c('app', {
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
        }),
      ],
    }),
    patch: { spec: { containers: [{ name: 'app', env: [{ name: 'B', value: 'two' }] }] } },
    expected: pod({
      containers: [
        c('app', {
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: 'two' },
          ],
        }),
      ],
    }),
  },
  {
    name: 'replaces envFrom, which is atomic',
    original: pod({ containers: [c('app', { envFrom: [{ configMapRef: { name: 'a' } }] })] }),
    patch: { spec: { containers: [{ name: 'app', envFrom: [{ secretRef: { name: 'b' } }] }] } },
    expected: pod({ containers: [c('app', { envFrom: [{ secretRef: { name: 'b' } }] })] }),
  },
  {
    name: 'merges container ports by containerPort',
    original: pod({ containers: [c('app', { ports: [{ containerPort: 80, protocol: 'TCP' }] })] }),
    patch: {
      spec: { containers: [{ name: 'app', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 9090 }] }] },
    },
    expected: pod({
      containers: [
        c('app', { ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 9090 }] }),
      ],
    }),
  },
  {
    name: 'merges volumeMounts by mountPath and volumeDevices by devicePath',
    original: pod({
      containers: [
        c('app', {
          volumeMounts: [{ name: 'a', mountPath: '/a' }],
          volumeDevices: [{ name: 'd', devicePath: '/dev/d' }],
        }),
      ],
    }),
    patch: {
      spec: {
        containers: [
          {
            name: 'app',
            volumeMounts: [{ name: 'a', mountPath: '/a', readOnly: true }],
            volumeDevices: [{ name: 'e', devicePath: '/dev/d' }],
          },
        ],
      },
    },
    expected: pod({
      containers: [
        c('app', {
          volumeMounts: [{ name: 'a', mountPath: '/a', readOnly: true }],
          volumeDevices: [{ name: 'e', devicePath: '/dev/d' }],
        }),
      ],
    }),
  },
  {
    name: 'merges initContainers, imagePullSecrets, hostAliases and topologySpreadConstraints by their keys',
    original: pod({
      initContainers: [c('init')],
      imagePullSecrets: [{ name: 'reg' }],
      hostAliases: [{ ip: '10.0.0.1', hostnames: ['a'] }],
      topologySpreadConstraints: [{ topologyKey: 'zone', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' }],
    }),
    patch: {
      spec: {
        initContainers: [{ name: 'init', image: 'init:2' }],
        imagePullSecrets: [{ name: 'reg2' }],
        hostAliases: [{ ip: '10.0.0.1', hostnames: ['b'] }],
        topologySpreadConstraints: [{ topologyKey: 'zone', maxSkew: 2 }],
      },
    },
    expected: pod({
      initContainers: [c('init', { image: 'init:2' })],
      imagePullSecrets: [{ name: 'reg2' }, { name: 'reg' }],
      hostAliases: [{ ip: '10.0.0.1', hostnames: ['b'] }],
      topologySpreadConstraints: [{ topologyKey: 'zone', maxSkew: 2, whenUnsatisfiable: 'DoNotSchedule' }],
    }),
  },
  {
    name: 'replaces lists without a strategy (tolerations, args)',
    original: pod({ tolerations: [{ key: 'a' }], containers: [c('app', { args: ['x', 'y'] })] }),
    patch: { spec: { tolerations: [{ key: 'b' }], containers: [{ name: 'app', args: ['z'] }] } },
    expected: pod({ tolerations: [{ key: 'b' }], containers: [c('app', { args: ['z'] })] }),
  },
  {
    name: 'merges pod conditions by type',
    original: pod(
      {},
      {
        status: {
          conditions: [
            { type: 'Ready', status: 'False' },
            { type: 'Initialized', status: 'True' },
          ],
        },
      },
    ),
    patch: { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    expected: pod(
      {},
      {
        status: {
          conditions: [
            { type: 'Ready', status: 'True' },
            { type: 'Initialized', status: 'True' },
          ],
        },
      },
    ),
  },
  {
    name: 'merges ownerReferences by uid',
    original: pod({}, { metadata: { name: 'p', ownerReferences: [{ uid: 'u1', name: 'rs', kind: 'ReplicaSet' }] } }),
    patch: { metadata: { ownerReferences: [{ uid: 'u1', controller: true }] } },
    expected: pod(
      {},
      { metadata: { name: 'p', ownerReferences: [{ uid: 'u1', name: 'rs', kind: 'ReplicaSet', controller: true }] } },
    ),
  },
  {
    name: 'takes the union of finalizers',
    original: pod({}, { metadata: { name: 'p', finalizers: ['x/a', 'x/b'] } }),
    patch: { metadata: { finalizers: ['x/b', 'x/c'] } },
    expected: pod({}, { metadata: { name: 'p', finalizers: ['x/a', 'x/b', 'x/c'] } }),
  },
  {
    name: 'puts finalizers the live list lacks first, as Kubernetes does',
    original: pod({}, { metadata: { name: 'p', finalizers: ['x/a', 'x/b'] } }),
    patch: { metadata: { finalizers: ['x/c'] } },
    expected: pod({}, { metadata: { name: 'p', finalizers: ['x/c', 'x/a', 'x/b'] } }),
  },
  {
    name: 'removes finalizers listed in $deleteFromPrimitiveList',
    original: pod({}, { metadata: { name: 'p', finalizers: ['x/a', 'x/b', 'x/a'] } }),
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['x/a'] } },
    expected: pod({}, { metadata: { name: 'p', finalizers: ['x/b'] } }),
  },
  {
    name: 'ignores $deleteFromPrimitiveList for a list that is not there',
    original: pod({}),
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['x/a'] } },
    expected: pod({}),
  },
  {
    name: 'replaces a map with $patch: replace',
    original: pod({ nodeSelector: { zone: 'a', disk: 'ssd' } }),
    patch: { spec: { nodeSelector: { $patch: 'replace', zone: 'b' } } },
    expected: pod({ nodeSelector: { zone: 'b' } }),
  },
  {
    name: 'empties a map with $patch: delete',
    original: pod({ nodeSelector: { zone: 'a' } }),
    patch: { spec: { nodeSelector: { $patch: 'delete' } } },
    expected: pod({ nodeSelector: {} }),
  },
  {
    name: 'drops a directive map that has no live counterpart',
    original: pod({}),
    patch: { spec: { nodeSelector: { $patch: 'replace', zone: 'b' } } },
    expected: pod({}),
  },
  {
    name: 'drops nulls and directives from values new to the object',
    original: pod({}),
    patch: {
      spec: {
        affinity: { nodeAffinity: null, podAffinity: { x: { $patch: 'delete' } } },
        containers: [c('a', { env: null })],
      },
    },
    expected: pod({ affinity: { podAffinity: {} }, containers: [c('a')] }),
  },
  {
    name: 'replaces a value of another JSON kind',
    original: pod({ containers: [c('app', { command: 'sh' })] }),
    patch: { spec: { containers: [{ name: 'app', command: ['sh', '-c'] }] } },
    expected: pod({ containers: [c('app', { command: ['sh', '-c'] })] }),
  },
  {
    name: 'keeps only the volume source named in $retainKeys',
    original: pod({
      volumes: [
        { name: 'data', emptyDir: {} },
        { name: 'other', emptyDir: {} },
      ],
    }),
    patch: {
      spec: {
        '$setElementOrder/volumes': [{ name: 'data' }, { name: 'other' }],
        volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cfg' }, emptyDir: null, name: 'data' }],
      },
    },
    expected: pod({
      volumes: [
        { name: 'data', configMap: { name: 'cfg' } },
        { name: 'other', emptyDir: {} },
      ],
    }),
  },
  {
    name: 'merges Service ports by port',
    gvk: SERVICE,
    original: {
      kind: 'Service',
      metadata: { name: 's' },
      spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] },
    },
    patch: { spec: { ports: [{ port: 80, targetPort: 9090 }] } },
    expected: {
      kind: 'Service',
      metadata: { name: 's' },
      spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] },
    },
  },
  {
    name: 'merges node addresses and conditions by type',
    gvk: NODE,
    original: {
      kind: 'Node',
      metadata: { name: 'n' },
      status: {
        addresses: [
          { type: 'InternalIP', address: '10.0.0.1' },
          { type: 'Hostname', address: 'n' },
        ],
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    },
    patch: {
      status: {
        addresses: [{ type: 'InternalIP', address: '10.0.0.2' }],
        conditions: [{ type: 'MemoryPressure', status: 'False' }],
      },
    },
    expected: {
      kind: 'Node',
      metadata: { name: 'n' },
      status: {
        addresses: [
          { type: 'InternalIP', address: '10.0.0.2' },
          { type: 'Hostname', address: 'n' },
        ],
        conditions: [
          { type: 'MemoryPressure', status: 'False' },
          { type: 'Ready', status: 'True' },
        ],
      },
    },
  },
  {
    name: 'merges the autoscaling/v1 Scale of a deployment',
    gvk: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
    original: { kind: 'Scale', metadata: { name: 'd' }, spec: { replicas: 1 }, status: { replicas: 1 } },
    patch: { spec: { replicas: 3 } },
    expected: { kind: 'Scale', metadata: { name: 'd' }, spec: { replicas: 3 }, status: { replicas: 1 } },
  },
];

describe('applyStrategicMergePatch', () => {
  it.each(cases)('$name', ({ gvk, original, patch, expected }) => {
    expect(applyStrategicMergePatch(original, patch, gvk ?? POD)).toEqual(expected);
  });

  it('modifies neither the object nor the patch', () => {
    const original = pod({ containers: [c('app'), c('log')] });
    const patch = {
      spec: { '$setElementOrder/containers': [{ name: 'app' }], containers: [{ name: 'log', $patch: 'delete' }] },
    };
    const before = structuredClone({ original, patch });
    applyStrategicMergePatch(original, patch, POD);
    expect({ original, patch }).toEqual(before);
  });

  it('ignores a __proto__ key instead of changing the prototype', () => {
    const out = applyStrategicMergePatch(pod({}), JSON.parse('{"spec":{"__proto__":{"polluted":true}}}'), POD);
    expect(Object.getPrototypeOf(out.spec)).toBe(Object.prototype);
    expect((out.spec as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('replaces the whole object for a top-level $patch: replace', () => {
    const out = applyStrategicMergePatch(pod({ a: 1 }), { $patch: 'replace', metadata: { name: 'q' } }, POD);
    expect(out).toEqual({ metadata: { name: 'q' } });
  });

  it.each([
    {
      why: 'a merge-list item lacks its merge key',
      patch: { spec: { containers: [{ image: 'x' }] } },
      msg: /does not contain declared merge key: name/,
    },
    {
      why: 'a deletion lacks its merge key',
      patch: { spec: { containers: [{ $patch: 'delete' }] } },
      msg: /declared merge key: name/,
    },
    {
      why: '$patch: merge is used on a list element',
      patch: { spec: { containers: [{ name: 'a', $patch: 'merge' }] } },
      msg: /merging lists cannot yet be specified/,
    },
    { why: '$patch: merge is used on a map', patch: { spec: { $patch: 'merge' } }, msg: /unknown patch type: "merge"/ },
    {
      why: 'an unknown directive is used',
      patch: { spec: { containers: [{ name: 'a', $patch: 'zap' }] } },
      msg: /unknown patch type: "zap"/,
    },
    {
      why: '$retainKeys omits a key the patch sets',
      patch: { spec: { $retainKeys: ['a'], b: 1 } },
      msg: /invalid patch format of retainKeys/,
    },
    {
      why: '$retainKeys is not a list',
      patch: { spec: { $retainKeys: 'a' } },
      msg: /invalid patch format of retainKeys/,
    },
    {
      why: '$setElementOrder contradicts the patch list',
      patch: {
        spec: {
          '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }],
          containers: [{ name: 'a' }, { name: 'b' }],
        },
      },
      msg: /doesn't match \$setElementOrder list/,
    },
    {
      why: 'a directive prefix is malformed',
      patch: { spec: { '$setElementOrderX/containers': [] } },
      msg: /invalid patch format of setElementOrder list/,
    },
    {
      why: 'a primitive deletion list is malformed',
      patch: { metadata: { $deleteFromPrimitiveListfinalizers: ['a'] } },
      msg: /invalid patch format of primitive list/,
    },
    {
      why: 'a list mixes kinds',
      patch: { metadata: { finalizers: [['a']] } },
      msg: /list element types are not identical/,
    },
  ])('throws 400 when $why', ({ patch, msg }) => {
    const original = pod({ containers: [c('a'), c('b')] }, { metadata: { name: 'p', finalizers: ['x'] } });
    const err = catchError(() => applyStrategicMergePatch(original, patch, POD));
    expect(err.code).toBe(400);
    expect(err.message).toMatch(msg);
  });

  it('throws 400 when a merging list holds lists', () => {
    const original = pod({}, { metadata: { name: 'p', finalizers: [] } });
    const err = catchError(() => applyStrategicMergePatch(original, { metadata: { finalizers: [['a']] } }, POD));
    expect(err.message).toMatch(/lists of lists are not supported/);
  });

  it('throws 400 for a patch that is not an object', () => {
    expect(catchError(() => applyStrategicMergePatch(pod({}), [1], POD)).code).toBe(400);
  });

  it('throws 415 for a kind without patch metadata', () => {
    const err = catchError(() =>
      applyStrategicMergePatch(pod({}), {}, { group: 'example.com', version: 'v1', kind: 'Widget' }),
    );
    expect(err.code).toBe(415);
    expect(err.reason).toBe('UnsupportedMediaType');
  });

  it('applies the patch kubectl rollout restart sends', () => {
    const original = deployment();
    const patch = {
      spec: {
        template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-02T03:04:05Z' } } },
      },
    };
    const expected = deployment();
    (expected.spec as any).template.metadata.annotations = {
      'kubectl.kubernetes.io/restartedAt': '2025-01-02T03:04:05Z',
    };
    expect(applyStrategicMergePatch(original, patch, DEPLOYMENT)).toEqual(expected);
  });

  it('drops a defaulted rollingUpdate when switching to Recreate through $retainKeys', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      DEPLOYMENT,
    );
    expect((out.spec as any).strategy).toEqual({ type: 'Recreate' });
  });

  it('applies the patch kubectl 1.32 apply sends for a new image, a removed container and reordered env', () => {
    // Captured from `kubectl apply` (v1.32) against a recording server.
    const patch = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"new":true}\n' } },
      spec: {
        strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' },
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'app' }],
            containers: [
              {
                '$setElementOrder/env': [{ name: 'B' }, { name: 'C' }],
                env: [
                  { name: 'C', value: '3' },
                  { $patch: 'delete', name: 'A' },
                ],
                image: 'nginx:1.27',
                name: 'app',
              },
              { $patch: 'delete', name: 'sidecar' },
            ],
          },
        },
      },
    };
    const expected = deployment();
    expected.metadata.annotations = {
      'kubectl.kubernetes.io/last-applied-configuration': '{"new":true}\n',
      'deployment.kubernetes.io/revision': '1',
    };
    const spec = expected.spec as any;
    spec.strategy = { type: 'Recreate' };
    spec.template.spec.containers = [
      {
        ...spec.template.spec.containers[0],
        image: 'nginx:1.27',
        env: [
          { name: 'B', value: '2' },
          { name: 'C', value: '3' },
        ],
      },
    ];
    expect(applyStrategicMergePatch(deployment(), patch, DEPLOYMENT)).toEqual(expected);
  });

  it('applies the patch kubectl 1.32 apply sends for changed finalizers and reordered containers', () => {
    const original = deployment();
    original.metadata.finalizers = ['example.com/a', 'example.com/b'];
    const patch = {
      metadata: {
        '$deleteFromPrimitiveList/finalizers': ['example.com/b'],
        '$setElementOrder/finalizers': ['example.com/a', 'example.com/c'],
        finalizers: ['example.com/c'],
      },
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }] } } },
    };
    const out = applyStrategicMergePatch(original, patch, DEPLOYMENT);
    expect(out.metadata.finalizers).toEqual(['example.com/a', 'example.com/c']);
    expect((out.spec as any).template.spec.containers.map((x: { name: string }) => x.name)).toEqual(['sidecar', 'app']);
  });
});

function catchError(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  throw new Error('expected a StatusError');
}

/** A Deployment as the API server stores it after `kubectl apply` (defaults filled in). */
function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'u1',
      labels: { app: 'web' },
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': '{}\n',
        'deployment.kubernetes.io/revision': '1',
      },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      revisionHistoryLimit: 10,
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'nginx:1.26',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
              ],
              imagePullPolicy: 'IfNotPresent',
              resources: {},
            },
            { name: 'sidecar', image: 'busybox:1.36', command: ['sleep', 'infinity'], imagePullPolicy: 'IfNotPresent' },
          ],
          restartPolicy: 'Always',
          dnsPolicy: 'ClusterFirst',
        },
      },
    },
    status: { observedGeneration: 1, replicas: 2 },
  };
}
