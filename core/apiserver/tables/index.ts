/**
 * Server-side Table conversion (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`)
 * for `kubectl get` human output. `toTable` is the entry point; the rest is
 * exported for handlers and tests.
 */
export { humanDuration, timestampSince } from './duration.ts';
export { type IncludeObject, printerFor, type TableOptions, toTable } from './table.ts';
export type { RowPrinter, Table, TableColumnDefinition, TableRow, TableRowCondition } from './types.ts';
