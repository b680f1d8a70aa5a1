/**
 * The `meta.k8s.io/v1` Table shapes the API server returns for
 * `Accept: application/json;as=Table;g=meta.k8s.io;v=v1`, and the printer
 * contract each resource implements to fill one.
 */
import type { KubeObject } from '../../api/object.ts';

/** One column of a Table (`metav1.TableColumnDefinition`). Priority 0 is always shown; higher only with `-o wide`. */
export interface TableColumnDefinition {
  name: string;
  /** An OpenAPI type: `string`, `integer`, `number`, `boolean`, `date`. */
  type: string;
  /** An OpenAPI format; `name` marks the column holding the object name (used by `--show-kind`). */
  format: string;
  description: string;
  priority: number;
}

/** A row condition (`metav1.TableRowCondition`); Kubernetes marks finished pods `Completed`. */
export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** One row: cells in column order, and the object (or its metadata) the row was printed from. */
export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object?: object;
}

/** A `meta.k8s.io/v1` Table. `columnDefinitions` is absent on watch events after the first. */
export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string };
  columnDefinitions?: TableColumnDefinition[];
  rows: TableRow[];
}

/**
 * How one resource prints: its column definitions (all of them, wide ones
 * included, as the API server always generates wide rows) and the cells of
 * one object, one per column. `now` is the clock ages are measured against.
 */
export interface RowPrinter {
  readonly columns: readonly TableColumnDefinition[];
  cells(obj: KubeObject, now: Date): unknown[];
  conditions?(obj: KubeObject): TableRowCondition[] | undefined;
}
