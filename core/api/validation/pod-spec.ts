/**
 * PodSpec validation (Kubernetes' ValidatePodSpec) for Pods and for the pod
 * templates of workloads: containers and init containers, volumes, policies,
 * scheduling fields and host-port conflicts. Expects a defaulted spec, as
 * Kubernetes validates after defaulting (restartPolicy, dnsPolicy,
 * terminationGracePeriodSeconds and the container defaults are required).
 */
import { type FieldError, field } from '../../errors/index.ts';
import { validateContainerCommon } from './containers.ts';
import { validateLifecycle, validateProbe } from './handlers.ts';
import { type Json, list, obj, str } from './json.ts';
import {
  inclusiveRangeError,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  nameIsDNSSubdomain,
} from './names.ts';
import { validateAnnotations, validateLabels } from './object-meta.ts';
import { validateVolumes } from './volumes.ts';

const MAX_INT32 = 2147483647;
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const NEGATIVE = 'must be greater than or equal to 0';

/** Options that differ between a Pod and a pod template. */
export interface PodSpecOptions {
  /** The spec belongs to a Pod (host ports must equal container ports under hostNetwork). */
  isPod: boolean;
}

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

function hostPortConflicts(containers: Json[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    list(c.ports).forEach((raw, pi) => {
      const p = obj(raw) ?? {};
      if (!p.hostPort) return;
      const key = `${str(p.protocol)}/${str(p.hostIP)}/${p.hostPort}`;
      if (seen.has(key)) errs.push(field.duplicate(`${path}[${ci}].ports[${pi}].hostPort`, key));
      seen.add(key);
    });
  });
  return errs;
}

function validateContainers(spec: Json, volumes: Set<string>, grace: number | undefined, path: string): FieldError[] {
  const containers = list(spec.containers).map((c) => obj(c) ?? {});
  if (containers.length === 0) return [field.required(`${path}.containers`, '')];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const at = `${path}.containers[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, at));
    const name = str(c.name);
    if (names.has(name)) errs.push(field.duplicate(`${at}.name`, name));
    names.add(name);
    errs.push(...validateLifecycle(c.lifecycle, grace, `${at}.lifecycle`));
    errs.push(...validateProbe(c.livenessProbe, 'livenessProbe', grace, `${at}.livenessProbe`));
    errs.push(...validateProbe(c.readinessProbe, 'readinessProbe', grace, `${at}.readinessProbe`));
    errs.push(...validateProbe(c.startupProbe, 'startupProbe', grace, `${at}.startupProbe`));
    if (c.restartPolicy !== undefined && c.restartPolicy !== null) {
      errs.push(field.forbidden(`${at}.restartPolicy`, 'may not be set for non-init containers'));
    }
  });
  errs.push(...hostPortConflicts(containers, `${path}.containers`));
  return errs;
}

function validateInitContainers(
  spec: Json,
  volumes: Set<string>,
  grace: number | undefined,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(list(spec.containers).map((c) => str(obj(c)?.name)));
  list(spec.initContainers).forEach((raw, i) => {
    const c = obj(raw) ?? {};
    const at = `${path}.initContainers[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, at));
    const sidecar = c.restartPolicy === 'Always';
    if (c.restartPolicy !== undefined && c.restartPolicy !== null && !sidecar) {
      errs.push(field.notSupported(`${at}.restartPolicy`, c.restartPolicy, ['Always']));
    }
    const name = str(c.name);
    if (names.has(name)) errs.push(field.duplicate(`${at}.name`, name));
    else if (name) names.add(name);
    errs.push(...hostPortConflicts([c], `${path}.initContainers`));
    if (sidecar) {
      errs.push(...validateLifecycle(c.lifecycle, grace, `${at}.lifecycle`));
      errs.push(...validateProbe(c.livenessProbe, 'livenessProbe', grace, `${at}.livenessProbe`));
      errs.push(...validateProbe(c.readinessProbe, 'readinessProbe', grace, `${at}.readinessProbe`));
      errs.push(...validateProbe(c.startupProbe, 'startupProbe', grace, `${at}.startupProbe`));
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (c[f] !== undefined && c[f] !== null) {
          errs.push(field.forbidden(`${at}.${f}`, 'may not be set for init containers without restartPolicy=Always'));
        }
      }
    }
  });
  return errs;
}

