/**
 * `metadata` validation shared by every kind (Kubernetes' ValidateObjectMeta
 * and ValidateObjectMetaUpdate): name and generateName syntax, namespace
 * presence, labels, annotations, owner references and finalizers, and the
 * fields an update may not change.
 */
import { type FieldError, field } from '../../errors/index.ts';
import { entries, type Json, jsonEqual, list, obj, str } from './json.ts';
import { byteLength, isQualifiedName, isValidLabelValue, type NameCheck, nameIsDNSLabel } from './names.ts';

/** Kubernetes' limit on the total size of an object's annotation keys and values. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const FIELD_IMMUTABLE = 'field is immutable';
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** Errors for a label map (keys are qualified names, values label values); the path has no key suffix. */
export function validateLabels(labels: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of entries(labels)) {
    for (const msg of isQualifiedName(k)) errs.push(field.invalid(path, k, msg));
    for (const msg of isValidLabelValue(str(v))) errs.push(field.invalid(path, v, msg));
  }
  return errs;
}

/** Errors for an annotation map: key syntax (case-insensitive) and the 256 KiB total. */
export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of entries(annotations)) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(field.invalid(path, k, msg));
    total += byteLength(k) + byteLength(str(v));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(field.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let controller = '';
  for (const raw of list(refs)) {
    const ref = obj(raw) ?? {};
    const apiVersion = str(ref.apiVersion);
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    if (!version) errs.push(field.invalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!str(ref.kind)) errs.push(field.invalid(`${path}.kind`, str(ref.kind), 'kind must not be empty'));
    if (!str(ref.name)) errs.push(field.invalid(`${path}.name`, str(ref.name), 'name must not be empty'));
    if (!str(ref.uid)) errs.push(field.invalid(`${path}.uid`, str(ref.uid), 'uid must not be empty'));
    if (apiVersion === 'v1' && ref.kind === 'Event') {
      errs.push(field.invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const name = `${str(ref.kind)}/${str(ref.name)}`;
      if (controller) {
        errs.push(
          field.invalid(
            path,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${controller} and ${name}`,
          ),
        );
      } else {
        controller = name;
      }
    }
  }
  return errs;
}

/** Errors for finalizer names: qualified names, and unprefixed ones must be standard. */
export function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = list(finalizers).map(str);
  for (const name of names) for (const msg of isQualifiedName(name)) errs.push(field.invalid(path, name, msg));
  if (names.includes('orphan') && names.includes('foregroundDeletion')) {
    errs.push(field.invalid(path, names, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  names.forEach((name, i) => {
    if (!name.includes('/') && !STANDARD_FINALIZERS.has(name)) {
      errs.push(
        field.invalid(`${path}[${i}]`, name, 'name is neither a standard finalizer name nor is it fully qualified'),
      );
    }
  });
  return errs;
}

/** How a kind's metadata is checked on create. */
export interface MetaRules {
  /** The kind lives in a namespace (`metadata.namespace` required) or not (forbidden). */
  namespaced: boolean;
  /** The name syntax (DNS-1123 subdomain for most kinds). */
  nameCheck: NameCheck;
}

/**
 * Errors in `metadata` of an object being created. A missing name is fine
 * when `generateName` is set (the registry generates the name).
 */
export function validateObjectMeta(metadata: unknown, rules: MetaRules, path = 'metadata'): FieldError[] {
  const meta: Json = obj(metadata) ?? {};
  const errs: FieldError[] = [];
  const generateName = str(meta.generateName);
  const name = str(meta.name);
  if (generateName) {
    for (const msg of rules.nameCheck(generateName, true))
      errs.push(field.invalid(`${path}.generateName`, generateName, msg));
  }
  if (!name) {
    if (!generateName) errs.push(field.required(`${path}.name`, 'name or generateName is required'));
  } else {
    for (const msg of rules.nameCheck(name, false)) errs.push(field.invalid(`${path}.name`, name, msg));
  }
  const namespace = str(meta.namespace);
  if (rules.namespaced) {
    if (!namespace) errs.push(field.required(`${path}.namespace`, ''));
    else
      for (const msg of nameIsDNSLabel(namespace, false)) errs.push(field.invalid(`${path}.namespace`, namespace, msg));
  } else if (namespace) {
    errs.push(field.forbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  errs.push(...validateCommonMeta(meta, path));
  errs.push(...validateFinalizers(meta.finalizers, `${path}.finalizers`));
  return errs;
}

function validateCommonMeta(meta: Json, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (typeof meta.generation === 'number' && meta.generation < 0) {
    errs.push(field.invalid(`${path}.generation`, meta.generation, 'must be greater than or equal to 0'));
  }
  errs.push(...validateLabels(meta.labels, `${path}.labels`));
  errs.push(...validateAnnotations(meta.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(meta.ownerReferences, `${path}.ownerReferences`));
  return errs;
}

/**
 * Errors in `metadata` of an update: name, namespace, uid, creationTimestamp
 * and the deletion fields may not change, generation may not go down, and a
 * deleted object may not gain finalizers. An empty uid or creationTimestamp
 * counts as "not sent" (the registry copies them from the stored object).
 */
export function validateObjectMetaUpdate(metadata: unknown, oldMetadata: unknown, path = 'metadata'): FieldError[] {
  const meta: Json = obj(metadata) ?? {};
  const old: Json = obj(oldMetadata) ?? {};
  const errs: FieldError[] = [];
  if (old.deletionTimestamp) {
    const before = new Set(list(old.finalizers).map(str));
    const added = [...new Set(list(meta.finalizers).map(str))].filter((f) => !before.has(f)).sort();
    if (added.length) {
      const shown = `[]string{${added.map((f) => JSON.stringify(f)).join(', ')}}`;
      errs.push(
        field.forbidden(
          `${path}.finalizers`,
          `no new finalizers can be added if the object is being deleted, found new finalizers ${shown}`,
        ),
      );
    }
  }
  if (typeof meta.generation === 'number' && typeof old.generation === 'number' && meta.generation < old.generation) {
    errs.push(field.invalid(`${path}.generation`, meta.generation, 'must not be decremented'));
  }
  const immutable = (name: string, optional: boolean) => {
    const now = meta[name] ?? (optional ? undefined : '');
    const before = old[name] ?? (optional ? undefined : '');
    if (optional && (now === undefined || now === '')) return;
    if (!jsonEqual(now, before)) errs.push(field.invalid(`${path}.${name}`, now, FIELD_IMMUTABLE));
  };
  immutable('name', false);
  immutable('namespace', false);
  immutable('uid', true);
  immutable('creationTimestamp', true);
  immutable('deletionTimestamp', true);
  immutable('deletionGracePeriodSeconds', true);
  errs.push(...validateCommonMeta({ ...meta, generation: undefined }, path));
  list(meta.finalizers).forEach((raw, i) => {
    const name = str(raw);
    if (!name.includes('/') && !STANDARD_FINALIZERS.has(name)) {
      errs.push(
        field.invalid(
          `${path}.finalizers[${i}]`,
          name,
          'name is neither a standard finalizer name nor is it fully qualified',
        ),
      );
    }
  });
  return errs;
}
