/**
 * Validation common to every container of a pod spec (Kubernetes'
 * validateContainerCommon): name, image, ports, env, envFrom, volume mounts,
 * pull policy, resources and security context.
 */
import { type FieldError, field } from '../../errors/index.ts';
import {
  compareQuantities,
  entries,
  isWholeQuantity,
  type Json,
  keyPath,
  list,
  obj,
  QUANTITY_FORMAT_ERROR,
  quantity,
  str,
} from './json.ts';
import {
  inclusiveRangeError,
  isConfigMapKey,
  isDNS1123Label,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
} from './names.ts';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const MAX_INT32 = 2147483647;

// Until core/errors offers FieldValueNotFound, report a dangling reference as an invalid value.
const notFound = (path: string, value: unknown) => field.invalid(path, value, 'not found');

function validatePorts(ports: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list(ports).forEach((raw, i) => {
    const port = obj(raw) ?? {};
    const at = `${path}[${i}]`;
    const name = str(port.name);
    if (name) {
      const msgs = isValidPortName(name);
      for (const msg of msgs) errs.push(field.invalid(`${at}.name`, name, msg));
      if (msgs.length === 0 && names.has(name)) errs.push(field.duplicate(`${at}.name`, name));
      names.add(name);
    }
    const containerPort = typeof port.containerPort === 'number' ? port.containerPort : 0;
    if (containerPort === 0) errs.push(field.required(`${at}.containerPort`, ''));
    else
      for (const msg of isValidPortNum(containerPort))
        errs.push(field.invalid(`${at}.containerPort`, containerPort, msg));
    if (typeof port.hostPort === 'number' && port.hostPort !== 0) {
      for (const msg of isValidPortNum(port.hostPort)) errs.push(field.invalid(`${at}.hostPort`, port.hostPort, msg));
    }
    const protocol = str(port.protocol);
    if (!protocol) errs.push(field.required(`${at}.protocol`, ''));
    else if (!PROTOCOLS.includes(protocol)) errs.push(field.notSupported(`${at}.protocol`, protocol, PROTOCOLS));
  });
  return errs;
}

function validateKeySelector(sel: Json, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(sel.name);
  for (const msg of nameIsDNSSubdomain(name, false)) errs.push(field.invalid(`${path}.name`, name, msg));
  const key = str(sel.key);
  if (!key) errs.push(field.required(`${path}.key`, ''));
  else for (const msg of isConfigMapKey(key)) errs.push(field.invalid(`${path}.key`, key, msg));
  return errs;
}

const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];

function validateEnv(env: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  list(env).forEach((raw, i) => {
    const ev = obj(raw) ?? {};
    const at = `${path}[${i}]`;
    const name = str(ev.name);
    if (!name) errs.push(field.required(`${at}.name`, ''));
    else for (const msg of isRelaxedEnvVarName(name)) errs.push(field.invalid(`${at}.name`, name, msg));
    const from = obj(ev.valueFrom);
    if (!from) return;
    const fromPath = `${at}.valueFrom`;
    let sources = 0;
    const fieldRef = obj(from.fieldRef);
    if (fieldRef) {
      sources++;
      if (!str(fieldRef.apiVersion)) errs.push(field.required(`${fromPath}.fieldRef.apiVersion`, ''));
      else if (!str(fieldRef.fieldPath)) errs.push(field.required(`${fromPath}.fieldRef.fieldPath`, ''));
      else {
        const fp = str(fieldRef.fieldPath);
        const subscripted = /^(metadata\.(labels|annotations))\['[^']+'\]$/.test(fp);
        if (!subscripted && !ENV_FIELD_PATHS.includes(fp)) {
          errs.push(field.notSupported(`${fromPath}.fieldRef.fieldPath`, fp, ENV_FIELD_PATHS));
        }
      }
    }
    const resourceFieldRef = obj(from.resourceFieldRef);
    if (resourceFieldRef) {
      sources++;
      if (!str(resourceFieldRef.resource)) errs.push(field.required(`${fromPath}.resourceFieldRef.resource`, ''));
    }
    for (const kind of ['configMapKeyRef', 'secretKeyRef']) {
      const sel = obj(from[kind]);
      if (!sel) continue;
      sources++;
      errs.push(...validateKeySelector(sel, `${fromPath}.${kind}`));
    }
    if (sources === 0) {
      errs.push(
        field.invalid(
          fromPath,
          '',
          'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
        ),
      );
    } else if (str(ev.value)) {
      errs.push(field.invalid(fromPath, '', 'may not be specified when `value` is not empty'));
    } else if (sources > 1) {
      errs.push(field.invalid(fromPath, '', 'may not have more than one field specified at a time'));
    }
  });
  return errs;
}

