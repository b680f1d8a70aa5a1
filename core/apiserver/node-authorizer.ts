/**
 * The Node authorizer: what a kubelet (user `system:node:<name>` in group
 * `system:nodes`) may do, after Kubernetes' Node authorizer, the `system:node`
 * role and the NodeRestriction admission rules that matter to skube's agent.
 * A node may read every Node and modify only its own (and its status), use its
 * Lease `kube-node-lease/<name>`, get the pods bound to it and list/watch pods
 * only with `fieldSelector=spec.nodeName=<name>`, update the status of and
 * delete pods bound to it, get the secrets and configmaps those pods
 * reference (and the digest of the API server's kubelet token), read services
 * and endpoints, and write events. Everything else
 * is denied; for users that are not nodes it has no opinion.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseFieldSelector, requiresExactMatch } from '../api/selectors/fields.ts';
import type { AuthorizationDecision, Authorizer } from './auth.ts';
import { KUBELET_CLIENT_CONFIGMAP } from './connect.ts';
import { decodeObjectBody } from './negotiation.ts';
import type { ResourceRequestInfo } from './request-info.ts';
import type { ApiRequest, UserInfo } from './types.ts';

/** The group every node credential is in. */
export const NODES_GROUP = 'system:nodes';
/** The user-name prefix of node credentials. */
export const NODE_USER_PREFIX = 'system:node:';
/** Where node leases live. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** The relationships the authorizer follows (Kubernetes keeps a graph; skube reads the store). */
export interface NodeGraph {
  /** The pod, or undefined when it does not exist. */
  getPod(namespace: string, name: string): Promise<Pod | undefined>;
  /** The pods in `namespace` bound to `nodeName`. */
  podsOnNode(nodeName: string, namespace: string): Promise<Pod[]>;
}

/** The node a user is, or undefined when the user is not a node credential. */
export function nodeNameOf(user: UserInfo): string | undefined {
  if (!user.groups.includes(NODES_GROUP) || !user.name.startsWith(NODE_USER_PREFIX)) return undefined;
  const name = user.name.slice(NODE_USER_PREFIX.length);
  return name || undefined;
}

const allow: AuthorizationDecision = { allowed: true };
const deny = (reason?: string): AuthorizationDecision => ({ allowed: false, reason });
const noRelationship = (node: string) => deny(`no relationship found between node '${node}' and this object`);
const READ = new Set(['get', 'list', 'watch']);
const EVENT_WRITES = new Set(['create', 'patch', 'update']);

/** The names of the secrets and configmaps a pod references (volumes, env, envFrom, image pull secrets). */
export function podReferences(pod: Pod): { secrets: Set<string>; configMaps: Set<string> } {
  const secrets = new Set<string>();
  const configMaps = new Set<string>();
  const spec = pod.spec;
  for (const s of spec?.imagePullSecrets ?? []) if (s.name) secrets.add(s.name);
  for (const v of spec?.volumes ?? []) {
    if (v.secret?.secretName) secrets.add(v.secret.secretName);
    if (v.configMap?.name) configMaps.add(v.configMap.name);
    for (const p of v.projected?.sources ?? []) {
      if (p.secret?.name) secrets.add(p.secret.name);
      if (p.configMap?.name) configMaps.add(p.configMap.name);
    }
  }
  const containers = [
    ...(spec?.initContainers ?? []),
    ...(spec?.containers ?? []),
    ...(spec?.ephemeralContainers ?? []),
  ];
  for (const c of containers) {
    for (const e of c.env ?? []) {
      if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
      if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
    }
    for (const f of c.envFrom ?? []) {
      if (f.secretRef?.name) secrets.add(f.secretRef.name);
      if (f.configMapRef?.name) configMaps.add(f.configMapRef.name);
    }
  }
  return { secrets, configMaps };
}

/** The value `field` is pinned to by the request's fieldSelector (400 on a malformed selector is left to the list). */
function selectorValue(req: ApiRequest | undefined, field: string): string | undefined {
  try {
    return requiresExactMatch(parseFieldSelector(req?.query.get('fieldSelector') ?? ''), field);
  } catch {
    return undefined;
  }
}

/** The `metadata.name` of a create request's body, or undefined when it cannot be read. */
function bodyName(req: ApiRequest | undefined): string | undefined {
  try {
    return decodeObjectBody(req?.headers['content-type'], req?.body).metadata?.name || undefined;
  } catch {
    return undefined;
  }
}

