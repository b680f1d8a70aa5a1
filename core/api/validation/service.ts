/**
 * Service validation (Kubernetes' ValidateService and ValidateServiceUpdate)
 * for a defaulted Service. Cluster IPs, node ports and health-check ports are
 * allocated by the registry, so their absence is never an error here; a
 * cluster IP that is set may not change.
 */
import { isIP } from 'node:net';
import { type FieldError, field } from '../../errors/index.ts';
import { dropServiceTypeDependentFields } from '../defaulting/service.ts';
import type { KubeObject } from '../object.ts';
import { validatePortNumOrName } from './handlers.ts';
import { type Json, jsonEqual, list, obj, str } from './json.ts';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortNum } from './names.ts';
import { validateLabels } from './object-meta.ts';

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const POLICIES = ['Cluster', 'Local'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const MAX_AFFINITY_TIMEOUT = 86400;

/** The primary cluster IP a Service asks for (`clusterIP`, else `clusterIPs[0]`). */
const clusterIP = (spec: Json) => str(spec.clusterIP) || str(list(spec.clusterIPs)[0]);
const isHeadless = (spec: Json) => clusterIP(spec) === 'None';
const externallyAccessible = (spec: Json) =>
  spec.type === 'LoadBalancer' ||
  spec.type === 'NodePort' ||
  (spec.type === 'ClusterIP' && list(spec.externalIPs).length > 0);

function validatePorts(spec: Json): FieldError[] {
  const errs: FieldError[] = [];
  const ports = list(spec.ports).map((p) => obj(p) ?? {});
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    const name = str(p.name);
    if (ports.length > 1 && !name) errs.push(field.required(`${at}.name`, ''));
    else if (name) {
      for (const msg of isDNS1123Label(name)) errs.push(field.invalid(`${at}.name`, name, msg));
      if (names.has(name)) errs.push(field.duplicate(`${at}.name`, name));
      names.add(name);
    }
    const port = typeof p.port === 'number' ? p.port : 0;
    for (const msg of isValidPortNum(port)) errs.push(field.invalid(`${at}.port`, port, msg));
    const protocol = str(p.protocol);
    if (!protocol) errs.push(field.required(`${at}.protocol`, ''));
    else if (!PROTOCOLS.includes(protocol)) errs.push(field.notSupported(`${at}.protocol`, protocol, PROTOCOLS));
    errs.push(...validatePortNumOrName(p.targetPort, `${at}.targetPort`));
    if (typeof p.appProtocol === 'string') {
      for (const msg of isQualifiedName(p.appProtocol))
        errs.push(field.invalid(`${at}.appProtocol`, p.appProtocol, msg));
    }
  });
  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (p.nodePort)
        errs.push(field.forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  const servicePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (p.nodePort) {
      const key = `${str(p.protocol)}/${p.nodePort}`;
      if (nodePorts.has(key)) errs.push(field.duplicate(`spec.ports[${i}].nodePort`, p.nodePort));
      nodePorts.add(key);
    }
    const key = `${str(p.protocol)}/${p.port}`;
    if (servicePorts.has(key))
      errs.push(field.duplicate(`spec.ports[${i}]`, { protocol: str(p.protocol), port: p.port }));
    servicePorts.add(key);
  });
  return errs;
}

