/**
 * Field selectors (`fieldSelector=metadata.name=x,status.phase!=Failed`):
 * parsing with Kubernetes' escapes (`\,` `\=` `\\` in values) and, per kind,
 * the fields an object can be selected by — the field-label conversions and
 * `ToSelectableFields` functions of the Kubernetes registry. A missing field
 * reads as "", so `spec.nodeName=` selects unscheduled pods.
 */
import { badRequest } from '../../errors/index.ts';

/** `f=v`, `f==v` (the same) or `f!=v`. */
export type FieldOperator = '=' | '==' | '!=';

/** One term of a field selector, its value unescaped. */
export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  readonly value: string;
}

/** A compiled field selector: a predicate over objects of one kind, with its terms. */
export type FieldPredicate = ((obj: unknown) => boolean) & {
  readonly requirements: readonly FieldRequirement[];
};

type Getter = (obj: any) => string;

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const bool = (v: unknown) => String(v === true);

const NAME: Record<string, Getter> = { 'metadata.name': (o) => str(o?.metadata?.name) };
const NAME_NAMESPACE: Record<string, Getter> = {
  ...NAME,
  'metadata.namespace': (o) => str(o?.metadata?.namespace),
};

/** The selectable fields of a kind, and how Kubernetes words a field it does not know. */
interface KindFields {
  fields: Record<string, Getter>;
  /** Old names Kubernetes still accepts for a field. */
  aliases?: Record<string, string>;
  unsupported: (field: string) => string;
}

const notSupported = (f: string) => `field label not supported: ${f}`;
const custom = (fields: Record<string, Getter>, aliases?: Record<string, string>): KindFields => ({
  fields,
  aliases,
  unsupported: notSupported,
});