function authorizeNodes(node: string, ri: ResourceRequestInfo, req?: ApiRequest): AuthorizationDecision {
  if (!ri.subresource && READ.has(ri.verb)) return allow;
  if (ri.subresource && ri.subresource !== 'status') return deny();
  if (ri.subresource === 'status' && ri.verb === 'get') return allow;
  const target = ri.verb === 'create' && !ri.subresource ? bodyName(req) : ri.name;
  const verbs = ri.subresource ? ['update', 'patch'] : ['create', 'update', 'patch', 'delete'];
  if (!verbs.includes(ri.verb)) return deny();
  return target === node ? allow : deny(`node "${node}" is not allowed to modify node "${target ?? ''}"`);
}

function authorizeLease(node: string, ri: ResourceRequestInfo, req?: ApiRequest): AuthorizationDecision {
  if (ri.namespace !== NODE_LEASE_NAMESPACE || ri.subresource) return deny();
  if (!['get', 'create', 'update', 'patch', 'delete'].includes(ri.verb)) return deny();
  const target = ri.verb === 'create' ? bodyName(req) : ri.name;
  return target === node ? allow : deny(`can only access node lease with the same name as the requesting node`);
}

async function authorizePods(
  node: string,
  ri: ResourceRequestInfo,
  graph: NodeGraph,
  req?: ApiRequest,
): Promise<AuthorizationDecision> {
  if (!ri.name) {
    if (ri.verb !== 'list' && ri.verb !== 'watch') return deny();
    return selectorValue(req, 'spec.nodeName') === node
      ? allow
      : deny('can only list/watch pods with spec.nodeName field selector');
  }
  const allowed =
    ri.subresource === 'status'
      ? ['get', 'update', 'patch'].includes(ri.verb)
      : !ri.subresource && ['get', 'watch', 'delete'].includes(ri.verb);
  if (!allowed) return deny();
  const pod = await graph.getPod(ri.namespace, ri.name);
  return pod?.spec?.nodeName === node ? allow : noRelationship(node);
}

async function authorizeReferenced(
  node: string,
  ri: ResourceRequestInfo,
  graph: NodeGraph,
  req?: ApiRequest,
): Promise<AuthorizationDecision> {
  if (ri.subresource || !READ.has(ri.verb)) return deny();
  const kubeletClient = ri.resource === 'configmaps' && ri.namespace === 'kube-system' && ri.verb === 'get';
  if (kubeletClient && ri.name === KUBELET_CLIENT_CONFIGMAP) return allow;
  // A list/watch is allowed for one object pinned by metadata.name, as the kubelet's watching secret manager does.
  const name = ri.name || (ri.verb !== 'get' ? selectorValue(req, 'metadata.name') : undefined);
  if (!name || !ri.namespace) return deny('can only get individual resources of this type');
  if (ri.name && ri.verb !== 'get') return deny('can only get individual resources of this type');
  const pods = await graph.podsOnNode(node, ri.namespace);
  const kind = ri.resource === 'secrets' ? 'secrets' : 'configMaps';
  return pods.some((p) => podReferences(p)[kind].has(name)) ? allow : noRelationship(node);
}

/** Creates the Node authorizer over `graph`. It never throws for a well-formed request. */
export function nodeAuthorizer(graph: NodeGraph): Authorizer {
  return {
    async authorize(user, ri, req) {
      const node = nodeNameOf(user);
      if (!node) return deny();
      const group = ri.group;
      if (group === '' && ri.resource === 'nodes') return authorizeNodes(node, ri, req);
      if (group === 'coordination.k8s.io' && ri.resource === 'leases') return authorizeLease(node, ri, req);
      if (group === '' && ri.resource === 'pods') return authorizePods(node, ri, graph, req);
      if (group === '' && (ri.resource === 'secrets' || ri.resource === 'configmaps')) {
        return authorizeReferenced(node, ri, graph, req);
      }
      if (group === '' && (ri.resource === 'services' || ri.resource === 'endpoints')) {
        return !ri.subresource && READ.has(ri.verb) ? allow : deny();
      }
      if ((group === '' || group === 'events.k8s.io') && ri.resource === 'events') {
        return !ri.subresource && EVENT_WRITES.has(ri.verb) ? allow : deny();
      }
      return deny();
    },
  };
}
