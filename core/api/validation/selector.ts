/**
 * `metav1.LabelSelector` checks used by workload validation: the selector's
 * own syntax and whether it selects a pod template's labels (the
 * "`selector` does not match template `labels`" rule).
 */
import { type FieldError, field } from '../../errors/index.ts';
import { entries, list, obj, str } from './json.ts';
import { isQualifiedName, isValidLabelValue } from './names.ts';
import { validateLabels } from './object-meta.ts';

/** Errors in a label selector's matchLabels and matchExpressions. */
export function validateLabelSelector(selector: unknown, path: string): FieldError[] {
  const sel = obj(selector);
  if (!sel) return [];
  const errs = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  list(sel.matchExpressions).forEach((raw, i) => {
    const req = obj(raw) ?? {};
    const at = `${path}.matchExpressions[${i}]`;
    const values = list(req.values);
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          errs.push(field.required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          errs.push(
            field.forbidden(`${at}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
          );
        }
        break;
      default:
        errs.push(field.invalid(`${at}.operator`, req.operator ?? '', 'not a valid selector operator'));
    }
    const key = str(req.key);
    for (const msg of isQualifiedName(key)) errs.push(field.invalid(`${at}.key`, key, msg));
    values.forEach((v, j) => {
      for (const msg of isValidLabelValue(str(v))) errs.push(field.invalid(`${at}.values[${j}]`, v, msg));
    });
  });
  return errs;
}

/** True when the selector has no requirements (it selects everything). */
export function selectorIsEmpty(selector: unknown): boolean {
  const sel = obj(selector);
  return !!sel && entries(sel.matchLabels).length === 0 && list(sel.matchExpressions).length === 0;
}

/**
 * Whether a label selector selects the given labels. A missing selector
 * selects nothing, an empty one everything, as `LabelSelectorAsSelector` does.
 */
export function selectorMatches(selector: unknown, labels: unknown): boolean {
  const sel = obj(selector);
  if (!sel) return false;
  const have = new Map(entries(labels).map(([k, v]) => [k, str(v)]));
  for (const [k, v] of entries(sel.matchLabels)) if (have.get(k) !== str(v)) return false;
  for (const raw of list(sel.matchExpressions)) {
    const req = obj(raw) ?? {};
    const key = str(req.key);
    const values = list(req.values).map(str);
    const value = have.get(key);
    const ok =
      req.operator === 'In'
        ? value !== undefined && values.includes(value)
        : req.operator === 'NotIn'
          ? value === undefined || !values.includes(value)
          : req.operator === 'Exists'
            ? value !== undefined
            : req.operator === 'DoesNotExist'
              ? value === undefined
              : false;
    if (!ok) return false;
  }
  return true;
}