/** Errors in a pod's tolerations list (also used by the pod update rules). */
export function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  list(tolerations).forEach((raw, i) => {
    const t = obj(raw) ?? {};
    const at = `${path}[${i}]`;
    const key = str(t.key);
    if (key) for (const msg of isQualifiedName(key)) errs.push(field.invalid(`${at}.key`, key, msg));
    const op = str(t.operator);
    if (!key && op !== 'Exists') {
      errs.push(
        field.invalid(
          `${at}.operator`,
          op,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (t.tolerationSeconds != null && t.effect !== 'NoExecute') {
      errs.push(
        field.invalid(`${at}.effect`, str(t.effect), "effect must be 'NoExecute' when `tolerationSeconds` is set"),
      );
    }
    if (op === 'Equal' || op === '') {
      const msgs = isValidLabelValue(str(t.value));
      if (msgs.length) errs.push(field.invalid(`${at}.operator`, str(t.value), msgs.join(';')));
    } else if (op === 'Exists') {
      if (str(t.value))
        errs.push(field.invalid(`${at}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(field.notSupported(`${at}.operator`, op, ['Equal', 'Exists']));
    }
    const effect = str(t.effect);
    if (effect && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(effect)) {
      errs.push(field.notSupported(`${at}.effect`, effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    }
  });
  return errs;
}

function validateSecurity(spec: Json, path: string): FieldError[] {
  const sc = obj(spec.securityContext);
  if (!sc) return [];
  const errs: FieldError[] = [];
  for (const id of ['fsGroup', 'runAsUser', 'runAsGroup']) {
    const v = num(sc[id]);
    if (v !== undefined && (v < 0 || v > MAX_INT32))
      errs.push(field.invalid(`${path}.${id}`, v, inclusiveRangeError(0, MAX_INT32)));
  }
  list(sc.supplementalGroups).forEach((g, i) => {
    if (typeof g === 'number' && (g < 0 || g > MAX_INT32)) {
      errs.push(field.invalid(`${path}.supplementalGroups[${i}]`, g, inclusiveRangeError(0, MAX_INT32)));
    }
  });
  return errs;
}

function validateDNSConfig(spec: Json, path: string): FieldError[] {
  const cfg = obj(spec.dnsConfig);
  if (spec.dnsPolicy === 'None') {
    if (!cfg) return [field.required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (list(cfg.nameservers).length === 0) {
      return [
        field.required(`${path}.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None'),
      ];
    }
  }
  if (!cfg) return [];
  const errs: FieldError[] = [];
  const servers = list(cfg.nameservers);
  if (servers.length > 3)
    errs.push(field.invalid(`${path}.nameservers`, servers, 'must not have more than 3 nameservers'));
  list(cfg.searches).forEach((s, i) => {
    const search = str(s).replace(/\.$/, '');
    for (const msg of isDNS1123Subdomain(search)) errs.push(field.invalid(`${path}.searches[${i}]`, search, msg));
  });
  list(cfg.options).forEach((o, i) => {
    if (!str(obj(o)?.name)) errs.push(field.required(`${path}.options[${i}]`, 'must not be empty'));
  });
  return errs;
}

/** Errors in a PodSpec at `path` (`spec` for a Pod, `spec.template.spec` for a workload). */
export function validatePodSpec(podSpec: unknown, path: string, opts: PodSpecOptions): FieldError[] {
  const spec: Json = obj(podSpec) ?? {};
  const errs: FieldError[] = [];
  const grace = num(spec.terminationGracePeriodSeconds);
  if (spec.terminationGracePeriodSeconds == null)
    errs.push(field.required(`${path}.terminationGracePeriodSeconds`, ''));
  else if (grace !== undefined && grace < 0)
    errs.push(field.invalid(`${path}.terminationGracePeriodSeconds`, grace, NEGATIVE));
  const vols = validateVolumes(spec.volumes, `${path}.volumes`);
  errs.push(...vols.errors);
  errs.push(...validateContainers(spec, vols.names, grace, path));
  errs.push(...validateInitContainers(spec, vols.names, grace, path));
  if (spec.hostNetwork === true) {
    list(spec.containers).forEach((c, ci) => {
      list(obj(c)?.ports).forEach((raw, pi) => {
        const p = obj(raw) ?? {};
        const hp = num(p.hostPort) ?? 0;
        if ((opts.isPod || hp !== 0) && hp !== num(p.containerPort)) {
          const at = `${path}.containers[${ci}].ports[${pi}].hostPort`;
          errs.push(field.invalid(at, hp, 'must match `containerPort` when `hostNetwork` is true'));
        }
      });
    });
  }
  const restart = str(spec.restartPolicy);
  if (!restart) errs.push(field.required(`${path}.restartPolicy`, ''));
  else if (!RESTART_POLICIES.includes(restart))
    errs.push(field.notSupported(`${path}.restartPolicy`, restart, RESTART_POLICIES));
  const dns = str(spec.dnsPolicy);
  if (!dns) errs.push(field.required(`${path}.dnsPolicy`, ''));
  else if (!DNS_POLICIES.includes(dns)) errs.push(field.notSupported(`${path}.dnsPolicy`, dns, DNS_POLICIES));
  errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  errs.push(...validateSecurity(spec, `${path}.securityContext`));
  list(spec.imagePullSecrets).forEach((s, i) => {
    const ref = obj(s) ?? {};
    if (Object.keys(ref).some((k) => k !== 'name'))
      errs.push(field.invalid(`${path}.imagePullSecrets[${i}]`, ref, 'only name may be set'));
  });
  errs.push(...validateDNSConfig(spec, `${path}.dnsConfig`));
  list(spec.readinessGates).forEach((g, i) => {
    const type = str(obj(g)?.conditionType);
    for (const msg of isQualifiedName(type))
      errs.push(field.invalid(`${path}.readinessGates[${i}].conditionType`, type, msg));
  });
  const gates = new Set<string>();
  list(spec.schedulingGates).forEach((g, i) => {
    const name = str(obj(g)?.name);
    for (const msg of isQualifiedName(name)) errs.push(field.invalid(`${path}.schedulingGates[${i}]`, name, msg));
    if (gates.has(name)) errs.push(field.duplicate(`${path}.schedulingGates[${i}]`, name));
    gates.add(name);
  });
  list(spec.topologySpreadConstraints).forEach((raw, i) => {
    const c = obj(raw) ?? {};
    const at = `${path}.topologySpreadConstraints[${i}]`;
    if ((num(c.maxSkew) ?? 0) <= 0)
      errs.push(field.invalid(`${at}.maxSkew`, num(c.maxSkew) ?? 0, 'must be greater than zero'));
    if (!str(c.topologyKey)) errs.push(field.required(`${at}.topologyKey`, 'can not be empty'));
    if (c.whenUnsatisfiable !== 'DoNotSchedule' && c.whenUnsatisfiable !== 'ScheduleAnyway') {
      errs.push(
        field.notSupported(`${at}.whenUnsatisfiable`, c.whenUnsatisfiable ?? '', ['DoNotSchedule', 'ScheduleAnyway']),
      );
    }
  });
  for (const [f, check] of [
    ['serviceAccountName', nameIsDNSSubdomain],
    ['nodeName', nameIsDNSSubdomain],
    ['priorityClassName', nameIsDNSSubdomain],
    ['hostname', (v: string) => isDNS1123Label(v)],
    ['subdomain', (v: string) => isDNS1123Label(v)],
  ] as const) {
    const v = str(spec[f]);
    if (v) for (const msg of check(v, false)) errs.push(field.invalid(`${path}.${f}`, v, msg));
  }
  const deadline = num(spec.activeDeadlineSeconds);
  if (deadline !== undefined && (deadline < 1 || deadline > MAX_INT32)) {
    errs.push(field.invalid(`${path}.activeDeadlineSeconds`, deadline, inclusiveRangeError(1, MAX_INT32)));
  }
  errs.push(...validateTolerations(spec.tolerations, `${path}.tolerations`));
  if (spec.preemptionPolicy != null && !['PreemptLowerPriority', 'Never'].includes(str(spec.preemptionPolicy))) {
    errs.push(field.notSupported(`${path}.preemptionPolicy`, spec.preemptionPolicy, ['PreemptLowerPriority', 'Never']));
  }
  const os = obj(spec.os);
  if (os && !str(os.name)) errs.push(field.required(`${path}.os.name`, 'cannot be empty'));
  else if (os && !['linux', 'windows'].includes(str(os.name)))
    errs.push(field.notSupported(`${path}.os`, os.name, ['linux', 'windows']));
  return errs;
}

/** Errors in a pod template (`spec.template` of a workload): its labels, annotations and spec. */
export function validatePodTemplateSpec(template: unknown, path: string): FieldError[] {
  const t: Json = obj(template) ?? {};
  const meta = obj(t.metadata) ?? {};
  // Kubernetes embeds ObjectMeta, so these paths skip `.metadata`.
  const errs = [
    ...validateLabels(meta.labels, `${path}.labels`),
    ...validateAnnotations(meta.annotations, `${path}.annotations`),
  ];
  errs.push(...validatePodSpec(t.spec, `${path}.spec`, { isPod: false }));
  if (list(obj(t.spec)?.ephemeralContainers).length > 0) {
    errs.push(field.forbidden(`${path}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}
