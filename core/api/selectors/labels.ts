/**
 * Label selectors: the `labelSelector` query syntax (`app=web,tier in
 * (a,b),!canary`) and `metav1.LabelSelector` (matchLabels plus
 * matchExpressions) compiled to one matcher with Kubernetes' semantics —
 * `!=` and `notin` also match objects without the key, `>`/`<` compare
 * integers, requirements are ANDed. Errors are 400 BadRequest with the
 * messages Kubernetes' `labels` package produces.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { badRequest, field } from '../../errors/index.ts';
import { isQualifiedName, isValidLabelValue } from '../validation/names.ts';
import { type LabelOperator, parseRequirements, type RawRequirement, SelectorSyntaxError } from './label-parser.ts';

export type { LabelOperator } from './label-parser.ts';

/** One validated requirement: key, operator and values (empty for `exists` and `!`). */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

/** Labels as objects carry them. */
export type Labels = Readonly<Record<string, string>> | null | undefined;

/** A compiled label selector (Kubernetes' `labels.Selector`). Immutable. */
export interface LabelMatcher {
  /** The requirements, sorted by key; none means the selector matches everything. */
  readonly requirements: readonly LabelRequirement[];
  /** True for the selector of an absent `metav1.LabelSelector`, which matches nothing. */
  readonly matchesNothing: boolean;
  /** Whether `labels` satisfies every requirement. */
  matches(labels: Labels): boolean;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's `strconv.ParseInt(s, 10, 64)`: undefined when `s` is not a 64-bit decimal integer. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

const invalid = (path: string, value: unknown, msgs: string[]) =>
  field.fieldErrorString(field.invalid(path, value, msgs.join('; ')));

/** Kubernetes' aggregate error text: one message as is, several as `[a, b]`. */
function aggregate(msgs: string[]): string {
  const unique = [...new Set(msgs)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

/** The checks of Kubernetes' `NewRequirement`; returns the error messages, empty when valid. */
function requirementErrors(r: RawRequirement, checkKey: boolean): string[] {
  const errs: string[] = [];
  const keyErrs = checkKey ? isQualifiedName(r.key) : [];
  if (keyErrs.length) errs.push(invalid('key', r.key, keyErrs));
  const shownValues = r.values.length ? r.values : null;
  switch (r.operator) {
    case 'in':
    case 'notin':
      if (r.values.length === 0) {
        errs.push(invalid('values', shownValues, ["for 'in', 'notin' operators, values set can't be empty"]));
      }
      break;
    case '=':
    case '==':
    case '!=':
      if (r.values.length !== 1) {
        errs.push(invalid('values', shownValues, ['exact-match compatibility requires one single value']));
      }
      break;
    case 'exists':
    case '!':
      if (r.values.length !== 0) {
        errs.push(invalid('values', shownValues, ['values set must be empty for exists and does not exist']));
      }
      break;
    case 'gt':
    case 'lt':
      if (r.values.length !== 1) {
        errs.push(invalid('values', shownValues, ["for 'Gt', 'Lt' operators, exactly one value is required"]));
      }
      r.values.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errs.push(invalid(`values[${i}]`, v, ["for 'Gt', 'Lt' operators, the value must be an integer"]));
        }
      });
      break;
  }
  r.values.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length) errs.push(invalid(`values[${i}][${r.key}]`, v, valueErrs));
  });
  return errs;
}

function matchesRequirement(r: LabelRequirement, labels: Labels): boolean {
  const has = !!labels && Object.hasOwn(labels, r.key);
  const value = has ? labels?.[r.key] : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value as string);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value as string);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      const actual = has ? parseInt64(String(value)) : undefined;
      const bound = r.values.length === 1 ? parseInt64(r.values[0]) : undefined;
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

