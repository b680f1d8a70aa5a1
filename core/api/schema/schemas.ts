/**
 * The generated OpenAPI v3 component schemas (`schemas.json`, built
 * by `scripts/gen-openapi.ts` from `@kubernetes/client-node` model metadata)
 * and lookups over them: by group/version/kind, the closure of `$ref`s, and
 * field descriptions.
 */
import generated from './schemas.json' with { type: 'json' };

/** One OpenAPI v3 schema object, as JSON. */
export type OpenApiSchema = Readonly<Record<string, unknown>>;

/** A group/version/kind as the `x-kubernetes-group-version-kind` extension spells it. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Every generated schema by its Kubernetes name (`io.k8s.api.core.v1.Pod`). Treat as read-only. */
export const SCHEMAS: Readonly<Record<string, OpenApiSchema>> = generated as Record<string, OpenApiSchema>;

const REF_PREFIX = '#/components/schemas/';

function gvksOf(schema: OpenApiSchema): GroupVersionKind[] {
  const list = schema['x-kubernetes-group-version-kind'];
  return Array.isArray(list) ? (list as GroupVersionKind[]) : [];
}

/** The name of the schema whose `x-kubernetes-group-version-kind` lists `gvk`, or undefined. */
export function schemaNameForKind(gvk: GroupVersionKind): string | undefined {
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    if (gvksOf(schema).some((g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind)) {
      return name;
    }
  }
  return undefined;
}

/** The schema name a `$ref` points at (`#/components/schemas/X` → `X`), or undefined for other refs. */
export function refName(ref: unknown): string | undefined {
  return typeof ref === 'string' && ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : undefined;
}

/** A `$ref` to a component schema. */
export function schemaRef(name: string): { $ref: string } {
  return { $ref: `${REF_PREFIX}${name}` };
}

/**
 * The given schemas plus every schema they reference, transitively, keyed by
 * name in sorted order. Throws when a reference names a schema that does not
 * exist, since a dangling `$ref` breaks `kubectl explain`.
 */
export function schemaClosure(roots: Iterable<string>): Record<string, OpenApiSchema> {
  const seen = new Set<string>();
  const pending = [...roots];
  while (pending.length) {
    const name = pending.pop()!;
    if (seen.has(name)) continue;
    const schema = SCHEMAS[name];
    if (!schema) throw new Error(`OpenAPI schema ${name} is not generated; rerun scripts/gen-openapi.ts`);
    seen.add(name);
    collectRefs(schema, pending);
  }
  return Object.fromEntries([...seen].sort().map((n) => [n, SCHEMAS[n]]));
}

function collectRefs(value: unknown, into: string[]): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, into);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const name = k === '$ref' ? refName(v) : undefined;
      if (name) into.push(name);
      else collectRefs(v, into);
    }
  }
}

/** The description of `field` in schema `schemaName`, or of the schema itself without a field; '' when unknown. */
export function schemaDescription(schemaName: string, field?: string): string {
  const schema = SCHEMAS[schemaName];
  if (!schema) return '';
  if (field === undefined) return typeof schema.description === 'string' ? schema.description : '';
  const prop = (schema.properties as Record<string, OpenApiSchema> | undefined)?.[field];
  return typeof prop?.description === 'string' ? prop.description : '';
}
