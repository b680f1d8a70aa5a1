/**
 * The objects the storage benchmark writes: pods shaped like those a
 * Deployment's ReplicaSet makes and a kubelet reports on (labels, owner
 * reference, one container with ports, env, resources and probes, the
 * service-account volume, default tolerations, status with conditions and a
 * container status), about 2.4 KB of JSON, so every backend stores and moves
 * the value sizes a real control plane does.
 */
import { createHash } from 'node:crypto';
import type { Pod } from 'kubernetes-types/core/v1.js';

/** A deterministic UUID-shaped id for `seed`, so repeated runs write identical bytes. */
function uid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const CREATED = '2026-01-15T10:04:05Z';
const TEMPLATE_HASH = '7c5ddbdf54';

/** A scheduled, running pod named `name` in `namespace`; its JSON is about 2.4 KB. */
export function makeBenchPod(namespace: string, name: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `web-${TEMPLATE_HASH}-`,
      namespace,
      uid: uid(`${namespace}/${name}`),
      creationTimestamp: CREATED,
      labels: { app: 'web', 'pod-template-hash': TEMPLATE_HASH },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `web-${TEMPLATE_HASH}`,
          uid: uid(`${namespace}/web-${TEMPLATE_HASH}`),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.example.com/shop/web:1.27.3',
          imagePullPolicy: 'IfNotPresent',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [{ name: 'LOG_LEVEL', value: 'info' }],
          resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
          livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 10, periodSeconds: 10 },
          readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5 },
          volumeMounts: [
            { name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
          ],
        },
      ],
      volumes: [
        {
          name: 'kube-api-access',
          projected: {
            defaultMode: 420,
            sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }],
          },
        },
      ],
      restartPolicy: 'Always',
      serviceAccountName: 'default',
      nodeName: 'node-3',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: 0,
    },
    status: podStatus(0),
  };
}

/**
 * The pod after its kubelet's `n`-th status report: the same spec and a
 * status of the same size with a new probe time and Ready flipping, as a
 * status update carries. Does not change `pod`.
 */
export function withStatusUpdate(pod: Pod, n: number): Pod {
  return { ...pod, status: podStatus(n) };
}

function podStatus(n: number): NonNullable<Pod['status']> {
  const ready = n % 2 === 0 ? 'True' : 'False';
  const at = new Date(Date.parse(CREATED) + n * 1000).toISOString().replace('.000', '');
  const condition = (type: string, status: string) => ({ type, status, lastTransitionTime: at });
  return {
    phase: 'Running',
    conditions: [
      condition('Initialized', 'True'),
      condition('Ready', ready),
      condition('ContainersReady', ready),
      condition('PodScheduled', 'True'),
    ],
    hostIP: '10.0.3.17',
    podIP: '10.244.3.41',
    podIPs: [{ ip: '10.244.3.41' }],
    startTime: CREATED,
    containerStatuses: [
      {
        name: 'web',
        ready: ready === 'True',
        restartCount: 0,
        started: true,
        image: 'registry.example.com/shop/web:1.27.3',
        imageID: `registry.example.com/shop/web@sha256:${createHash('sha256').update('web').digest('hex')}`,
        containerID: `containerd://${createHash('sha256').update(String(n)).digest('hex')}`,
        state: { running: { startedAt: CREATED } },
      },
    ],
    qosClass: 'Burstable',
  };
}
