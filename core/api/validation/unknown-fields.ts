/**
 * Unknown-field detection for `fieldValidation=Strict|Warn`: walks a decoded
 * object against the schema of its kind, taken from the serializer metadata
 * (`attributeTypeMap`) of `@kubernetes/client-node`'s generated models, and
 * reports every field the schema does not define, with the path Kubernetes'
 * strict decoder prints (`spec.template.spec.containers[0].imagePullPolicyx`).
 * Map-typed fields (labels, annotations, selectors, data) take any key.
 */
import * as models from '@kubernetes/client-node/dist/gen/models/all.js';
import { badRequest, field, invalid, type StatusError } from '../../errors/index.ts';

interface Attribute {
  baseName: string;
  type: string;
}

type Schema = Map<string, string>;

const MODELS = models as unknown as Record<string, { attributeTypeMap?: Attribute[] } | undefined>;
const schemas = new Map<string, Schema | undefined>();

function schemaOf(model: string): Schema | undefined {
  if (!schemas.has(model)) {
    const map = MODELS[model]?.attributeTypeMap;
    schemas.set(model, map ? new Map(map.map((a) => [a.baseName, a.type])) : undefined);
  }
  return schemas.get(model);
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The client-node model name of a kind: `V1Deployment`, or the group-prefixed
 * name the generator uses when two groups share a kind (`CoreV1Event`).
 */
export function modelName(info: { group: string; version: string; kind: string }): string | undefined {
  const groupPrefix = capitalize((info.group || 'core').split('.')[0]);
  const candidates = [
    `${groupPrefix}${capitalize(info.version)}${info.kind}`,
    `${capitalize(info.version)}${info.kind}`,
  ];
  return candidates.find((name) => schemaOf(name) !== undefined);
}

const ARRAY = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function walk(value: unknown, type: string, path: string, out: string[]): void {
  const array = ARRAY.exec(type);
  if (array) {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        walk(item, array[1], `${path}[${i}]`, out);
      });
    }
    return;
  }
  const map = MAP.exec(type);
  if (map) {
    if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) walk(v, map[1], `${path}.${k}`, out);
    return;
  }
  const schema = schemaOf(type);
  // Primitives, IntOrString, Date and free-form `any` fields have no fields to check.
  if (!schema || !isPlainObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const child = path ? `${path}.${k}` : k;
    const fieldType = schema.get(k);
    if (fieldType === undefined) out.push(child);
    else walk(v, fieldType, child, out);
  }
}

/**
 * The paths of the fields in `obj` that the kind's schema does not define,
 * in document order; empty when all are known or when the kind has no
 * client-node model (nothing to check against). Field names are
 * case-sensitive, as in Kubernetes' strict decoder.
 */
export function findUnknownFields(info: { group: string; version: string; kind: string }, obj: unknown): string[] {
  const model = modelName(info);
  const out: string[] = [];
  if (model) walk(obj, model, '', out);
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