function validateClusterIPs(spec: Json): FieldError[] {
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ips = list(spec.clusterIPs).map(str);
  if (str(spec.clusterIP) && ips.length > 0 && ips[0] !== spec.clusterIP) {
    errs.push(field.invalid('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  }
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) errs.push(field.invalid('spec.clusterIPs', ips, "'None' must be the first and only value"));
      return;
    }
    if (!isIP(ip))
      errs.push(
        field.invalid(`spec.clusterIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'),
      );
  });
  const single = str(spec.clusterIP);
  if (single && single !== 'None' && ips.length === 0 && !isIP(single)) {
    errs.push(
      field.invalid('spec.clusterIPs[0]', single, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'),
    );
  }
  if (ips.length > 2) errs.push(field.invalid('spec.clusterIPs', ips, 'may only hold up to 2 values'));
  const seen = new Set<string>();
  list(spec.ipFamilies).forEach((fam, i) => {
    if (fam !== 'IPv4' && fam !== 'IPv6') errs.push(field.notSupported(`spec.ipFamilies[${i}]`, fam, ['IPv4', 'IPv6']));
    if (seen.has(fam)) errs.push(field.duplicate(`spec.ipFamilies[${i}]`, fam));
    seen.add(fam);
  });
  if (spec.ipFamilyPolicy != null && !IP_FAMILY_POLICIES.includes(str(spec.ipFamilyPolicy))) {
    errs.push(field.notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  }
  return errs;
}

/** Errors in a Service's spec. */
export function validateServiceSpec(svc: Json): FieldError[] {
  const spec: Json = obj(svc.spec) ?? {};
  const errs: FieldError[] = [];
  const type = str(spec.type);
  if (list(spec.ports).length === 0 && !isHeadless(spec) && type !== 'ExternalName')
    errs.push(field.required('spec.ports', ''));
  if ((type === 'LoadBalancer' || type === 'NodePort') && isHeadless(spec)) {
    errs.push(field.invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`));
  }
  if (type === 'ExternalName') {
    if (str(spec.clusterIP) || list(spec.clusterIPs).length > 0) {
      errs.push(field.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    }
    if (list(spec.ipFamilies).length > 0)
      errs.push(field.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy != null)
      errs.push(field.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = str(spec.externalName).replace(/\.$/, '');
    if (!cname) errs.push(field.required('spec.externalName', ''));
    else for (const msg of isDNS1123Subdomain(cname)) errs.push(field.invalid('spec.externalName', cname, msg));
  }
  errs.push(...validatePorts(spec));
  if (spec.selector != null) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  const affinity = str(spec.sessionAffinity);
  if (!affinity) errs.push(field.required('spec.sessionAffinity', ''));
  else if (affinity !== 'ClientIP' && affinity !== 'None') {
    errs.push(field.notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  }
  const config = obj(spec.sessionAffinityConfig);
  if (affinity === 'ClientIP') {
    const timeout = obj(config?.clientIP)?.timeoutSeconds;
    const at = 'spec.sessionAffinityConfig';
    if (!config) errs.push(field.required(at, 'when session affinity type is ClientIP'));
    else if (!obj(config.clientIP))
      errs.push(field.required(`${at}.clientIP`, 'when session affinity type is ClientIP'));
    else if (typeof timeout !== 'number')
      errs.push(field.required(`${at}.clientIP.timeoutSeconds`, 'when session affinity type is ClientIP'));
    else if (timeout <= 0 || timeout > MAX_AFFINITY_TIMEOUT) {
      errs.push(
        field.invalid(
          `${at}.clientIP.timeoutSeconds`,
          timeout,
          `must be greater than 0 and less than ${MAX_AFFINITY_TIMEOUT}`,
        ),
      );
    }
  } else if (affinity === 'None' && config) {
    errs.push(field.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPs(spec));
  list(spec.externalIPs).forEach((ip, i) => {
    if (!isIP(str(ip)))
      errs.push(
        field.invalid(`spec.externalIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'),
      );
  });
  if (!type) errs.push(field.required('spec.type', ''));
  else if (!TYPES.includes(type)) errs.push(field.notSupported('spec.type', type, TYPES));
  if (list(spec.loadBalancerSourceRanges).length > 0 && type !== 'LoadBalancer') {
    // Kubernetes spells this path with a capital L.
    errs.push(field.forbidden('spec.LoadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'"));
  }
  if (spec.allocateLoadBalancerNodePorts != null && type !== 'LoadBalancer') {
    errs.push(field.forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  }
  const etp = str(spec.externalTrafficPolicy);
  if (!externallyAccessible(spec)) {
    if (etp)
      errs.push(field.invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  } else if (!etp) errs.push(field.required('spec.externalTrafficPolicy', ''));
  else if (!POLICIES.includes(etp)) errs.push(field.notSupported('spec.externalTrafficPolicy', etp, POLICIES));
  if (spec.healthCheckNodePort && !(type === 'LoadBalancer' && etp === 'Local')) {
    errs.push(
      field.invalid(
        'spec.healthCheckNodePort',
        spec.healthCheckNodePort,
        "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
      ),
    );
  }
  const itp = spec.internalTrafficPolicy;
  if (itp == null && ['ClusterIP', 'NodePort', 'LoadBalancer'].includes(type)) {
    errs.push(field.required('spec.internalTrafficPolicy', ''));
  } else if (itp != null && !POLICIES.includes(str(itp))) {
    errs.push(field.notSupported('spec.internalTrafficPolicy', itp, POLICIES));
  }
  if (spec.trafficDistribution != null && spec.trafficDistribution !== 'PreferClose') {
    errs.push(field.notSupported('spec.trafficDistribution', spec.trafficDistribution, ['PreferClose']));
  }
  return errs;
}

/**
 * Errors for changing a Service: its spec rules, checked after dropping the
 * fields a type change leaves behind as Kubernetes does, and a cluster IP
 * that, once set, may not change (unless the Service is or becomes ExternalName).
 */
export function validateServiceUpdate(svc: Json, oldSvc: Json): FieldError[] {
  const dropped = dropServiceTypeDependentFields(svc as KubeObject, oldSvc as KubeObject);
  return [...validateServiceSpec(dropped), ...validateClusterIPUnchanged(dropped, oldSvc)];
}

function validateClusterIPUnchanged(svc: Json, oldSvc: Json): FieldError[] {
  const spec: Json = obj(svc.spec) ?? {};
  const old: Json = obj(oldSvc.spec) ?? {};
  if (spec.type === 'ExternalName' || old.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const before = clusterIP(old);
  const now = clusterIP(spec);
  // An empty value means "keep what was allocated"; the registry copies it back.
  if (before && now && now !== before && !(before === 'None' && now === 'None')) {
    errs.push(
      field.invalid(
        'spec.clusterIPs[0]',
        list(spec.clusterIPs).length ? spec.clusterIPs : [now],
        'may not change once set',
      ),
    );
  }
  const needsHealthCheck = (s: Json) => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
  if (
    needsHealthCheck(old) &&
    needsHealthCheck(spec) &&
    spec.healthCheckNodePort &&
    !jsonEqual(spec.healthCheckNodePort, old.healthCheckNodePort)
  ) {
    errs.push(field.forbidden('spec.healthCheckNodePort', 'field is immutable'));
  }
  return errs;
}
