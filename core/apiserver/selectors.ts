/**
 * Builds the one predicate a list or watch applies: the request's
 * `labelSelector` and `fieldSelector` (and, for watches of a single object,
 * its name), compiled once per request.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { ResourceInfo } from '../api/resources.ts';
import { compileFieldSelector } from '../api/selectors/fields.ts';
import { labelSelectorFromLabelSelector, parseLabelSelector, selectorToString } from '../api/selectors/labels.ts';

/** The predicate of a request's selectors; matches everything when none is given. */
export function compilePredicate(
  info: ResourceInfo,
  query: URLSearchParams,
  name?: string,
): (obj: KubeObject) => boolean {
  const labelRaw = query.get('labelSelector') ?? '';
  const fieldRaw = query.get('fieldSelector') ?? '';
  const labels = labelRaw.trim() ? parseLabelSelector(labelRaw) : undefined;
  const fields = fieldRaw.trim() ? compileFieldSelector(info, fieldRaw) : undefined;
  if (!labels && !fields && !name) return () => true;
  return (obj) =>
    (!name || obj.metadata.name === name) &&
    (!labels || labels.matches(obj.metadata.labels)) &&
    (!fields || fields(obj));
}

/** The query-string form of a `metav1.LabelSelector` (the Scale subresource's `status.selector`). */
export function labelSelectorString(selector: object): string {
  return selectorToString(labelSelectorFromLabelSelector(selector as LabelSelector));
}
