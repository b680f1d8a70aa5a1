/**
 * Validation of the small core/v1 and coordination/v1 kinds: Namespace,
 * Secret, ConfigMap, Node, Endpoints, Event, Lease, ResourceQuota and
 * Binding (spec rules and update rules; metadata is checked by the caller).
 */
import { isIP } from 'node:net';
import { type FieldError, field } from '../../errors/index.ts';
import { entries, type Json, jsonEqual, keyPath, list, obj, QUANTITY_FORMAT_ERROR, quantity, str } from './json.ts';
import {
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPortNum,
} from './names.ts';
import { validateFinalizers } from './object-meta.ts';

/** Kubernetes' limit on the data of a Secret or ConfigMap (1 MiB). */
export const MAX_DATA_SIZE = 1024 * 1024;
const IMMUTABLE_SET = 'field is immutable when `immutable` is set';

/** Errors in a Namespace's `spec.finalizers`. */
export function validateNamespaceSpec(ns: Json): FieldError[] {
  return validateFinalizers(obj(ns.spec)?.finalizers, 'spec.finalizers');
}

// base64 length → decoded byte count, as Go counts []byte data.
const decodedLength = (b64: string) => Math.floor((b64.replace(/=+$/, '').length * 3) / 4);

/** Errors in a Secret's data keys, total size and type-specific required keys. */
export function validateSecretData(secret: Json): FieldError[] {
  const errs: FieldError[] = [];
  const data = obj(secret.data) ?? {};
  let total = 0;
  for (const [key, value] of entries(data)) {
    for (const msg of isConfigMapKey(key)) errs.push(field.invalid(keyPath('data', key), key, msg));
    total += decodedLength(str(value));
  }
  if (total > MAX_DATA_SIZE) errs.push(field.tooLong('data', MAX_DATA_SIZE));
  const need = (key: string) => {
    if (!(key in data)) errs.push(field.required(keyPath('data', key), ''));
  };
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      if (!str(obj(obj(secret.metadata)?.annotations)?.['kubernetes.io/service-account.name'])) {
        errs.push(field.required(keyPath('metadata.annotations', 'kubernetes.io/service-account.name'), ''));
      }
      break;
    case 'kubernetes.io/dockercfg':
      need('.dockercfg');
      break;
    case 'kubernetes.io/dockerconfigjson':
      need('.dockerconfigjson');
      break;
    case 'kubernetes.io/basic-auth':
      if (!('username' in data) && !('password' in data)) {
        need('username');
        need('password');
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if (!str(data['ssh-privatekey'])) errs.push(field.required(keyPath('data', 'ssh-privatekey'), ''));
      break;
    case 'kubernetes.io/tls':
      need('tls.crt');
      need('tls.key');
      break;
  }
  return errs;
}

/** Errors in a ConfigMap's keys (unique across data and binaryData) and total size. */
export function validateConfigMapData(cm: Json): FieldError[] {
  const errs: FieldError[] = [];
  const binary = obj(cm.binaryData) ?? {};
  let total = 0;
  for (const [key, value] of entries(cm.data)) {
    for (const msg of isConfigMapKey(key)) errs.push(field.invalid(keyPath('data', key), key, msg));
    if (key in binary) errs.push(field.invalid(keyPath('data', key), key, 'duplicate of key present in binaryData'));
    total += new TextEncoder().encode(str(value)).length;
  }
  for (const [key, value] of entries(binary)) {
    for (const msg of isConfigMapKey(key)) errs.push(field.invalid(keyPath('binaryData', key), key, msg));
    total += decodedLength(str(value));
  }
  if (total > MAX_DATA_SIZE) errs.push(field.tooLong('', MAX_DATA_SIZE));
  return errs;
}

/** Errors for updating a Secret or ConfigMap: `immutable: true` freezes data (and itself); a Secret's type never changes. */
export function validateImmutableData(now: Json, old: Json, fields: string[]): FieldError[] {
  const errs: FieldError[] = [];
  if (old.immutable === true) {
    if (now.immutable !== true) errs.push(field.forbidden('immutable', IMMUTABLE_SET));
    for (const f of fields) if (!jsonEqual(now[f], old[f])) errs.push(field.forbidden(f, IMMUTABLE_SET));
  }
  return errs;
}

