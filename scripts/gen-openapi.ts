/**
 * Generates `core/api/schema/schemas.json`: OpenAPI v3
 * component schemas, named as Kubernetes names them
 * (`io.k8s.api.core.v1.Pod`), for every kind in `core/api/resources.ts`, its
 * List, the meta types the API server answers with (Status, DeleteOptions,
 * ListMeta, autoscaling/v1 Scale, policy/v1 Eviction), and everything they
 * reference.
 *
 * Sources, in order of authority (see `openapi-sources.ts`):
 * - `@kubernetes/client-node` models: `attributeTypeMap` gives each field's
 *   JSON name, type and format; the `.d.ts` doc comments give descriptions and
 *   (by the absence of `?`) required fields.
 * - `kubernetes-types`: which API package a type lives in (core/v1, apps/v1,
 *   meta/v1 …), which string fields are really `Quantity` or `MicroTime`, and
 *   descriptions client-node drops.
 * - `core/api/patch/patch-meta.ts` `PATCH_STRATEGIES`, when present, for
 *   `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key`.
 *
 * Run with `npx tsx scripts/gen-openapi.ts`; the output is committed, and
 * `test/core/apiserver/openapi/schemas.test.ts` fails when it drifts.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RESOURCES } from '../core/api/resources.ts';
import {
  type KtInterface,
  kubernetesTypesFileDoc,
  loadClientDocs,
  loadKubernetesTypes,
  loadModels,
  loadPatchStrategies,
  META,
  splitModelName,
} from './openapi-sources.ts';

type Schema = Record<string, unknown>;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the generated schemas are written. */
export const SCHEMAS_FILE = join(ROOT, 'core/api/schema/schemas.json');

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const TIME = `${META}.Time`;
const MICRO_TIME = `${META}.MicroTime`;
const FIELDS_V1 = `${META}.FieldsV1`;
const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
/** client-node documents IntOrString and MicroTime fields with their type's doc instead of the field's. */
const TYPE_DOC = /^(IntOrString|MicroTime|Quantity|Time) is /;

/** Schemas of the string-like API types client-node has no model for, as Kubernetes publishes them in v3. */
function primitiveSchemas(kt: Map<string, KtInterface[]>): Record<string, Schema> {
  return {
    [TIME]: {
      description:
        'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON. Wrappers are provided for many of the factory methods that the time package offers.',
      type: 'string',
      format: 'date-time',
    },
    [MICRO_TIME]: {
      description: 'MicroTime is version of Time with microsecond level precision.',
      type: 'string',
      format: 'date-time',
    },
    // No `type` on these two (a oneOf instead), so `kubectl explain` names the field <Quantity> / <IntOrString>.
    [QUANTITY]: {
      description: kubernetesTypesFileDoc('api/resource'),
      oneOf: [{ type: 'string' }, { type: 'number' }],
    },
    [INT_OR_STRING]: {
      description:
        'IntOrString is a type that can hold an int32 or a string. When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.',
      format: 'int-or-string',
      oneOf: [{ type: 'integer' }, { type: 'string' }],
    },
    [FIELDS_V1]: { description: kt.get('FieldsV1')?.[0]?.doc, type: 'object' },
    [RAW_EXTENSION]: { description: 'RawExtension is used to hold extensions in external versions.', type: 'object' },
  };
}

