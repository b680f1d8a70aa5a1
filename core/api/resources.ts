/**
 * The catalog of resources skube serves: group/version, plural and singular
 * names, Kind, scope, short names, categories, verbs and subresources, exactly
 * as Kubernetes v1.32 advertises them in discovery. Discovery, routing,
 * storage keys and OpenAPI all read this one table.
 */

/** A subresource of a resource (`pods/status`, `deployments/scale`). */
export interface SubresourceInfo {
  name: string;
  kind: string;
  /** Group/version of the subresource's kind when it differs from the parent (Scale is autoscaling/v1). */
  group?: string;
  version?: string;
  verbs: string[];
}

/** One served resource. */
export interface ResourceInfo {
  group: string;
  version: string;
  /** Plural name used in URLs. */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: SubresourceInfo[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS: SubresourceInfo = { name: 'status', kind: '', verbs: ['get', 'patch', 'update'] };
const SCALE: SubresourceInfo = {
  name: 'scale',
  kind: 'Scale',
  group: 'autoscaling',
  version: 'v1',
  verbs: ['get', 'patch', 'update'],
};

function r(
  group: string,
  version: string,
  resource: string,
  kind: string,
  opts: Partial<Omit<ResourceInfo, 'group' | 'version' | 'resource' | 'kind'>> = {},
): ResourceInfo {
  const info: ResourceInfo = {
    group,
    version,
    resource,
    kind,
    singular: opts.singular ?? kind.toLowerCase(),
    namespaced: opts.namespaced ?? true,
    shortNames: opts.shortNames ?? [],
    categories: opts.categories ?? [],
    verbs: opts.verbs ?? ALL_VERBS,
    subresources: (opts.subresources ?? []).map((s) => ({ ...s, kind: s.kind || kind })),
  };
  return info;
}

/** Every resource skube serves, in discovery order. */
export const RESOURCES: readonly ResourceInfo[] = [
  // core/v1
  r('', 'v1', 'bindings', 'Binding', { verbs: ['create'] }),
  r('', 'v1', 'configmaps', 'ConfigMap', { shortNames: ['cm'] }),
  r('', 'v1', 'endpoints', 'Endpoints', { singular: 'endpoints', shortNames: ['ep'] }),
  r('', 'v1', 'events', 'Event', { shortNames: ['ev'] }),
  r('', 'v1', 'namespaces', 'Namespace', {
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [{ name: 'finalize', kind: '', verbs: ['update'] }, STATUS],
  }),
  r('', 'v1', 'nodes', 'Node', { namespaced: false, shortNames: ['no'], subresources: [STATUS] }),
  r('', 'v1', 'pods', 'Pod', {
    shortNames: ['po'],
    categories: ['all'],
    subresources: [
      { name: 'binding', kind: 'Binding', verbs: ['create'] },
      { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      STATUS,
    ],
  }),
  r('', 'v1', 'replicationcontrollers', 'ReplicationController', {
    shortNames: ['rc'],
    categories: ['all'],
    subresources: [SCALE, STATUS],
  }),
  r('', 'v1', 'resourcequotas', 'ResourceQuota', { shortNames: ['quota'], subresources: [STATUS] }),
  r('', 'v1', 'secrets', 'Secret'),
  r('', 'v1', 'services', 'Service', {
    shortNames: ['svc'],
    categories: ['all'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [STATUS],
  }),
  // apps/v1
  r('apps', 'v1', 'daemonsets', 'DaemonSet', { shortNames: ['ds'], categories: ['all'], subresources: [STATUS] }),
  r('apps', 'v1', 'deployments', 'Deployment', {
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: [SCALE, STATUS],
  }),
  r('apps', 'v1', 'replicasets', 'ReplicaSet', {
    shortNames: ['rs'],
    categories: ['all'],
    subresources: [SCALE, STATUS],
  }),
  // coordination.k8s.io/v1
  r('coordination.k8s.io', 'v1', 'leases', 'Lease'),
];

/** `group/version`, or just `version` for the core group. */
export function groupVersion(info: { group: string; version: string }): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** The storage and revision-domain name of a resource: `pods`, `deployments.apps`. */
export function storageResource(info: { group: string; resource: string }): string {
  return info.group ? `${info.resource}.${info.group}` : info.resource;
}

/** The groups served under `/apis`, in order, each with its versions. */
export function apiGroups(): { name: string; versions: string[] }[] {
  const groups = new Map<string, Set<string>>();
  for (const info of RESOURCES) {
    if (!info.group) continue;
    if (!groups.has(info.group)) groups.set(info.group, new Set());
    groups.get(info.group)?.add(info.version);
  }
  return [...groups].map(([name, versions]) => ({ name, versions: [...versions] }));
}

/** Finds a resource by group, version and plural name. */
export function findResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return RESOURCES.find((i) => i.group === group && i.version === version && i.resource === resource);
}

/** Finds a resource by its Kind within a group (any version). */
export function findByKind(group: string, kind: string): ResourceInfo | undefined {
  return RESOURCES.find((i) => i.group === group && i.kind === kind);
}

/** Splits an `apiVersion` (`apps/v1`, `v1`) into group and version. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
