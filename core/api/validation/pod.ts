/**
 * Pod validation: the pod-only rules on create and Kubernetes' update rules,
 * under which a pod spec is immutable except container images,
 * activeDeadlineSeconds (only shortened), added tolerations, removed
 * scheduling gates and a negative grace period raised to 1.
 */
import { type FieldError, field } from '../../errors/index.ts';
import { type Json, jsonEqual, list, obj, str } from './json.ts';
import { inclusiveRangeError } from './names.ts';
import { validatePodSpec, validateTolerations } from './pod-spec.ts';

const MAX_INT32 = 2147483647;
const UPDATABLE = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function imageWhitespace(containers: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  list(containers).forEach((c, i) => {
    const image = str(obj(c)?.image);
    if (image !== image.trim())
      errs.push(field.invalid(`${path}[${i}].image`, image, 'must not have leading or trailing whitespace'));
  });
  return errs;
}

/** Errors in a Pod's spec with the pod-only rules (no metadata). */
export function validatePodSpecForPod(pod: Json): FieldError[] {
  return [
    ...validatePodSpec(pod.spec, 'spec', { isPod: true }),
    ...imageWhitespace(obj(pod.spec)?.containers, 'spec.containers'),
    ...imageWhitespace(obj(pod.spec)?.initContainers, 'spec.initContainers'),
  ];
}

/** Errors only a pod creation can have. */
export function validatePodCreate(pod: Json): FieldError[] {
  const spec = obj(pod.spec) ?? {};
  const errs: FieldError[] = [];
  if (list(spec.ephemeralContainers).length > 0) {
    errs.push(field.forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  }
  if (str(spec.nodeName) && list(spec.schedulingGates).length > 0) {
    errs.push(field.forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
  }
  return errs;
}

// Images may change, but a required or whitespace-free image is checked with the spec itself.
function containerCountChanged(now: unknown, before: unknown): boolean {
  return list(now).length !== list(before).length;
}

function onlyAddedTolerations(now: unknown, before: unknown, path: string): FieldError[] {
  for (const raw of list(before)) {
    const old = obj(raw) ?? {};
    // tolerationSeconds may change on an existing toleration; nothing else may.
    const kept = list(now).some((t) => jsonEqual({ ...old, tolerationSeconds: obj(t)?.tolerationSeconds }, t));
    if (!kept) return [field.forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(now, path);
}

function onlyDeletedGates(now: unknown, before: unknown, path: string): FieldError[] {
  const old = new Set(list(before).map((g) => str(obj(g)?.name)));
  const errs: FieldError[] = [];
  list(now).forEach((g, i) => {
    const name = str(obj(g)?.name);
    if (!old.has(name)) {
      errs.push(
        field.forbidden(`${path}[${i}].name`, `only deletion is allowed, but found new scheduling gate '${name}'`),
      );
    }
  });
  return errs;
}

/** The leaf paths where two JSON values differ, as `- path: old` / `+ path: new` lines. */
export function describeDiff(before: unknown, after: unknown, path: string): string[] {
  if (jsonEqual(before, after)) return [];
  const a = obj(before);
  const b = obj(after);
  if (a && b) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => describeDiff(a[k] ?? undefined, b[k] ?? undefined, `${path}.${k}`));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((x, i) => describeDiff(x, after[i], `${path}[${i}]`));
  }
  const show = (v: unknown) => (v === undefined ? 'null' : JSON.stringify(v));
  return [`-  ${path}: ${show(before)}`, `+  ${path}: ${show(after)}`];
}

/**
 * Errors for changing a pod's spec, Kubernetes' ValidatePodUpdate rules.
 * The forbidden-change message lists the updatable fields, then the changed
 * paths (Kubernetes prints a Go struct diff there).
 */
export function validatePodUpdate(pod: Json, oldPod: Json): FieldError[] {
  const spec: Json = obj(pod.spec) ?? {};
  const old: Json = obj(oldPod.spec) ?? {};
  const errs: FieldError[] = [];
  for (const kind of ['containers', 'initContainers']) {
    if (containerCountChanged(spec[kind], old[kind])) {
      return [field.forbidden(`spec.${kind}`, 'pod updates may not add or remove containers')];
    }
  }
  const deadline = spec.activeDeadlineSeconds;
  if (typeof deadline === 'number') {
    if (deadline < 0 || deadline > MAX_INT32) {
      return [...errs, field.invalid('spec.activeDeadlineSeconds', deadline, inclusiveRangeError(0, MAX_INT32))];
    }
    if (typeof old.activeDeadlineSeconds === 'number' && old.activeDeadlineSeconds < deadline) {
      return [
        ...errs,
        field.invalid('spec.activeDeadlineSeconds', deadline, 'must be less than or equal to previous value'),
      ];
    }
  } else if (typeof old.activeDeadlineSeconds === 'number') {
    errs.push(
      field.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'),
    );
  }
  errs.push(...onlyAddedTolerations(spec.tolerations, old.tolerations, 'spec.tolerations'));
  errs.push(...onlyDeletedGates(spec.schedulingGates, old.schedulingGates, 'spec.schedulingGates'));
  if (jsonEqual(spec, old)) return errs;

  const munged: Json = structuredClone(spec);
  const keepImages = (kind: string) => {
    if (!Array.isArray(munged[kind])) return;
    munged[kind] = munged[kind].map((c: unknown, i: number) => {
      const oldImage = obj(list(old[kind])[i])?.image;
      return obj(c) ? { ...obj(c), image: oldImage } : c;
    });
  };
  keepImages('containers');
  keepImages('initContainers');
  munged.activeDeadlineSeconds = old.activeDeadlineSeconds;
  munged.schedulingGates = old.schedulingGates;
  munged.tolerations = old.tolerations;
  if (typeof old.terminationGracePeriodSeconds === 'number' && old.terminationGracePeriodSeconds < 0) {
    if (munged.terminationGracePeriodSeconds === 1)
      munged.terminationGracePeriodSeconds = old.terminationGracePeriodSeconds;
  }
  if (!jsonEqual(munged, old)) {
    const diff = describeDiff(old, munged, 'spec').join('\n');
    errs.push(field.forbidden('spec', `pod updates may not change fields other than ${UPDATABLE.join(',')}\n${diff}`));
  }
  return errs;
}

/** Errors in a Pod's spec on update: the spec rules plus the update rules. */
export function validatePodSpecUpdate(pod: Json, oldPod: Json): FieldError[] {
  return [...validatePodSpecForPod(pod), ...validatePodUpdate(pod, oldPod)];
}