/** Builds the schemas, keyed by name in sorted order. Reads node_modules; writes nothing. */
export async function generateSchemas(): Promise<Record<string, Schema>> {
  const models = await loadModels();
  const kt = loadKubernetesTypes();
  const patchStrategies = await loadPatchStrategies();
  const schemas: Record<string, Schema> = primitiveSchemas(kt);
  const modelToSchema = new Map<string, string>();

  /** The kubernetes-types declaration of a model, preferring the parent's package when names clash. */
  const declarationOf = (model: string, parentPkg?: string): KtInterface | undefined => {
    const { groupHint, version, name } = splitModelName(model);
    const candidates = (kt.get(name) ?? []).filter((d) => d.pkg.endsWith(`.${version}`));
    if (groupHint) return candidates.find((d) => d.pkg === `io.k8s.api.${groupHint}.${version}`);
    return (
      candidates.find((d) => d.pkg === parentPkg) ??
      candidates.find((d) => d.pkg === `io.k8s.api.core.${version}`) ??
      candidates[0]
    );
  };

  const referencedDoc = (prop: Schema): string | undefined => {
    const target = (prop.$ref ?? (prop.items as Schema | undefined)?.$ref) as string | undefined;
    return target ? (schemas[target.split('/').pop() ?? '']?.description as string | undefined) : undefined;
  };

  /** The schema of a field type as client-node spells it (`Array<V1Container>`, `{ [key: string]: string; }`). */
  const typeSchema = (type: string, format: string, ktType: string, pkg: string): Schema => {
    const array = /^Array<(.+)>$/.exec(type);
    if (array) return { type: 'array', items: typeSchema(array[1], format, ktType, pkg) };
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map) return { type: 'object', additionalProperties: typeSchema(map[1], format, ktType, pkg) };
    switch (type) {
      case 'string':
        if (/\bQuantity\b/.test(ktType)) return ref(QUANTITY);
        return format ? { type: 'string', format } : { type: 'string' };
      case 'number':
        return format === 'double' ? { type: 'number', format } : { type: 'integer', format };
      case 'boolean':
        return { type: 'boolean' };
      case 'Date':
        return ref(/\bMicroTime\b/.test(ktType) ? MICRO_TIME : TIME);
      case 'V1MicroTime':
        return ref(MICRO_TIME);
      case 'IntOrString':
        return ref(INT_OR_STRING);
      case 'any':
        if (/\bFieldsV1\b/.test(ktType)) return ref(FIELDS_V1);
        if (/\bRawExtension\b/.test(ktType)) return ref(RAW_EXTENSION);
        return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      default:
        return ref(addModel(type, pkg));
    }
  };

  /** Adds a model's schema (and, recursively, what it references); returns the schema name. */
  const addModel = (model: string, parentPkg?: string): string => {
    const known = modelToSchema.get(model);
    if (known) return known;
    const attrs = models[model]?.attributeTypeMap;
    if (!attrs) throw new Error(`@kubernetes/client-node has no model ${model}`);
    const decl = declarationOf(model, parentPkg);
    const pkg = decl?.pkg ?? parentPkg ?? 'io.k8s.api.core.v1';
    const schemaName = `${pkg}.${splitModelName(model).name}`;
    modelToSchema.set(model, schemaName);
    const docs = loadClientDocs(model);
    const schema: Schema = { description: docs.doc ?? decl?.doc, type: 'object' };
    schemas[schemaName] = schema;
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const attr of attrs) {
      const ktField = decl?.fields.get(attr.baseName);
      const doc = docs.fields.get(attr.name);
      let prop = typeSchema(attr.type, attr.format, ktField?.type ?? '', pkg);
      const ownDoc = doc?.doc && TYPE_DOC.test(doc.doc) ? undefined : doc?.doc;
      // client-node drops the doc of a field whose type is another model; that model's own doc stands in.
      const description = ownDoc ?? ktField?.doc ?? doc?.doc ?? referencedDoc(prop);
      if (description) prop = prop.$ref ? { allOf: [prop], description } : { ...prop, description };
      const patch = patchStrategies[model]?.[attr.name];
      if (patch?.strategies.length) {
        if (patch.mergeKey) prop['x-kubernetes-patch-merge-key'] = patch.mergeKey;
        prop['x-kubernetes-patch-strategy'] = patch.strategies.join(',');
      }
      properties[attr.baseName] = prop;
      if (doc?.required) required.push(attr.baseName);
    }
    schema.properties = properties;
    if (required.length) schema.required = required;
    return schemaName;
  };

  const addGvk = (schemaName: string, group: string, version: string, kind: string): void => {
    const list = (schemas[schemaName]['x-kubernetes-group-version-kind'] as object[] | undefined) ?? [];
    schemas[schemaName]['x-kubernetes-group-version-kind'] = [...list, { group, kind, version }];
  };

  /** The client-node class of a kind: group-prefixed when that exists (`CoreV1Event`), else `V1<Kind>`. */
  const modelFor = (group: string, version: string, kind: string): string => {
    const v = version[0].toUpperCase() + version.slice(1);
    const prefix = group ? group.split('.')[0] : 'core';
    const prefixed = `${prefix[0].toUpperCase()}${prefix.slice(1)}${v}${kind}`;
    return models[prefixed]?.attributeTypeMap ? prefixed : `${v}${kind}`;
  };

  const groupVersions = new Map<string, { group: string; version: string }>();
  for (const info of RESOURCES) {
    groupVersions.set(`${info.group}/${info.version}`, info);
    for (const kind of [info.kind, `${info.kind}List`]) {
      const model = modelFor(info.group, info.version, kind);
      if (models[model]?.attributeTypeMap) addGvk(addModel(model), info.group, info.version, kind);
    }
  }
  addGvk(addModel('V1Scale'), 'autoscaling', 'v1', 'Scale');
  addGvk(addModel('V1Eviction'), 'policy', 'v1', 'Eviction');
  addGvk(addModel('V1Status'), '', 'v1', 'Status');
  const deleteOptions = addModel('V1DeleteOptions');
  for (const gv of groupVersions.values()) addGvk(deleteOptions, gv.group, gv.version, 'DeleteOptions');
  addModel('V1ListMeta');

  // Sorted keys keep the committed file's diffs readable; a JSON round trip drops undefined descriptions.
  const sorted = Object.fromEntries(
    Object.keys(schemas)
      .sort()
      .map((k) => [k, schemas[k]]),
  );
  return JSON.parse(JSON.stringify(sorted));
}

/** The file content for `schemas`: one-space indented JSON with a trailing newline. */
export function renderSchemas(schemas: Record<string, Schema>): string {
  return `${JSON.stringify(schemas, null, 1)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const schemas = await generateSchemas();
  writeFileSync(SCHEMAS_FILE, renderSchemas(schemas));
  console.log(`wrote ${Object.keys(schemas).length} schemas to ${relative(ROOT, SCHEMAS_FILE)}`);
}
