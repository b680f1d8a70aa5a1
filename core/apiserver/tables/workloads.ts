/**
 * Tables of the workload controllers: deployments, replica sets,
 * replication controllers and daemon sets.
 */
import type { DaemonSet, Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { timestampSince } from './duration.ts';
import {
  ageColumn,
  column,
  containerCells,
  fieldDoc,
  formatLabelSelector,
  formatLabels,
  nameColumn,
  selectorString,
} from './format.ts';
import type { RowPrinter } from './types.ts';

/** `spec.replicas` is defaulted to 1 on write; a stored object without it still means one replica. */
const DEFAULT_REPLICAS = 1;

const containersColumn = column('Containers', 'string', 'Names of each container in the template.', 1);
const imagesColumn = column('Images', 'string', 'Images referenced by each container in the template.', 1);

const APPS = 'io.k8s.api.apps.v1';
const CORE = 'io.k8s.api.core.v1';

/** The deployments printer: Ready is `ready/desired`. */
export const deploymentPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'Number of the pod with ready state'),
    column('Up-to-date', 'string', fieldDoc(`${APPS}.DeploymentStatus`, 'updatedReplicas')),
    column('Available', 'string', fieldDoc(`${APPS}.DeploymentStatus`, 'availableReplicas')),
    ageColumn(),
    containersColumn,
    imagesColumn,
    column('Selector', 'string', fieldDoc(`${APPS}.DeploymentSpec`, 'selector'), 1),
  ],
  cells(obj: KubeObject, now: Date): unknown[] {
    const d = obj as unknown as Deployment;
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    return [
      d.metadata?.name ?? '',
      `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? DEFAULT_REPLICAS}`,
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      timestampSince(d.metadata?.creationTimestamp, now),
      names,
      images,
      selectorString(d.spec?.selector) ?? '<invalid>',
    ];
  },
};

/** The replica sets printer. */
export const replicaSetPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', fieldDoc(`${APPS}.ReplicaSetSpec`, 'replicas')),
    column('Current', 'integer', fieldDoc(`${APPS}.ReplicaSetStatus`, 'replicas')),
    column('Ready', 'integer', fieldDoc(`${APPS}.ReplicaSetStatus`, 'readyReplicas')),
    ageColumn(),
    containersColumn,
    imagesColumn,
    column('Selector', 'string', fieldDoc(`${APPS}.ReplicaSetSpec`, 'selector'), 1),
  ],
  cells(obj: KubeObject, now: Date): unknown[] {
    const rs = obj as unknown as ReplicaSet;
    const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
    return [
      rs.metadata?.name ?? '',
      rs.spec?.replicas ?? DEFAULT_REPLICAS,
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      timestampSince(rs.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ];
  },
};

/** The replication controllers printer; its selector is a plain label map. */
export const replicationControllerPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', fieldDoc(`${CORE}.ReplicationControllerSpec`, 'replicas')),
    column('Current', 'integer', fieldDoc(`${CORE}.ReplicationControllerStatus`, 'replicas')),
    column('Ready', 'integer', fieldDoc(`${CORE}.ReplicationControllerStatus`, 'readyReplicas')),
    ageColumn(),
    containersColumn,
    imagesColumn,
    column('Selector', 'string', fieldDoc(`${CORE}.ReplicationControllerSpec`, 'selector'), 1),
  ],
  cells(obj: KubeObject, now: Date): unknown[] {
    const rc = obj as unknown as ReplicationController;
    const [names, images] = containerCells(rc.spec?.template?.spec?.containers);
    return [
      rc.metadata?.name ?? '',
      rc.spec?.replicas ?? DEFAULT_REPLICAS,
      rc.status?.replicas ?? 0,
      rc.status?.readyReplicas ?? 0,
      timestampSince(rc.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabels(rc.spec?.selector),
    ];
  },
};

/** The daemon sets printer. */
export const daemonSetPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', fieldDoc(`${APPS}.DaemonSetStatus`, 'desiredNumberScheduled')),
    column('Current', 'integer', fieldDoc(`${APPS}.DaemonSetStatus`, 'currentNumberScheduled')),
    column('Ready', 'integer', fieldDoc(`${APPS}.DaemonSetStatus`, 'numberReady')),
    column('Up-to-date', 'integer', fieldDoc(`${APPS}.DaemonSetStatus`, 'updatedNumberScheduled')),
    column('Available', 'integer', fieldDoc(`${APPS}.DaemonSetStatus`, 'numberAvailable')),
    column('Node Selector', 'string', fieldDoc(`${CORE}.PodSpec`, 'nodeSelector')),
    ageColumn(),
    containersColumn,
    imagesColumn,
    column('Selector', 'string', fieldDoc(`${APPS}.DaemonSetSpec`, 'selector'), 1),
  ],
  cells(obj: KubeObject, now: Date): unknown[] {
    const ds = obj as unknown as DaemonSet;
    const status = ds.status;
    const [names, images] = containerCells(ds.spec?.template?.spec?.containers);
    return [
      ds.metadata?.name ?? '',
      status?.desiredNumberScheduled ?? 0,
      status?.currentNumberScheduled ?? 0,
      status?.numberReady ?? 0,
      status?.updatedNumberScheduled ?? 0,
      status?.numberAvailable ?? 0,
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      timestampSince(ds.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ];
  },
};