/** Errors for changing a Secret's type. */
export function validateSecretTypeUnchanged(now: Json, old: Json): FieldError[] {
  return str(now.type) === str(old.type) ? [] : [field.invalid('type', str(now.type), 'field is immutable')];
}

const podCIDRs = (spec: Json): string[] => {
  const cidrs = list(spec.podCIDRs).map(str);
  return cidrs.length ? cidrs : str(spec.podCIDR) ? [str(spec.podCIDR)] : [];
};

const isCIDR = (v: string) => {
  const [ip, bits, extra] = v.split('/');
  const family = isIP(ip ?? '');
  return extra === undefined && family !== 0 && /^\d+$/.test(bits ?? '') && Number(bits) <= (family === 4 ? 32 : 128);
};

/** Errors in a Node's taints and pod CIDRs. */
export function validateNodeSpec(node: Json): FieldError[] {
  const spec: Json = obj(node.spec) ?? {};
  const errs: FieldError[] = [];
  const seen = new Map<string, Set<string>>();
  list(spec.taints).forEach((raw, i) => {
    const t = obj(raw) ?? {};
    // Kubernetes reports node taints under metadata.taints.
    const at = `metadata.taints[${i}]`;
    const key = str(t.key);
    for (const msg of isQualifiedName(key)) errs.push(field.invalid(`${at}.key`, key, msg));
    const valueErrs = isValidLabelValue(str(t.value));
    if (valueErrs.length) errs.push(field.invalid(`${at}.value`, str(t.value), valueErrs.join(';')));
    const effect = str(t.effect);
    if (!effect) errs.push(field.required(`${at}.effect`, ''));
    else if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(effect)) {
      errs.push(field.notSupported(`${at}.effect`, effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    }
    const keys = seen.get(effect) ?? new Set<string>();
    if (keys.has(key)) {
      errs.push({ ...field.duplicate(at, t), detail: 'taints must be unique by key and effect pair' });
      return;
    }
    keys.add(key);
    seen.set(effect, keys);
  });
  podCIDRs(spec).forEach((c, i) => {
    if (!isCIDR(c))
      errs.push(
        field.invalid(`spec.podCIDRs[${i}]`, c, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'),
      );
  });
  return errs;
}

/** Errors for changing a Node: pod CIDRs and providerID are set once. */
export function validateNodeUpdate(node: Json, oldNode: Json): FieldError[] {
  const spec: Json = obj(node.spec) ?? {};
  const old: Json = obj(oldNode.spec) ?? {};
  const errs: FieldError[] = [];
  const before = podCIDRs(old);
  if (before.length > 0 && !jsonEqual(podCIDRs(spec), before)) {
    errs.push(field.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (str(old.providerID) && str(old.providerID) !== str(spec.providerID)) {
    errs.push(field.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errs;
}

/**
 * Errors in Endpoints subsets. Unlike Kubernetes, loopback addresses are
 * allowed: skube's node agents on one machine use 127.0.0.x node IPs.
 */
export function validateEndpointsSubsets(ep: Json): FieldError[] {
  const errs: FieldError[] = [];
  list(ep.subsets).forEach((raw, i) => {
    const ss = obj(raw) ?? {};
    const at = `subsets[${i}]`;
    if (list(ss.addresses).length === 0 && list(ss.notReadyAddresses).length === 0) {
      errs.push(field.required(at, 'must specify `addresses` or `notReadyAddresses`'));
    }
    for (const kind of ['addresses', 'notReadyAddresses']) {
      list(ss[kind]).forEach((a, j) => {
        const addr = obj(a) ?? {};
        const ip = str(addr.ip);
        if (!isIP(ip))
          errs.push(
            field.invalid(
              `${at}.${kind}[${j}].ip`,
              ip,
              'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
            ),
          );
        const host = str(addr.hostname);
        if (host)
          for (const msg of isDNS1123Label(host)) errs.push(field.invalid(`${at}.${kind}[${j}].hostname`, host, msg));
      });
    }
    const ports = list(ss.ports);
    ports.forEach((p, j) => {
      const port = obj(p) ?? {};
      const pat = `${at}.ports[${j}]`;
      const name = str(port.name);
      if (ports.length > 1 && !name) errs.push(field.required(`${pat}.name`, ''));
      else if (name) for (const msg of isDNS1123Label(name)) errs.push(field.invalid(`${pat}.name`, name, msg));
      const num = typeof port.port === 'number' ? port.port : 0;
      for (const msg of isValidPortNum(num)) errs.push(field.invalid(`${pat}.port`, num, msg));
      const protocol = str(port.protocol);
      if (!protocol) errs.push(field.required(`${pat}.protocol`, ''));
      else if (!['SCTP', 'TCP', 'UDP'].includes(protocol))
        errs.push(field.notSupported(`${pat}.protocol`, protocol, ['SCTP', 'TCP', 'UDP']));
    });
  });
  return errs;
}

/** Errors in a core/v1 Event: Kubernetes' legacy rules (namespace agreement, reporting fields of new-style events). */
export function validateEvent(ev: Json): FieldError[] {
  const errs: FieldError[] = [];
  const namespace = str(obj(ev.metadata)?.namespace);
  const involvedNs = str(obj(ev.involvedObject)?.namespace);
  const mismatch = () => field.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace');
  if (!ev.eventTime) {
    if (involvedNs ? namespace !== involvedNs : namespace !== '' && namespace !== 'default') errs.push(mismatch());
  } else {
    if (!involvedNs && namespace !== 'default' && namespace !== 'kube-system') errs.push(mismatch());
    const controller = str(ev.reportingComponent);
    if (!controller) errs.push(field.required('reportingController', ''));
    for (const msg of isQualifiedName(controller)) errs.push(field.invalid('reportingController', controller, msg));
    const limits: [string, string, number][] = [
      ['reportingInstance', str(ev.reportingInstance), 128],
      ['action', str(ev.action), 128],
      ['reason', str(ev.reason), 128],
    ];
    for (const [name, value, max] of limits) {
      if (!value) errs.push(field.required(name, ''));
      if (value.length > max) errs.push(field.invalid(name, '', `can have at most ${max} characters`));
    }
    if (str(ev.message).length > 1024) errs.push(field.invalid('message', '', 'can have at most 1024 characters'));
  }
  for (const msg of isDNS1123Subdomain(namespace)) errs.push(field.invalid('namespace', namespace, msg));
  return errs;
}

/** Errors in a Lease's spec. */
export function validateLeaseSpec(lease: Json): FieldError[] {
  const spec: Json = obj(lease.spec) ?? {};
  const errs: FieldError[] = [];
  if (typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds <= 0) {
    errs.push(field.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (typeof spec.leaseTransitions === 'number' && spec.leaseTransitions < 0) {
    errs.push(field.invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  return errs;
}

/** Errors in a ResourceQuota's `spec.hard` (qualified resource names, non-negative quantities). */
export function validateResourceQuotaSpec(quota: Json): FieldError[] {
  const errs: FieldError[] = [];
  for (const [name, raw] of entries(obj(quota.spec)?.hard)) {
    const at = keyPath('spec.hard', name);
    for (const msg of isQualifiedName(name)) errs.push(field.invalid(at, name, msg));
    const q = quantity(raw);
    if (!q) errs.push(field.invalid(at, raw, QUANTITY_FORMAT_ERROR));
    else if (q.negative) errs.push(field.invalid(at, String(raw), 'must be greater than or equal to 0'));
  }
  return errs;
}

/** Errors for changing a ResourceQuota: its scopes are fixed. */
export function validateResourceQuotaUpdate(quota: Json, old: Json): FieldError[] {
  const now = [...new Set(list(obj(quota.spec)?.scopes).map(str))].sort();
  const before = [...new Set(list(obj(old.spec)?.scopes).map(str))].sort();
  return jsonEqual(now, before)
    ? []
    : [field.invalid('spec.scopes', obj(quota.spec)?.scopes ?? null, 'field is immutable')];
}

/** Errors in a Binding: a target name is required and its kind, if set, is Node. */
export function validateBinding(binding: Json): FieldError[] {
  const target = obj(binding.target) ?? {};
  const errs: FieldError[] = [];
  if (str(target.kind) && target.kind !== 'Node')
    errs.push(field.notSupported('target.kind', target.kind, ['Node', '<empty>']));
  if (!str(target.name)) errs.push(field.required('target.name', ''));
  return errs;
}
