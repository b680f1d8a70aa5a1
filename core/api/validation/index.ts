/**
 * Object validation for every served kind, with Kubernetes' field paths and
 * messages: `validateObject` on create, `validateObjectUpdate` on update
 * (object rules plus what may not change). Both expect a defaulted object
 * (`applyDefaults` first), as Kubernetes validates after defaulting, and both
 * are pure: they never throw on malformed input, they report it.
 */
import type { FieldError } from '../../errors/index.ts';
import type { KubeObject } from '../object.ts';
import type { ResourceInfo } from '../resources.ts';
import {
  validateBinding,
  validateConfigMapData,
  validateEndpointsSubsets,
  validateEvent,
  validateImmutableData,
  validateLeaseSpec,
  validateNamespaceSpec,
  validateNodeSpec,
  validateNodeUpdate,
  validateResourceQuotaSpec,
  validateResourceQuotaUpdate,
  validateSecretData,
  validateSecretTypeUnchanged,
} from './core-kinds.ts';
import type { Json } from './json.ts';
import { type NameCheck, nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain } from './names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';
import { validatePodCreate, validatePodSpecForPod, validatePodUpdate } from './pod.ts';
import { validateServiceSpec, validateServiceUpdate } from './service.ts';
import {
  validateDaemonSetSpec,
  validateDeploymentSpec,
  validateReplicaSetSpec,
  validateReplicationControllerSpec,
  validateSelectorUnchanged,
} from './workloads.ts';

/** How one kind is validated beyond its metadata. */
interface KindRules {
  /** Syntax of `metadata.name` (DNS-1123 subdomain unless said otherwise). */
  nameCheck?: NameCheck;
  /** The kind has no metadata rules of its own (Binding is checked by its target only). */
  skipMeta?: boolean;
  /** Rules for the object itself (create and update). */
  validate?(obj: Json): FieldError[];
  /** Extra rules on create only. */
  create?(obj: Json): FieldError[];
  /** Rules on update; replaces `validate` when it re-checks the object in its own way. */
  update?(obj: Json, old: Json): FieldError[];
  /** `update` already covers `validate`. */
  updateReplacesValidate?: boolean;
}

const RULES: Record<string, KindRules> = {
  '/Pod': { validate: validatePodSpecForPod, create: validatePodCreate, update: validatePodUpdate },
  '/Service': {
    nameCheck: nameIsDNS1035Label,
    validate: validateServiceSpec,
    update: validateServiceUpdate,
    updateReplacesValidate: true,
  },
  '/Namespace': { nameCheck: nameIsDNSLabel, create: validateNamespaceSpec },
  '/Secret': {
    validate: validateSecretData,
    update: (o, old) => [...validateSecretTypeUnchanged(o, old), ...validateImmutableData(o, old, ['data'])],
  },
  '/ConfigMap': {
    validate: validateConfigMapData,
    update: (o, old) => validateImmutableData(o, old, ['data', 'binaryData']),
  },
  '/Node': { validate: validateNodeSpec, update: validateNodeUpdate },
  '/Endpoints': { validate: validateEndpointsSubsets },
  '/Event': { validate: validateEvent },
  '/ResourceQuota': { validate: validateResourceQuotaSpec, update: validateResourceQuotaUpdate },
  '/ReplicationController': { validate: validateReplicationControllerSpec },
  '/Binding': { skipMeta: true, validate: validateBinding },
  'apps/Deployment': { validate: validateDeploymentSpec, update: validateSelectorUnchanged },
  'apps/ReplicaSet': { validate: validateReplicaSetSpec, update: validateSelectorUnchanged },
  'apps/DaemonSet': { validate: validateDaemonSetSpec, update: validateSelectorUnchanged },
  'coordination.k8s.io/Lease': { validate: validateLeaseSpec },
};

const rulesFor = (info: Pick<ResourceInfo, 'group' | 'kind'>): KindRules => RULES[`${info.group}/${info.kind}`] ?? {};

/**
 * The field errors of an object about to be created, empty when it is
 * valid. Metadata rules: a name (or generateName) of the kind's syntax, a
 * namespace exactly when the kind is namespaced, valid labels and annotations.
 */
export function validateObject(info: ResourceInfo, obj: KubeObject): FieldError[] {
  const rules = rulesFor(info);
  const o = obj as Json;
  const errs: FieldError[] = [];
  if (!rules.skipMeta) {
    errs.push(
      ...validateObjectMeta(o.metadata, {
        namespaced: info.namespaced,
        nameCheck: rules.nameCheck ?? nameIsDNSSubdomain,
      }),
    );
  }
  if (rules.validate) errs.push(...rules.validate(o));
  if (rules.create) errs.push(...rules.create(o));
  return errs;
}

/**
 * The field errors of an update from `old` to `obj`, empty when it is
 * allowed: the object rules of `validateObject` (except name syntax, which
 * cannot change) plus immutable metadata and the kind's immutable fields.
 */
export function validateObjectUpdate(info: ResourceInfo, obj: KubeObject, old: KubeObject): FieldError[] {
  const rules = rulesFor(info);
  const o = obj as Json;
  const before = old as Json;
  const errs: FieldError[] = [];
  if (!rules.skipMeta) errs.push(...validateObjectMetaUpdate(o.metadata, before.metadata));
  if (rules.validate && !rules.updateReplacesValidate) errs.push(...rules.validate(o));
  if (rules.update) errs.push(...rules.update(o, before));
  return errs;
}
