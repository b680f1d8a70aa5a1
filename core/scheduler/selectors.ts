/**
 * Label selectors (`metav1.LabelSelector`, set selectors) and node selectors
 * (`nodeSelector`, node affinity terms), compiled once per pod into matchers
 * that run cheaply against many nodes and pods. Semantics follow apimachinery's
 * `labels.Requirement` and component-helpers' `nodeaffinity`: a malformed
 * requirement makes its selector or term match nothing.
 */

import type { NodeSelectorTerm, Pod } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';

/** A selector operator, as in `labels.Requirement` (node selectors add Gt/Lt). */
export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';

/** One compiled requirement. `bound` is the integer operand of Gt/Lt. */
export interface Requirement {
  readonly key: string;
  readonly op: Operator;
  readonly values: ReadonlySet<string>;
  readonly bound: number;
}

type Labels = Readonly<Record<string, string>> | undefined;

const INTEGER = /^[+-]?\d+$/;

/**
 * A requirement, or undefined when it is malformed: In/NotIn without values,
 * Exists/DoesNotExist with values, Gt/Lt without exactly one integer, an unknown operator.
 */
export function requirement(key: string, op: string, values: readonly string[] = []): Requirement | undefined {
  switch (op) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) return undefined;
      return { key, op, values: new Set(values), bound: 0 };
    case 'Exists':
    case 'DoesNotExist':
      if (values.length !== 0) return undefined;
      return { key, op, values: new Set(), bound: 0 };
    case 'Gt':
    case 'Lt':
      if (values.length !== 1 || !INTEGER.test(values[0])) return undefined;
      return { key, op, values: new Set(), bound: Number(values[0]) };
    default:
      return undefined;
  }
}

function matchesRequirement(r: Requirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, r.key);
  switch (r.op) {
    case 'In':
      return has && r.values.has(labels![r.key]);
    case 'NotIn':
      return !has || !r.values.has(labels![r.key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || !INTEGER.test(labels![r.key])) return false;
      const v = Number(labels![r.key]);
      return r.op === 'Gt' ? v > r.bound : v < r.bound;
    }
  }
}

/** A compiled label selector: requirements ANDed, or the selector that matches nothing. */
export class LabelMatcher {
  /** Matches no object (a nil `metav1.LabelSelector`, a malformed one). */
  static readonly NOTHING = new LabelMatcher([], true);
  /** Matches every object (an empty selector). */
  static readonly EVERYTHING = new LabelMatcher([], false);

  #key: string | undefined;

  constructor(
    readonly requirements: readonly Requirement[],
    readonly nothing = false,
  ) {}

  /** A canonical string: equal for selectors with the same requirements in any order. */
  get key(): string {
    if (this.#key === undefined) {
      const parts = this.requirements.map(
        (r) => `${r.key}\u0000${r.op}\u0000${[...r.values].sort().join('\u0001')}\u0000${r.bound}`,
      );
      this.#key = this.nothing ? '\u0002nothing' : [...new Set(parts)].sort().join('\u0002');
    }
    return this.#key;
  }

  /** True for a selector with no requirements that matches everything (`Selector.Empty()`). */
  get empty(): boolean {
    return !this.nothing && this.requirements.length === 0;
  }

  /** Whether `labels` satisfies every requirement. */
  matches(labels: Labels): boolean {
    if (this.nothing) return false;
    for (const r of this.requirements) if (!matchesRequirement(r, labels)) return false;
    return true;
  }

  /** The conjunction of this selector and `more` requirements. */
  and(more: readonly Requirement[]): LabelMatcher {
    if (this.nothing || more.length === 0) return this;
    return new LabelMatcher([...this.requirements, ...more]);
  }
}

/** Equality requirements for every `key: value` of a set (`labels.SelectorFromSet`). */
export function setRequirements(set: Readonly<Record<string, string>> | undefined): Requirement[] {
  return Object.entries(set ?? {}).map(([k, v]) => ({ key: k, op: 'In', values: new Set([v]), bound: 0 }));
}

