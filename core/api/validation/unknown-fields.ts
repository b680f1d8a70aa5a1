/**
 * Unknown-field detection for `fieldValidation=Strict|Warn`: walks a decoded
 * object against the OpenAPI schema of its kind (the generated component
 * schemas in `core/api/schema/`, the same ones `kubectl explain` reads) and
 * reports every field the schema does not define, with the path Kubernetes'
 * strict decoder prints (`spec.template.spec.containers[0].imagePullPolicyx`).
 * Map-typed fields (labels, annotations, selectors, data) take any key;
 * free-form types (RawExtension, FieldsV1, Quantity, IntOrString) are not
 * walked.
 */
import { badRequest, field, invalid, type StatusError } from '../../errors/index.ts';
import { type OpenApiSchema, refName, SCHEMAS, schemaNameForKind } from '../schema/schemas.ts';

interface SchemaNode {
  $ref?: string;
  allOf?: SchemaNode[];
  type?: string;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  properties?: Record<string, SchemaNode>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Follows `$ref` and single-element `allOf` wrappers to the schema they name. */
function resolve(node: SchemaNode | undefined): SchemaNode | undefined {
  let n = node;
  for (let i = 0; n && i < 8; i++) {
    const ref = n.$ref ?? n.allOf?.[0]?.$ref;
    if (!ref) return n;
    const name = refName(ref);
    n = name ? (SCHEMAS[name] as OpenApiSchema as SchemaNode | undefined) : undefined;
  }
  return n;
}

function walk(value: unknown, node: SchemaNode | undefined, path: string, out: string[]): void {
  const s = resolve(node);
  if (!s) return;
  if (s.type === 'array' && s.items) {
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walk(item, s.items, `${path}[${i}]`, out);
    }
    return;
  }
  if (!isPlainObject(value)) return;
  if (s.properties) {
    for (const [k, v] of Object.entries(value)) {
      const child = path ? `${path}.${k}` : k;
      const prop = s.properties[k];
      if (prop === undefined) out.push(child);
      else walk(v, prop, child, out);
    }
    return;
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    for (const [k, v] of Object.entries(value)) walk(v, s.additionalProperties, `${path}.${k}`, out);
  }
}

/**
 * The paths of the fields in `obj` that the kind's schema does not define,
 * in document order; empty when all are known or when the kind has no
 * schema (nothing to check against). Field names are
 * case-sensitive, as in Kubernetes' strict decoder.
 */
export function findUnknownFields(info: { group: string; version: string; kind: string }, obj: unknown): string[] {
  const name = schemaNameForKind(info);
  const out: string[] = [];
  if (name) walk(obj, { $ref: `#/components/schemas/${name}` }, '', out);
  return out;
}

/** The strict decoder's list of problems: `strict decoding error: unknown field "a", unknown field "b"`. */
export function strictDecodingMessage(paths: string[]): string {
  return `strict decoding error: ${paths.map((p) => `unknown field "${p}"`).join(', ')}`;
}

/**
 * The 400 BadRequest Kubernetes answers a create or update with
 * `fieldValidation=Strict` and unknown fields:
 * `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicas2"`.
 */
export function unknownFieldsError(info: { version: string; kind: string }, paths: string[]): StatusError {
  return badRequest(
    `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: ${strictDecodingMessage(paths)}`,
  );
}

/**
 * The 422 Invalid Kubernetes answers a PATCH with `fieldValidation=Strict`
 * whose result has unknown fields: one `patch` cause carrying the patched
 * object (JSON) and the strict decoding error, with empty kind and name.
 */
export function unknownFieldsPatchError(paths: string[], patched: unknown): StatusError {
  return invalid({ group: '', kind: '' }, '', [
    field.invalid('patch', JSON.stringify(patched), strictDecodingMessage(paths)),
  ]);
}

/** The warnings for `fieldValidation=Warn`, one per field: `unknown field "spec.x"`. */
export function unknownFieldWarnings(paths: string[]): string[] {
  return paths.map((p) => `unknown field "${p}"`);
}