/** Kinds without their own field-label conversion get Kubernetes' default one. */
const DEFAULT: KindFields = {
  fields: NAME_NAMESPACE,
  unsupported: (f) => `${JSON.stringify(f)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
};

const replicas = { 'status.replicas': (o: any) => str(o?.status?.replicas ?? 0) };

/** Selectable fields by `group/Kind` for kinds that have more than name and namespace. */
const KINDS: Record<string, KindFields> = {
  '/Pod': custom(
    {
      ...NAME_NAMESPACE,
      'spec.nodeName': (o) => str(o?.spec?.nodeName),
      'spec.restartPolicy': (o) => str(o?.spec?.restartPolicy),
      'spec.schedulerName': (o) => str(o?.spec?.schedulerName),
      'spec.serviceAccountName': (o) => str(o?.spec?.serviceAccountName),
      'spec.hostNetwork': (o) => bool(o?.spec?.hostNetwork),
      'status.phase': (o) => str(o?.status?.phase),
      // Kubernetes reads the primary IP from podIPs, which v1 keeps in step with podIP.
      'status.podIP': (o) => str(o?.status?.podIPs?.[0]?.ip ?? o?.status?.podIP),
      'status.nominatedNodeName': (o) => str(o?.status?.nominatedNodeName),
    },
    { 'spec.host': 'spec.nodeName' },
  ),
  '/Event': custom({
    ...NAME_NAMESPACE,
    'involvedObject.kind': (o) => str(o?.involvedObject?.kind),
    'involvedObject.namespace': (o) => str(o?.involvedObject?.namespace),
    'involvedObject.name': (o) => str(o?.involvedObject?.name),
    'involvedObject.uid': (o) => str(o?.involvedObject?.uid),
    'involvedObject.apiVersion': (o) => str(o?.involvedObject?.apiVersion),
    'involvedObject.resourceVersion': (o) => str(o?.involvedObject?.resourceVersion),
    'involvedObject.fieldPath': (o) => str(o?.involvedObject?.fieldPath),
    reason: (o) => str(o?.reason),
    reportingComponent: (o) => str(o?.reportingComponent),
    source: (o) => str(o?.source?.component || o?.reportingComponent),
    type: (o) => str(o?.type),
  }),
  '/Node': custom({ ...NAME, 'spec.unschedulable': (o) => bool(o?.spec?.unschedulable) }),
  '/Namespace': custom({ ...NAME, 'status.phase': (o) => str(o?.status?.phase) }),
  '/Secret': custom({ ...NAME_NAMESPACE, type: (o) => str(o?.type) }),
  '/Service': custom({
    ...NAME_NAMESPACE,
    'spec.clusterIP': (o) => str(o?.spec?.clusterIP),
    'spec.type': (o) => str(o?.spec?.type),
  }),
  '/ReplicationController': custom({ ...NAME_NAMESPACE, ...replicas }),
  'apps/ReplicaSet': custom({ ...NAME_NAMESPACE, ...replicas }),
};

/** The fields objects of a kind can be selected by (`metadata.name`, …), in Kubernetes' spelling. */
export function selectableFields(kind: { group: string; kind: string }): string[] {
  return Object.keys((KINDS[`${kind.group}/${kind.kind}`] ?? DEFAULT).fields);
}

/** Escapes `\`, `,` and `=` in a literal value for use in a field selector. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

function unescapeValue(raw: string): string {
  let out = '';
  let escaped = false;
  for (const ch of raw) {
    if (escaped) {
      if (ch !== '\\' && ch !== ',' && ch !== '=') {
        throw badRequest(`invalid field selector: invalid escape sequence: \\${ch}`);
      }
      out += ch;
      escaped = false;
    } else if (ch === '\\') {
      escaped = true;
    } else if (ch === ',' || ch === '=') {
      // Kubernetes prints the rune as its number.
      throw badRequest(`invalid field selector: unescaped character in value: ${ch.codePointAt(0)}`);
    } else {
      out += ch;
    }
  }
  if (escaped) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas that are not escaped, keeping escapes in the terms. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < selector.length; i++) {
    if (escaped) escaped = false;
    else if (selector[i] === '\\') escaped = true;
    else if (selector[i] === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/**
 * Parses a field selector into its terms without checking the field names.
 * Terms come back sorted, as Kubernetes sorts them; an empty string has
 * none. Throws 400 BadRequest for a term without an operator or a value
 * with a bad escape.
 */
export function parseFieldSelector(selector: string): FieldRequirement[] {
  if (selector === '') return [];
  const out: FieldRequirement[] = [];
  for (const term of splitTerms(selector).sort()) {
    if (term === '') continue;
    // The field name has no escapes: the first operator splits the term.
    const at = /!=|==|=/.exec(term);
    if (!at) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const operator = at[0] as FieldOperator;
    out.push({
      field: term.slice(0, at.index),
      operator,
      value: unescapeValue(term.slice(at.index + operator.length)),
    });
  }
  return out;
}

/**
 * Compiles a field selector for objects of one kind into a predicate. Every
 * kind supports `metadata.name` (and `metadata.namespace` when Kubernetes
 * does); pods, events, nodes, namespaces, secrets, services, replica sets
 * and replication controllers add their own fields. Throws 400 BadRequest
 * with Kubernetes' message for a syntax error or an unsupported field
 * (`field label not supported: spec.foo`).
 */
export function compileFieldSelector(kind: { group: string; kind: string }, selector: string): FieldPredicate {
  const table = KINDS[`${kind.group}/${kind.kind}`] ?? DEFAULT;
  const requirements = parseFieldSelector(selector).map((r) => {
    const name = table.aliases?.[r.field] ?? r.field;
    if (!table.fields[name]) throw badRequest(table.unsupported(r.field));
    return Object.freeze({ ...r, field: name });
  });
  const getters = requirements.map((r) => table.fields[r.field]);
  const predicate = (obj: unknown) =>
    requirements.every((r, i) => (getters[i](obj) === r.value) === (r.operator !== '!='));
  return Object.assign(predicate, { requirements: Object.freeze(requirements) });
}

/**
 * The value a selector pins `field` to with `=` or `==` (Kubernetes'
 * `RequiresExactMatch`), e.g. the object name of a single-object watch.
 */
export function requiresExactMatch(requirements: readonly FieldRequirement[], field: string): string | undefined {
  return requirements.find((r) => r.field === field && r.operator !== '!=')?.value;
}