/** Compiles a `metav1.LabelSelector`; nil matches nothing, `{}` everything, malformed nothing. */
export function compileLabelSelector(sel: LabelSelector | null | undefined): LabelMatcher {
  if (sel == null) return LabelMatcher.NOTHING;
  const reqs = setRequirements(sel.matchLabels);
  for (const e of sel.matchExpressions ?? []) {
    if (e.operator === 'Gt' || e.operator === 'Lt') return LabelMatcher.NOTHING;
    const r = requirement(e.key, e.operator, e.values ?? []);
    if (!r) return LabelMatcher.NOTHING;
    reqs.push(r);
  }
  return reqs.length === 0 ? LabelMatcher.EVERYTHING : new LabelMatcher(reqs);
}

/** A compiled node selector term; undefined `labels`/`fields` means that part is absent. */
interface CompiledTerm {
  readonly labels?: LabelMatcher;
  readonly fields?: readonly { readonly key: string; readonly equal: boolean; readonly value: string }[];
}

/** Compiles a node selector term; undefined for an empty or malformed term (which match nothing). */
function compileTerm(term: NodeSelectorTerm): CompiledTerm | undefined {
  const exprs = term.matchExpressions ?? [];
  const fieldExprs = term.matchFields ?? [];
  if (exprs.length === 0 && fieldExprs.length === 0) return undefined;
  let labels: LabelMatcher | undefined;
  if (exprs.length > 0) {
    const reqs: Requirement[] = [];
    for (const e of exprs) {
      const r = requirement(e.key, e.operator, e.values ?? []);
      if (!r) return undefined;
      reqs.push(r);
    }
    labels = new LabelMatcher(reqs);
  }
  let fields: CompiledTerm['fields'];
  if (fieldExprs.length > 0) {
    const out: { key: string; equal: boolean; value: string }[] = [];
    for (const e of fieldExprs) {
      if ((e.operator !== 'In' && e.operator !== 'NotIn') || e.values?.length !== 1) return undefined;
      out.push({ key: e.key, equal: e.operator === 'In', value: e.values[0] });
    }
    fields = out;
  }
  return { labels, fields };
}

function matchesTerm(t: CompiledTerm, labels: Labels, nodeName: string): boolean {
  if (t.labels && !t.labels.matches(labels)) return false;
  // Like nodeaffinity, a node without a name has no fields to select on.
  if (t.fields && nodeName !== '') {
    for (const f of t.fields) {
      const actual = f.key === 'metadata.name' ? nodeName : '';
      if ((actual === f.value) !== f.equal) return false;
    }
  }
  return true;
}

/**
 * A pod's hard node constraints: `spec.nodeSelector` ANDed with the required
 * node affinity terms (ORed). `matchesAll` is true when the pod has neither.
 */
export interface RequiredNodeAffinity {
  readonly matchesAll: boolean;
  matches(labels: Labels, nodeName: string): boolean;
}

/** Compiles a pod's nodeSelector and required node affinity (`GetRequiredNodeAffinity`). */
export function requiredNodeAffinity(pod: Pod): RequiredNodeAffinity {
  const selector = pod.spec?.nodeSelector;
  const setMatcher =
    selector && Object.keys(selector).length > 0 ? new LabelMatcher(setRequirements(selector)) : undefined;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms = required
    ? (required.nodeSelectorTerms ?? []).map(compileTerm).filter((t) => t !== undefined)
    : undefined;
  return {
    matchesAll: !setMatcher && !terms,
    matches(labels, nodeName) {
      if (setMatcher && !setMatcher.matches(labels)) return false;
      if (!terms) return true;
      for (const t of terms) if (matchesTerm(t, labels, nodeName)) return true;
      return false;
    },
  };
}

/** A compiled preferred scheduling term with its weight. */
export interface WeightedTerm {
  readonly weight: number;
  matches(labels: Labels, nodeName: string): boolean;
}

/** Compiles a pod's preferred node affinity; zero-weight, empty and malformed terms are dropped. */
export function preferredNodeAffinity(pod: Pod): WeightedTerm[] {
  const out: WeightedTerm[] = [];
  for (const p of pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (!p.weight) continue;
    const t = compileTerm(p.preference);
    if (t) out.push({ weight: p.weight, matches: (labels, name) => matchesTerm(t, labels, name) });
  }
  return out;
}
