/**
 * Cell formatting shared by the printers: label maps and selectors as
 * Kubernetes prints them, container name/image lists, and the column
 * definitions every table has (Name, Age).
 */
import type { Container } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { schemaDescription } from '../../api/schema/schemas.ts';
import type { TableColumnDefinition } from './types.ts';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** A column definition; descriptions come from the OpenAPI schemas where Kubernetes takes them from swagger docs. */
export function column(
  name: string,
  type: string,
  description: string,
  priority = 0,
  format = '',
): TableColumnDefinition {
  return { name, type, format, description, priority };
}

/** The `Name` column (format `name`). */
export function nameColumn(priority = 0): TableColumnDefinition {
  return column('Name', 'string', schemaDescription(OBJECT_META, 'name'), priority, 'name');
}

/** The `Age` column. */
export function ageColumn(): TableColumnDefinition {
  return column('Age', 'string', schemaDescription(OBJECT_META, 'creationTimestamp'));
}

/** Column description of a field of a generated schema (`fieldDoc('io.k8s.api.core.v1.PodSpec', 'nodeName')`). */
export const fieldDoc = schemaDescription;

/** A label map as `k1=v1,k2=v2` sorted by key, or `<none>` when empty (labels.FormatLabels). */
export function formatLabels(labels: Readonly<Record<string, string>> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (!keys.length) return '<none>';
  return keys.map((k) => `${k}=${labels?.[k]}`).join(',');
}

/**
 * A label selector in selector syntax (`app=web,tier in (a,b),!legacy`),
 * requirements sorted by key and values sorted, as `LabelSelectorAsSelector(s).String()`.
 * An absent or empty selector gives ''. Returns undefined for an invalid selector.
 */
export function selectorString(selector: LabelSelector | undefined | null): string | undefined {
  if (!selector) return '';
  const terms: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) terms.push({ key, text: `${key}=${value}` });
  for (const expr of selector.matchExpressions ?? []) {
    const values = [...(expr.values ?? [])].sort();
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (!values.length) return undefined;
        terms.push({ key: expr.key, text: `${expr.key} ${expr.operator.toLowerCase()} (${values.join(',')})` });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length) return undefined;
        terms.push({ key: expr.key, text: `${expr.operator === 'Exists' ? '' : '!'}${expr.key}` });
        break;
      default:
        return undefined;
    }
  }
  return terms
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((t) => t.text)
    .join(',');
}

/** A label selector for display: `<none>` when it selects by nothing, `<error>` when invalid (metav1.FormatLabelSelector). */
export function formatLabelSelector(selector: LabelSelector | undefined | null): string {
  const text = selectorString(selector);
  if (text === undefined) return '<error>';
  return text || '<none>';
}

/** Container names and images, each comma-joined, for the wide Containers and Images columns. */
export function containerCells(containers: readonly Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image ?? '').join(',')];
}
