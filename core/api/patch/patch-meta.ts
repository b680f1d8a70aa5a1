/**
 * Strategic-merge-patch metadata: which field of which API type merges its
 * list by which key. Kubernetes keeps these facts in Go struct tags
 * (`patchStrategy:"merge" patchMergeKey:"name"`) and publishes them in
 * OpenAPI as `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key`.
 *
 * Two tables make up the schema:
 * - `model-fields.json`, generated from `@kubernetes/client-node`'s model
 *   `attributeTypeMap`s: for every served kind, the type of each field that
 *   holds another API type (Deployment → spec: V1DeploymentSpec → template:
 *   V1PodTemplateSpec → …). `test/core/api/patch/patch-meta.test.ts` rebuilds
 *   it and fails when it drifts (`npx vitest run -u test/core/api/patch` rewrites it).
 * - `PATCH_STRATEGIES` below, written by hand from `k8s.io/api` types.go tags.
 */
import { StatusError } from '../../errors/index.ts';
import modelFields from './model-fields.json' with { type: 'json' };

/** How one field behaves under a strategic merge patch (empty means: maps merge, lists are atomic). */
export interface FieldPatchMeta {
  /** The upstream `patchStrategy` split on commas: `merge`, `retainKeys`, `replace`. */
  readonly strategies: readonly string[];
  /** The `patchMergeKey` of a merging list of objects; absent for primitive lists. */
  readonly mergeKey?: string;
}

/** A position in the type graph: the API type name (`V1PodSpec`), or undefined for free-form JSON. */
export type PatchSchema = string | undefined;

/** A group/version/kind. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

const NONE: FieldPatchMeta = { strategies: [] };
const merge = (mergeKey?: string): FieldPatchMeta => ({ strategies: ['merge'], mergeKey });
const mergeRetainKeys = (mergeKey: string): FieldPatchMeta => ({ strategies: ['merge', 'retainKeys'], mergeKey });
const retainKeys: FieldPatchMeta = { strategies: ['retainKeys'] };

const containerLists = {
  ports: merge('containerPort'),
  env: merge('name'),
  volumeMounts: merge('mountPath'),
  volumeDevices: merge('devicePath'),
};

/**
 * Patch strategies of every field reachable from a served kind that has one,
 * keyed by client-node model name, then JSON field name. Fields not listed
 * have no strategy: their lists are replaced whole (`envFrom`, `tolerations`,
 * `containerStatuses`, …). Source: `k8s.io/api` core/v1, apps/v1 and
 * `k8s.io/apimachinery` meta/v1 types.go.
 */
export const PATCH_STRATEGIES: Readonly<Record<string, Readonly<Record<string, FieldPatchMeta>>>> = {
  V1ObjectMeta: { finalizers: merge(), ownerReferences: merge('uid') },
  V1PodSpec: {
    containers: merge('name'),
    initContainers: merge('name'),
    ephemeralContainers: merge('name'),
    volumes: mergeRetainKeys('name'),
    imagePullSecrets: merge('name'),
    hostAliases: merge('ip'),
    topologySpreadConstraints: merge('topologyKey'),
    schedulingGates: merge('name'),
    resourceClaims: mergeRetainKeys('name'),
  },
  V1Container: containerLists,
  V1EphemeralContainer: containerLists,
  V1ContainerStatus: { volumeMounts: merge('mountPath'), allocatedResourcesStatus: merge('name') },
  V1PodStatus: {
    conditions: merge('type'),
    podIPs: merge('ip'),
    hostIPs: merge('ip'),
    resourceClaimStatuses: mergeRetainKeys('name'),
    nodeAllocatableResourceClaimStatuses: merge('resourceClaimName'),
  },
  V1ServiceSpec: { ports: merge('port') },
  V1ServiceStatus: { conditions: merge('type') },
  V1NodeSpec: { podCIDRs: merge() },
  V1NodeStatus: { conditions: merge('type'), addresses: merge('type') },
  V1NamespaceStatus: { conditions: merge('type') },
  V1ReplicationControllerStatus: { conditions: merge('type') },
  V1DeploymentSpec: { strategy: retainKeys },
  V1DeploymentStatus: { conditions: merge('type') },
  V1DaemonSetStatus: { conditions: merge('type') },
  V1ReplicaSetStatus: { conditions: merge('type') },
};

const ROOTS: Readonly<Record<string, string>> = modelFields.roots;
const TYPES: Readonly<Record<string, Readonly<Record<string, string>>>> = modelFields.types;

const gvkKey = (gvk: GroupVersionKind) => `${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`;

/** The schema root of a kind, or undefined when skube has no patch metadata for it. */
export function strategicMergeSchemaFor(gvk: GroupVersionKind): PatchSchema {
  return ROOTS[gvkKey(gvk)];
}

/**
 * True when skube can apply a strategic merge patch to objects of this kind
 * (every built-in kind it serves). Custom kinds have no patch metadata;
 * Kubernetes answers 415 for them, and so does `applyStrategicMergePatch`.
 */
export function isStrategicMergePatchSupported(gvk: GroupVersionKind): boolean {
  return strategicMergeSchemaFor(gvk) !== undefined;
}

/**
 * The 415 Kubernetes returns for a strategic merge patch on a kind without
 * patch metadata (kubectl turns it into "strategic merge patch is not supported").
 */
export function strategicMergePatchUnsupported(_gvk?: GroupVersionKind): StatusError {
  return new StatusError({
    code: 415,
    reason: 'UnsupportedMediaType',
    message:
      // Kubernetes' wording, listing the patch types skube applies to such kinds.
      'the body of the request was in an unknown format - accepted media types include: ' +
      'application/json-patch+json, application/merge-patch+json',
  });
}

/**
 * The patch metadata of `field` in `schema` and the schema of its value (of
 * its elements, for a list). Unknown types and fields yield no strategy and a
 * free-form schema, so they merge like JSON merge patch.
 */
export function lookupField(schema: PatchSchema, field: string): { meta: FieldPatchMeta; schema: PatchSchema } {
  if (schema === undefined) return { meta: NONE, schema: undefined };
  return { meta: PATCH_STRATEGIES[schema]?.[field] ?? NONE, schema: TYPES[schema]?.[field] };
}
