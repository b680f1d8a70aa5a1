/**
 * The two kinds the replica controller serves — apps/v1 ReplicaSet and
 * core/v1 ReplicationController — and how each maps to the plan's owner.
 */
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { findResource, type ResourceInfo, storageResource } from '../../api/resources.ts';
import {
  type LabelMatcher,
  labelSelectorFromLabelSelector,
  labelSelectorFromSet,
  NOTHING,
} from '../../api/selectors/labels.ts';
import type { ReplicaOwner } from './plan.ts';

/** One owner kind the replica controller reconciles. */
export interface ReplicaKind {
  /** The controller's name (work keys, logs). */
  controllerName: string;
  /** `source.component` of its Events. */
  component: string;
  info: ResourceInfo;
  /** Storage resource name (`replicasets.apps`). */
  storage: string;
  apiVersion: string;
  kind: string;
  /** The owner's selector; NOTHING when absent or invalid. */
  selectorOf(obj: KubeObject): LabelMatcher;
}

const RS_INFO = findResource('apps', 'v1', 'replicasets') as ResourceInfo;
const RC_INFO = findResource('', 'v1', 'replicationcontrollers') as ResourceInfo;

/** apps/v1 ReplicaSet. */
export const REPLICA_SET_KIND: ReplicaKind = {
  controllerName: 'replicaset',
  component: 'replicaset-controller',
  info: RS_INFO,
  storage: storageResource(RS_INFO),
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  selectorOf: (obj) => {
    try {
      return labelSelectorFromLabelSelector((obj as unknown as ReplicaSet).spec?.selector);
    } catch {
      return NOTHING;
    }
  },
};

/** core/v1 ReplicationController: a map selector, defaulting to the template's labels. */
export const REPLICATION_CONTROLLER_KIND: ReplicaKind = {
  controllerName: 'replicationcontroller',
  component: 'replication-controller',
  info: RC_INFO,
  storage: storageResource(RC_INFO),
  apiVersion: 'v1',
  kind: 'ReplicationController',
  selectorOf: (obj) => {
    const spec = (obj as unknown as ReplicationController).spec;
    const set = Object.keys(spec?.selector ?? {}).length ? spec?.selector : spec?.template?.metadata?.labels;
    // An empty map would select everything; an RC never means that.
    return Object.keys(set ?? {}).length ? labelSelectorFromSet(set) : NOTHING;
  },
};

/** The plan's view of a stored owner of `kind`. */
export function toReplicaOwner(kind: ReplicaKind, obj: KubeObject): ReplicaOwner {
  const spec = (obj.spec ?? {}) as ReplicaSet['spec'] & ReplicationController['spec'];
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name ?? '',
    uid: obj.metadata.uid ?? '',
    generation: obj.metadata.generation ?? 0,
    deleting: !!obj.metadata.deletionTimestamp,
    replicas: spec?.replicas ?? 1,
    minReadySeconds: spec?.minReadySeconds ?? 0,
    selector: kind.selectorOf(obj),
    template: spec?.template,
  };
}
