/**
 * Tables of cluster-level and bookkeeping resources: nodes, namespaces,
 * events and leases.
 */

import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Event, Namespace, Node } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { timestampSince } from './duration.ts';
import { ageColumn, column, fieldDoc, nameColumn } from './format.ts';
import type { RowPrinter } from './types.ts';

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
/** The older role label, `kubernetes.io/role=<role>`. */
const NODE_ROLE_LABEL = 'kubernetes.io/role';

/** The Status cell of a node: `Ready`/`NotReady`/`Unknown`, plus `SchedulingDisabled` when cordoned. */
export function nodeStatus(node: Node): string {
  // The last Ready condition wins, as a map keyed by condition type would have it.
  const ready = (node.status?.conditions ?? []).filter((c) => c.type === 'Ready').pop();
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

/** The Roles cell: roles from `node-role.kubernetes.io/<role>` and `kubernetes.io/role` labels, sorted, or `<none>`. */
export function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata?.labels ?? {})) {
    if (key.startsWith(NODE_ROLE_PREFIX)) {
      const role = key.slice(NODE_ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (key === NODE_ROLE_LABEL && value) {
      roles.add(value);
    }
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

function nodeAddress(node: Node, type: string): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
}

const NODE_INFO = 'io.k8s.api.core.v1.NodeSystemInfo';

/** The nodes printer. */
export const nodePrinter: RowPrinter = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    ageColumn(),
    column('Version', 'string', fieldDoc(NODE_INFO, 'kubeletVersion')),
    column('Internal-IP', 'string', fieldDoc('io.k8s.api.core.v1.NodeStatus', 'addresses'), 1),
    column('External-IP', 'string', fieldDoc('io.k8s.api.core.v1.NodeStatus', 'addresses'), 1),
    column('OS-Image', 'string', fieldDoc(NODE_INFO, 'osImage'), 1),
    column('Kernel-Version', 'string', fieldDoc(NODE_INFO, 'kernelVersion'), 1),
    column('Container-Runtime', 'string', fieldDoc(NODE_INFO, 'containerRuntimeVersion'), 1),
  ],
  cells(obj: KubeObject, now: Date): unknown[] {
    const node = obj as unknown as Node;
    const info = node.status?.nodeInfo;
    return [
      node.metadata?.name ?? '',
      nodeStatus(node),
      nodeRoles(node),
      timestampSince(node.metadata?.creationTimestamp, now),
      info?.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      info?.osImage || '<unknown>',
      info?.kernelVersion || '<unknown>',
      info?.containerRuntimeVersion || '<unknown>',
    ];
  },
};

/** The namespaces printer. */
export const namespacePrinter: RowPrinter = {
  columns: [nameColumn(), column('Status', 'string', 'The status of the namespace'), ageColumn()],
  cells(obj: KubeObject, now: Date): unknown[] {
    const ns = obj as unknown as Namespace;
    return [ns.metadata?.name ?? '', ns.status?.phase ?? '', timestampSince(ns.metadata?.creationTimestamp, now)];
  },
};

const EVENT = 'io.k8s.api.core.v1.Event';

/** The Source cell: component (or reporting controller), then host (or reporting instance) when known. */
function eventSource(ev: Event): string {
  const component = ev.source?.component || ev.reportingComponent || '';
  const host = ev.source?.host || ev.reportingInstance || '';
  return host ? `${component}, ${host}` : component;
}

/** The events printer: event times fall back from the legacy timestamps to `eventTime` and `series`. */
export const eventPrinter: RowPrinter = {
  columns: [
    column('Last Seen', 'string', fieldDoc(EVENT, 'lastTimestamp')),
    column('Type', 'string', fieldDoc(EVENT, 'type')),
    column('Reason', 'string', fieldDoc(EVENT, 'reason')),
    column('Object', 'string', fieldDoc(EVENT, 'involvedObject')),
    column('Subobject', 'string', fieldDoc('io.k8s.api.core.v1.ObjectReference', 'fieldPath'), 1),
    column('Source', 'string', fieldDoc(EVENT, 'source'), 1),
    column('Message', 'string', fieldDoc(EVENT, 'message')),
    column('First Seen', 'string', fieldDoc(EVENT, 'firstTimestamp'), 1),
    column('Count', 'string', fieldDoc(EVENT, 'count'), 1),
    nameColumn(1),
  ],
  cells(obj: KubeObject, now: Date): unknown[] {
    const ev = obj as unknown as Event;
    const first = ev.firstTimestamp ? timestampSince(ev.firstTimestamp, now) : timestampSince(ev.eventTime, now);
    let last = ev.lastTimestamp ? timestampSince(ev.lastTimestamp, now) : first;
    let count = ev.count ?? 0;
    if (ev.series) {
      last = timestampSince(ev.series.lastObservedTime, now);
      count = ev.series.count ?? 0;
    } else if (count === 0) {
      // Events from the events.k8s.io API are singletons without a count.
      count = 1;
    }
    const kind = (ev.involvedObject?.kind ?? '').toLowerCase();
    const target = ev.involvedObject?.name ? `${kind}/${ev.involvedObject.name}` : kind;
    return [
      last,
      ev.type ?? '',
      ev.reason ?? '',
      target,
      ev.involvedObject?.fieldPath ?? '',
      eventSource(ev),
      (ev.message ?? '').trim(),
      first,
      count,
      ev.metadata?.name ?? '',
    ];
  },
};

/** The leases printer. */
export const leasePrinter: RowPrinter = {
  columns: [
    nameColumn(),
    column('Holder', 'string', fieldDoc('io.k8s.api.coordination.v1.LeaseSpec', 'holderIdentity')),
    ageColumn(),
  ],
  cells(obj: KubeObject, now: Date): unknown[] {
    const lease = obj as unknown as Lease;
    return [
      lease.metadata?.name ?? '',
      lease.spec?.holderIdentity ?? '',
      timestampSince(lease.metadata?.creationTimestamp, now),
    ];
  },
};
