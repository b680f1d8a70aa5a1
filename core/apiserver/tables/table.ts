/**
 * Server-side Table conversion for `kubectl get` human output: picks the
 * resource's printer (Kubernetes' own column set) or the Name/Age default,
 * and wraps rows with the object kubectl needs for `-A`, `--show-labels`
 * and `--sort-by`.
 */
import { clone, type KubeObject } from '../../api/object.ts';
import { groupVersion, type ResourceInfo } from '../../api/resources.ts';
import { eventPrinter, leasePrinter, namespacePrinter, nodePrinter } from './cluster.ts';
import { configMapPrinter, resourceQuotaPrinter, secretPrinter } from './config.ts';
import { timestampSince } from './duration.ts';
import { ageColumn, nameColumn } from './format.ts';
import { podPrinter } from './pods.ts';
import { endpointsPrinter, servicePrinter } from './services.ts';
import type { RowPrinter, Table, TableRow } from './types.ts';
import { daemonSetPrinter, deploymentPrinter, replicaSetPrinter, replicationControllerPrinter } from './workloads.ts';

/** What a row carries besides its cells: nothing, the object's metadata (the default), or the whole object. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Options of a Table conversion. */
export interface TableOptions {
  /** The clock ages are computed against. */
  now: Date;
  includeObject?: IncludeObject;
  /** The list's resourceVersion; for a single object it defaults to the object's. */
  resourceVersion?: string;
  continue?: string;
  /** Leave out `columnDefinitions`, as on watch events after the first. */
  noHeaders?: boolean;
}

/** The Name/Age table of resources without a dedicated printer. */
const defaultPrinter: RowPrinter = {
  columns: [nameColumn(), ageColumn()],
  cells: (obj, now) => [obj.metadata?.name ?? '', timestampSince(obj.metadata?.creationTimestamp, now)],
};

/** Printers by `<group>/<resource>` (the core group is empty). */
const PRINTERS: Readonly<Record<string, RowPrinter>> = {
  '/pods': podPrinter,
  '/services': servicePrinter,
  '/endpoints': endpointsPrinter,
  '/nodes': nodePrinter,
  '/namespaces': namespacePrinter,
  '/events': eventPrinter,
  '/configmaps': configMapPrinter,
  '/secrets': secretPrinter,
  '/resourcequotas': resourceQuotaPrinter,
  '/replicationcontrollers': replicationControllerPrinter,
  'apps/deployments': deploymentPrinter,
  'apps/replicasets': replicaSetPrinter,
  'apps/daemonsets': daemonSetPrinter,
  'coordination.k8s.io/leases': leasePrinter,
};

/** The printer for a resource: its own, or the Name/Age default. */
export function printerFor(info: Pick<ResourceInfo, 'group' | 'resource'>): RowPrinter {
  return PRINTERS[`${info.group}/${info.resource}`] ?? defaultPrinter;
}

function rowObject(info: ResourceInfo, obj: KubeObject, include: IncludeObject): object | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') {
    return { ...clone(obj), apiVersion: obj.apiVersion ?? groupVersion(info), kind: obj.kind ?? info.kind };
  }
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: clone(obj.metadata ?? {}) };
}

/**
 * Converts objects of one resource to a `meta.k8s.io/v1` Table: one row per
 * object, cells formatted as Kubernetes' printers format them (all columns,
 * wide ones included; kubectl hides priority > 0 unless `-o wide`). Pure and
 * deterministic for a given `now`; does not modify the objects.
 */
export function toTable(info: ResourceInfo, objects: readonly KubeObject[], opts: TableOptions): Table {
  const printer = printerFor(info);
  const include = opts.includeObject ?? 'Metadata';
  const rows: TableRow[] = objects.map((obj) => {
    const row: TableRow = { cells: printer.cells(obj, opts.now) };
    const conditions = printer.conditions?.(obj);
    if (conditions) row.conditions = conditions;
    const object = rowObject(info, obj, include);
    if (object) row.object = object;
    return row;
  });
  const resourceVersion =
    opts.resourceVersion ?? (objects.length === 1 ? objects[0].metadata?.resourceVersion : undefined);
  const metadata: Table['metadata'] = {};
  if (resourceVersion !== undefined) metadata.resourceVersion = resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  const table: Table = { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, rows };
  if (!opts.noHeaders) table.columnDefinitions = printer.columns.map((c) => ({ ...c }));
  return table;
}