function matcher(requirements: LabelRequirement[], matchesNothing = false): LabelMatcher {
  const sorted = Object.freeze(
    requirements
      .map((r) => Object.freeze({ ...r, values: Object.freeze([...r.values]) }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  );
  return Object.freeze({
    requirements: sorted,
    matchesNothing,
    matches: (labels: Labels) => !matchesNothing && sorted.every((r) => matchesRequirement(r, labels)),
  });
}

/** The selector that matches every object (an empty query string, an empty `metav1.LabelSelector`). */
export const EVERYTHING: LabelMatcher = matcher([]);
/** The selector that matches no object (an absent `metav1.LabelSelector`). */
export const NOTHING: LabelMatcher = matcher([], true);

/**
 * Parses a `labelSelector` query string (`k=v`, `k==v`, `k!=v`, `k in (a,b)`,
 * `k notin (a,b)`, `k`, `!k`, `k>1`, `k<1`; comma means AND). An empty string
 * selects everything. Throws 400 BadRequest with Kubernetes' message, such
 * as `unable to parse requirement: found '', expected: identifier`.
 */
export function parseLabelSelector(selector: string): LabelMatcher {
  try {
    const raw = parseRequirements(selector, {
      key: (key) => {
        const errs = isQualifiedName(key);
        // Kubernetes validates the key without a field path and prints it as "<nil>".
        if (errs.length) throw new SelectorSyntaxError(invalid('<nil>', key, errs));
      },
      requirement: (r) => {
        const errs = requirementErrors(r, false);
        if (errs.length) throw new SelectorSyntaxError(aggregate(errs));
      },
    });
    return matcher(raw);
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw badRequest(err.message);
    throw err;
  }
}

const EXPRESSION_OPERATORS: Record<string, LabelOperator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * Compiles a `metav1.LabelSelector` as Kubernetes' `LabelSelectorAsSelector`
 * does: an absent selector matches nothing, an empty one everything.
 * Throws 400 BadRequest for an invalid key, value or operator.
 */
export function labelSelectorFromLabelSelector(selector: LabelSelector | null | undefined): LabelMatcher {
  if (!selector) return NOTHING;
  const labels = Object.entries(selector.matchLabels ?? {});
  const expressions = selector.matchExpressions ?? [];
  if (labels.length + expressions.length === 0) return EVERYTHING;
  const raw: RawRequirement[] = labels.map(([key, value]) => ({ key, operator: '=', values: [value] }));
  for (const expr of expressions) {
    const operator = EXPRESSION_OPERATORS[expr.operator];
    if (!operator) throw badRequest(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    raw.push({ key: expr.key, operator, values: [...(expr.values ?? [])] });
  }
  for (const r of raw) {
    const errs = requirementErrors(r, true);
    if (errs.length) throw badRequest(aggregate(errs));
  }
  return matcher(raw);
}

/**
 * The selector matching exactly these labels (Kubernetes' `SelectorFromSet`),
 * as a Service's or ReplicationController's `spec.selector` map selects.
 * Does not validate; an absent or empty map selects everything.
 */
export function labelSelectorFromSet(labels: Labels): LabelMatcher {
  return matcher(Object.entries(labels ?? {}).map(([key, value]) => ({ key, operator: '=', values: [value] })));
}

function requirementToString(r: LabelRequirement): string {
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return `!${r.key}`;
  const values = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  switch (r.operator) {
    case 'in':
      return `${r.key} in (${values})`;
    case 'notin':
      return `${r.key} notin (${values})`;
    case 'gt':
      return `${r.key}>${values}`;
    case 'lt':
      return `${r.key}<${values}`;
    default:
      return `${r.key}${r.operator}${values}`;
  }
}

/**
 * The canonical query-string form of a selector, as Kubernetes prints it
 * (`app=web,tier in (a,b)`): requirements by key, set values sorted. Parsing
 * it gives an equivalent selector. Both EVERYTHING and NOTHING print as "".
 */
export function selectorToString(selector: LabelMatcher): string {
  return selector.requirements.map(requirementToString).join(',');
}