function validateEnvFrom(envFrom: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  list(envFrom).forEach((raw, i) => {
    const ev = obj(raw) ?? {};
    const at = `${path}[${i}]`;
    const prefix = str(ev.prefix);
    if (prefix) for (const msg of isRelaxedEnvVarName(prefix)) errs.push(field.invalid(`${at}.prefix`, prefix, msg));
    let sources = 0;
    for (const kind of ['configMapRef', 'secretRef']) {
      const ref = obj(ev[kind]);
      if (!ref) continue;
      sources++;
      const name = str(ref.name);
      if (!name) errs.push(field.required(`${at}.${kind}.name`, ''));
      else for (const msg of nameIsDNSSubdomain(name, true)) errs.push(field.invalid(`${at}.${kind}.name`, name, msg));
    }
    // Kubernetes reports these two on the list, not the item.
    if (sources === 0) errs.push(field.invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) errs.push(field.invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateLocalDescendingPath(value: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (value.startsWith('/')) errs.push(field.invalid(path, value, 'must be a relative path'));
  if (value.split(/[\\/]/).includes('..')) errs.push(field.invalid(path, value, "must not contain '..'"));
  return errs;
}

function validateVolumeMounts(mounts: unknown, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const mountPoints = new Set<string>();
  list(mounts).forEach((raw, i) => {
    const m = obj(raw) ?? {};
    const at = `${path}[${i}]`;
    const name = str(m.name);
    if (!name) errs.push(field.required(`${at}.name`, ''));
    if (!volumes.has(name)) errs.push(notFound(`${at}.name`, name));
    const mountPath = str(m.mountPath);
    if (!mountPath) errs.push(field.required(`${at}.mountPath`, ''));
    if (mountPoints.has(mountPath)) errs.push(field.invalid(`${at}.mountPath`, mountPath, 'must be unique'));
    mountPoints.add(mountPath);
    // Kubernetes reports subPath problems on the list path, without the index.
    if (str(m.subPath)) errs.push(...validateLocalDescendingPath(str(m.subPath), `${path}.subPath`));
    if (str(m.subPathExpr)) {
      if (str(m.subPath)) {
        errs.push(field.invalid(`${at}.subPathExpr`, m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      }
      errs.push(...validateLocalDescendingPath(str(m.subPathExpr), `${path}.subPathExpr`));
    }
  });
  return errs;
}

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const isHugePages = (name: string) => name.startsWith('hugepages-');
const isNative = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');
const overcommitAllowed = (name: string) => isNative(name) && !isHugePages(name);

function validateResourceName(name: string, path: string): FieldError[] {
  const errs = isQualifiedName(name).map((msg) => field.invalid(path, name, msg));
  if (errs.length) return errs;
  if (!name.includes('/') && !STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) {
    return [field.invalid(path, name, 'must be a standard resource for containers')];
  }
  return [];
}

function validateResources(resources: unknown, path: string): FieldError[] {
  const res = obj(resources) ?? {};
  const errs: FieldError[] = [];
  let cpuOrMemory = false;
  let hugePages = false;
  const limits = obj(res.limits) ?? {};
  const check = (kind: 'limits' | 'requests') => {
    for (const [name, raw] of entries(res[kind])) {
      const at = keyPath(`${path}.${kind}`, name);
      errs.push(...validateResourceName(name, at));
      const q = quantity(raw);
      if (!q) {
        errs.push(field.invalid(at, raw, QUANTITY_FORMAT_ERROR));
        continue;
      }
      if (q.negative) errs.push(field.invalid(at, String(raw), 'must be greater than or equal to 0'));
      if (!isNative(name) && !isWholeQuantity(q)) errs.push(field.invalid(at, raw, 'must be an integer'));
      if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
      if (isHugePages(name)) hugePages = true;
      if (kind === 'limits') continue;
      const limit = name in limits ? quantity(limits[name]) : undefined;
      const limitText = String(limits[name]);
      if (limit && compareQuantities(q, limit) !== 0 && !overcommitAllowed(name)) {
        errs.push(field.invalid(`${path}.requests`, String(raw), `must be equal to ${name} limit of ${limitText}`));
      } else if (limit && compareQuantities(q, limit) > 0) {
        errs.push(
          field.invalid(`${path}.requests`, String(raw), `must be less than or equal to ${name} limit of ${limitText}`),
        );
      } else if (!(name in limits) && !overcommitAllowed(name)) {
        errs.push(field.required(`${path}.limits`, 'Limit must be set for non overcommitable resources'));
      }
    }
  };
  check('limits');
  check('requests');
  if (hugePages && !cpuOrMemory) errs.push(field.forbidden(path, 'HugePages require cpu or memory'));
  return errs;
}

function validateSecurityContext(sc: unknown, path: string): FieldError[] {
  const s = obj(sc);
  if (!s) return [];
  const errs: FieldError[] = [];
  for (const id of ['runAsUser', 'runAsGroup']) {
    const v = s[id];
    if (typeof v === 'number' && (v < 0 || v > MAX_INT32)) {
      errs.push(field.invalid(`${path}.${id}`, v, inclusiveRangeError(0, MAX_INT32)));
    }
  }
  if (s.procMount !== undefined && s.procMount !== 'Default' && s.procMount !== 'Unmasked') {
    errs.push(field.notSupported(`${path}.procMount`, s.procMount, ['Default', 'Unmasked']));
  }
  if (s.allowPrivilegeEscalation === false && s.privileged === true) {
    errs.push(field.invalid(path, s, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
  }
  return errs;
}

/** Errors common to regular, init and ephemeral containers (not name uniqueness, probes or lifecycle). */
export function validateContainerCommon(container: unknown, volumes: Set<string>, path: string): FieldError[] {
  const c = obj(container) ?? {};
  const errs: FieldError[] = [];
  const name = str(c.name);
  if (!name) errs.push(field.required(`${path}.name`, ''));
  else for (const msg of isDNS1123Label(name)) errs.push(field.invalid(`${path}.name`, name, msg));
  if (!str(c.image)) errs.push(field.required(`${path}.image`, ''));
  const policy = str(c.terminationMessagePolicy);
  if (!policy) errs.push(field.required(`${path}.terminationMessagePolicy`, ''));
  else if (policy !== 'File' && policy !== 'FallbackToLogsOnError') {
    errs.push(field.notSupported(`${path}.terminationMessagePolicy`, policy, ['File', 'FallbackToLogsOnError']));
  }
  errs.push(...validatePorts(c.ports, `${path}.ports`));
  errs.push(...validateEnv(c.env, `${path}.env`));
  errs.push(...validateEnvFrom(c.envFrom, `${path}.envFrom`));
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, `${path}.volumeMounts`));
  const pull = str(c.imagePullPolicy);
  if (!pull) errs.push(field.required(`${path}.imagePullPolicy`, ''));
  else if (!PULL_POLICIES.includes(pull)) errs.push(field.notSupported(`${path}.imagePullPolicy`, pull, PULL_POLICIES));
  errs.push(...validateResources(c.resources, `${path}.resources`));
  errs.push(...validateSecurityContext(c.securityContext, `${path}.securityContext`));
  return errs;
}
