/**
 * Service defaulting: `SetDefaults_Service` plus the IP-family fields the
 * Service registry fills in (a single-stack IPv4 cluster). Cluster IPs and
 * node ports are not defaults: the registry allocates them. Also the
 * type-change cleanup Kubernetes applies on update.
 */
import { clone, type KubeObject } from '../object.ts';
import { child, defaultPointer, defaultString, items, type Json, optional } from './fields.ts';

const DEFAULT_AFFINITY_TIMEOUT = 10800;

const isHeadless = (spec: Json) =>
  spec.clusterIP === 'None' || (Array.isArray(spec.clusterIPs) && spec.clusterIPs[0] === 'None');
const externallyAccessible = (spec: Json) =>
  spec.type === 'LoadBalancer' ||
  spec.type === 'NodePort' ||
  (spec.type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);
const hasSelector = (spec: Json) =>
  !!spec.selector && typeof spec.selector === 'object' && Object.keys(spec.selector).length > 0;

/** Applies Service defaults in place. */
export function defaultService(svc: Json): void {
  const spec = child(svc, 'spec');
  defaultString(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (
    spec.sessionAffinity === 'ClientIP' &&
    typeof optional(optional(spec, 'sessionAffinityConfig'), 'clientIP')?.timeoutSeconds !== 'number'
  ) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_AFFINITY_TIMEOUT } };
  }
  defaultString(spec, 'type', 'ClusterIP');
  for (const port of items(spec, 'ports')) {
    defaultString(port, 'protocol', 'TCP');
    if (port.targetPort === undefined || port.targetPort === null || port.targetPort === 0 || port.targetPort === '') {
      port.targetPort = port.port;
    }
  }
  if (externallyAccessible(spec)) defaultString(spec, 'externalTrafficPolicy', 'Cluster');
  if (['ClusterIP', 'NodePort', 'LoadBalancer'].includes(spec.type))
    defaultPointer(spec, 'internalTrafficPolicy', 'Cluster');
  if (spec.type === 'LoadBalancer') {
    defaultPointer(spec, 'allocateLoadBalancerNodePorts', true);
    for (const ingress of items(optional(optional(svc, 'status'), 'loadBalancer'), 'ingress')) {
      if (ingress.ip) defaultPointer(ingress, 'ipMode', 'VIP');
    }
  }
  if (spec.type !== 'ExternalName') defaultIPFamilies(spec);
}

// What the registry's allocator infers on a single-stack IPv4 cluster.
function defaultIPFamilies(spec: Json): void {
  const headlessSelectorless = isHeadless(spec) && !hasSelector(spec);
  defaultPointer(spec, 'ipFamilyPolicy', headlessSelectorless ? 'RequireDualStack' : 'SingleStack');
  if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) {
    const ip = typeof spec.clusterIP === 'string' ? spec.clusterIP : '';
    spec.ipFamilies = [ip.includes(':') ? 'IPv6' : 'IPv4'];
  }
  // Headless selectorless Services may be dual-stack even on a single-stack cluster.
  if (headlessSelectorless && spec.ipFamilyPolicy !== 'SingleStack' && spec.ipFamilies.length === 1) {
    spec.ipFamilies.push(spec.ipFamilies[0] === 'IPv4' ? 'IPv6' : 'IPv4');
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const nodePortsOf = (spec: Json) => items(spec, 'ports').map((p) => p.nodePort ?? 0);

/**
 * A copy of an updated Service without the fields its new type no longer
 * uses, when they are unchanged from `old` (so the user did not ask for them):
 * cluster IPs and IP families when it becomes ExternalName, node ports when
 * it stops being NodePort/LoadBalancer, and the load-balancer and external
 * traffic fields. Kubernetes does this before validating an update.
 */
export function dropServiceTypeDependentFields(svc: KubeObject, old: KubeObject): KubeObject {
  const out = clone(svc);
  const spec = child(out as Json, 'spec');
  const before = optional(old as Json, 'spec') ?? {};
  if (before.type !== 'ExternalName' && spec.type === 'ExternalName') {
    if (same(spec.clusterIP, before.clusterIP) && same(spec.clusterIPs, before.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (same(spec.ipFamilies, before.ipFamilies)) delete spec.ipFamilies;
    if (same(spec.ipFamilyPolicy, before.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
  }
  const needsNodePorts = (s: Json) => s.type === 'NodePort' || s.type === 'LoadBalancer';
  if (needsNodePorts(before) && !needsNodePorts(spec) && same(nodePortsOf(spec), nodePortsOf(before))) {
    for (const port of items(spec, 'ports')) delete port.nodePort;
  }
  const needsHealthCheck = (s: Json) => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
  if (
    needsHealthCheck(before) &&
    !needsHealthCheck(spec) &&
    same(spec.healthCheckNodePort, before.healthCheckNodePort)
  ) {
    delete spec.healthCheckNodePort;
  }
  if (spec.type !== 'LoadBalancer') {
    if (same(spec.allocateLoadBalancerNodePorts, before.allocateLoadBalancerNodePorts))
      delete spec.allocateLoadBalancerNodePorts;
    if (same(spec.loadBalancerClass, before.loadBalancerClass)) delete spec.loadBalancerClass;
  }
  if (!externallyAccessible(spec) && same(spec.externalTrafficPolicy, before.externalTrafficPolicy)) {
    delete spec.externalTrafficPolicy;
  }
  return out;
}
