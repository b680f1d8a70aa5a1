/**
 * The protobuf schema of the Kubernetes kinds skube can read from
 * `application/vnd.kubernetes.protobuf` request bodies: the `.proto` files in
 * `./proto/`, loaded once, and the table from `apiVersion`/`kind` to message.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const PROTO_FILES = [
  'runtime.proto',
  'resource.proto',
  'intstr.proto',
  'meta-v1.proto',
  'core-v1.proto',
  'apps-v1.proto',
  'batch-v1.proto',
  'autoscaling-v1.proto',
  'coordination-v1.proto',
  'policy-v1.proto',
  'scheduling-v1.proto',
];

function loadRoot(): protobuf.Root {
  const dir = fileURLToPath(new URL('./proto/', import.meta.url));
  // keepCase: the proto field names are already the JSON names (`Raw` in FieldsV1 included).
  const root = new protobuf.Root().loadSync(
    PROTO_FILES.map((f) => dir + f),
    { keepCase: true },
  );
  return root.resolveAll() as protobuf.Root;
}

/** The loaded, fully resolved schema. Read-only: nothing may add to or change it. */
export const protoRoot: protobuf.Root = loadRoot();

/** Fully-qualified names of the messages with special JSON forms, and of the envelope. */
export const MESSAGES = {
  unknown: 'k8s.io.apimachinery.pkg.runtime.Unknown',
  rawExtension: 'k8s.io.apimachinery.pkg.runtime.RawExtension',
  quantity: 'k8s.io.apimachinery.pkg.api.resource.Quantity',
  intOrString: 'k8s.io.apimachinery.pkg.util.intstr.IntOrString',
  time: 'k8s.io.apimachinery.pkg.apis.meta.v1.Time',
  microTime: 'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime',
  duration: 'k8s.io.apimachinery.pkg.apis.meta.v1.Duration',
  fieldsV1: 'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1',
  deleteOptions: 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions',
} as const;

/** Top-level kinds by group/version, with the proto package holding their messages. */
const KINDS: Record<string, { pkg: string; kinds: string[] }> = {
  v1: {
    pkg: 'k8s.io.api.core.v1',
    kinds: [
      'Binding',
      'ConfigMap',
      'Endpoints',
      'Event',
      'Namespace',
      'Node',
      'Pod',
      'ReplicationController',
      'ResourceQuota',
      'Secret',
      'Service',
    ],
  },
  'apps/v1': { pkg: 'k8s.io.api.apps.v1', kinds: ['DaemonSet', 'Deployment', 'ReplicaSet'] },
  'autoscaling/v1': { pkg: 'k8s.io.api.autoscaling.v1', kinds: ['HorizontalPodAutoscaler', 'Scale'] },
  'batch/v1': { pkg: 'k8s.io.api.batch.v1', kinds: ['CronJob', 'Job'] },
  'coordination.k8s.io/v1': { pkg: 'k8s.io.api.coordination.v1', kinds: ['Lease'] },
  'policy/v1': { pkg: 'k8s.io.api.policy.v1', kinds: ['Eviction'] },
  'scheduling.k8s.io/v1': { pkg: 'k8s.io.api.scheduling.v1', kinds: ['PriorityClass'] },
  'meta.k8s.io/v1': { pkg: 'k8s.io.apimachinery.pkg.apis.meta.v1', kinds: [] },
};

/**
 * The message type a `runtime.Unknown` with this `apiVersion` and `kind`
 * carries, or undefined when skube has no schema for it. `DeleteOptions` is
 * accepted under every listed group/version, since Go clients stamp it with
 * the group/version of the resource they delete.
 */
export function messageTypeFor(apiVersion: string, kind: string): protobuf.Type | undefined {
  const gv = KINDS[apiVersion];
  if (!gv) return undefined;
  if (kind === 'DeleteOptions') return protoRoot.lookupType(MESSAGES.deleteOptions);
  if (!gv.kinds.includes(kind)) return undefined;
  return protoRoot.lookupType(`${gv.pkg}.${kind}`);
}

/** Every `apiVersion`/`kind` pair `messageTypeFor` knows, for tests and diagnostics. */
export function supportedKinds(): { apiVersion: string; kind: string }[] {
  return Object.entries(KINDS).flatMap(([apiVersion, gv]) => [
    ...gv.kinds.map((kind) => ({ apiVersion, kind })),
    { apiVersion, kind: 'DeleteOptions' },
  ]);
}
