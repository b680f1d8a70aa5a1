/**
 * Generates `core/apiserver/openapi/generated/schemas.json`: OpenAPI v3
 * component schemas, named as Kubernetes names them
 * (`io.k8s.api.core.v1.Pod`), for every kind in `core/api/resources.ts`, its
 * List, the meta types the API server answers with, and everything they
 * reference.
 *
 * Sources, in order of authority:
 * - `@kubernetes/client-node` models: `attributeTypeMap` gives each field's
 *   JSON name, type and format; the `.d.ts` doc comments give descriptions and
 *   (by the absence of `?`) required fields.
 * - `kubernetes-types` declarations: which API package a type lives in
 *   (core/v1, apps/v1, meta/v1 …), which string fields are really `Quantity`,
 *   and descriptions client-node drops (fields whose type is another model).
 * - `core/api/patch/patch-meta.ts` `PATCH_STRATEGIES`, when present, for
 *   `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key`.
 *
 * Run with `npx tsx scripts/gen-openapi.ts`; the output is committed.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESOURCES } from '../core/api/resources.ts';

type Schema = Record<string, unknown>;
interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}
interface ModelClass {
  attributeTypeMap?: Attribute[];
}
interface DocField {
  doc?: string;
  required: boolean;
}
interface KtField {
  type: string;
  doc?: string;
}
interface KtInterface {
  pkg: string;
  doc?: string;
  fields: Map<string, KtField>;
}
interface PatchMeta {
  strategies: readonly string[];
  mergeKey?: string;
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'core/apiserver/openapi/generated/schemas.json');
const require = createRequire(import.meta.url);
const CLIENT_MODELS = join(dirname(require.resolve('@kubernetes/client-node')), 'gen/models');
const KT_ROOT = dirname(require.resolve('kubernetes-types/package.json'));

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const TIME = `${META}.Time`;
const MICRO_TIME = `${META}.MicroTime`;
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

/** Maps a kubernetes-types file (`core/v1`, `meta/v1`, `api/resource`) to its OpenAPI package. */
function packageOf(file: string): string {
  if (file === 'meta/v1') return META;
  if (file === 'api/resource') return 'io.k8s.apimachinery.pkg.api.resource';
  if (file === 'runtime') return 'io.k8s.apimachinery.pkg.runtime';
  if (file === 'version') return 'io.k8s.apimachinery.pkg.version';
  if (file.startsWith('apiextensions/')) return `io.k8s.apiextensions-apiserver.pkg.apis.${file.replace('/', '.')}`;
  return `io.k8s.api.${file.replace('/', '.')}`;
}

/** Parses every `export interface` of kubernetes-types: package, doc and field types/docs. */
function loadKubernetesTypes(): Map<string, KtInterface[]> {
  const byName = new Map<string, KtInterface[]>();
  const files = readdirSync(KT_ROOT, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.d.ts'));
  for (const file of files) {
    const pkg = packageOf(file.replace(/\.d\.ts$/, '').replaceAll('\\', '/'));
    const lines = readFileSync(join(KT_ROOT, file), 'utf8').split('\n');
    let doc: string[] = [];
    let current: KtInterface | undefined;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const oneLine = /^\s*\/\*\*\s?(.*?)\s*\*\/\s*$/.exec(line);
      if (oneLine) {
        doc = [oneLine[1]];
        continue;
      }
      if (/^\s*\/\*\*/.test(line)) {
        doc = [];
        for (i++; i < lines.length && !/^\s*\*\//.test(lines[i]); i++) doc.push(lines[i].replace(/^\s*\* ?/, ''));
        continue;
      }
      const start = /^export interface (\w+) \{/.exec(line);
      if (start) {
        current = { pkg, doc: joinDoc(doc), fields: new Map() };
        byName.set(start[1], [...(byName.get(start[1]) ?? []), current]);
      } else if (current && line === '}') {
        current = undefined;
      } else if (current) {
        const prop = /^ {4}(?:readonly )?(\w+)\??: (.*)$/.exec(line);
        if (prop) {
          let type = prop[2];
          while (type.endsWith('{') && i + 1 < lines.length) type += lines[++i].trim();
          current.fields.set(prop[1], { type, doc: joinDoc(doc) });
        }
      }
      if (!/^\s*$/.test(line)) doc = [];
    }
  }
  return byName;
}

function joinDoc(lines: string[]): string | undefined {
  const text = lines.join('\n').replace(/\n\n+/g, '\n\n').trim();
  return text || undefined;
}

/** Parses a client-node model `.d.ts`: the class description and each field's doc and requiredness. */
function loadClientDocs(model: string): { doc?: string; fields: Map<string, DocField> } {
  const text = readFileSync(join(CLIENT_MODELS, `${model}.d.ts`), 'utf8');
  const fields = new Map<string, DocField>();
  const classDoc = /\/\*\*\n\* ([^\n]*)\n\*\/\nexport declare class/.exec(text)?.[1];
  const prop = /(?:\/\*\*\n\s*\* ([^\n]*)\n\s*\*\/\n)?\s{4}'(\w+)'(\?)?:/g;
  for (const m of text.matchAll(prop)) fields.set(m[2], { doc: m[1]?.trim() || undefined, required: !m[3] });
  return { doc: classDoc?.trim() || undefined, fields };
}

/** Splits a client-node class name: `CoreV1EventSeries` → group hint `core`, version `v1`, name `EventSeries`. */
function splitModelName(model: string): { groupHint?: string; version: string; name: string } {
  const m = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$/.exec(model);
  if (!m) throw new Error(`unexpected model name ${model}`);
  return { groupHint: m[1]?.toLowerCase(), version: m[2].toLowerCase(), name: m[3] };
}

const modelsModule = (await import('@kubernetes/client-node/dist/gen/models/all.js')) as unknown as Record<
  string,
  ModelClass
>;
const kt = loadKubernetesTypes();
const patchStrategies = await loadPatchStrategies();
const schemas: Record<string, Schema> = {};
const modelToSchema = new Map<string, string>();

async function loadPatchStrategies(): Promise<Record<string, Record<string, PatchMeta>>> {
  // A variable specifier keeps this optional input out of the type-check of the script.
  const specifier = '../core/api/patch/patch-meta.ts';
  try {
    const mod = (await import(specifier)) as { PATCH_STRATEGIES?: Record<string, Record<string, PatchMeta>> };
    return mod.PATCH_STRATEGIES ?? {};
  } catch (e) {
    console.warn(
      `note: no patch strategies (${(e as Error).message.split('\n')[0]}); schemas omit x-kubernetes-patch-*`,
    );
    return {};
  }
}

/** The kubernetes-types declaration of a client-node model, preferring the parent's package when names clash. */
function declarationOf(model: string, parentPkg?: string): KtInterface | undefined {
  const { groupHint, version, name } = splitModelName(model);
  const candidates = (kt.get(name) ?? []).filter((d) => d.pkg.endsWith(`.${version}`));
  if (groupHint) return candidates.find((d) => d.pkg === `io.k8s.api.${groupHint}.${version}`);
  return (
    candidates.find((d) => d.pkg === parentPkg) ??
    candidates.find((d) => d.pkg === `io.k8s.api.core.${version}`) ??
    candidates[0]
  );
}

/** Adds the schema of a client-node model (and, recursively, what it references); returns its schema name. */
function addModel(model: string, parentPkg?: string): string {
  const known = modelToSchema.get(model);
  if (known) return known;
  const attrs = modelsModule[model]?.attributeTypeMap;
  if (!attrs) throw new Error(`@kubernetes/client-node has no model ${model}`);
  const { name } = splitModelName(model);
  const decl = declarationOf(model, parentPkg);
  const pkg = decl?.pkg ?? parentPkg ?? 'io.k8s.api.core.v1';
  const schemaName = `${pkg}.${name}`;
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
    // client-node drops the doc of a field whose type is another model; fall back to that model's own doc.
    const description = doc?.doc ?? ktField?.doc ?? referencedDoc(prop);
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
}

function referencedDoc(prop: Schema): string | undefined {
  const target = (prop.$ref ?? (prop.items as Schema | undefined)?.$ref) as string | undefined;
  return target ? (schemas[target.split('/').pop() ?? '']?.description as string | undefined) : undefined;
}

/** The schema of one field type as client-node spells it (`Array<V1Container>`, `{ [key: string]: string; }`). */
function typeSchema(type: string, format: string, ktType: string, pkg: string): Schema {
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
      if (/\bFieldsV1\b/.test(ktType)) return ref(`${META}.FieldsV1`);
      if (/\bRawExtension\b/.test(ktType)) return ref('io.k8s.apimachinery.pkg.runtime.RawExtension');
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    default:
      return ref(addModel(type, pkg));
  }
}

/** The client-node class of a served kind: the group-prefixed name if it exists (`CoreV1Event`), else `V1<Kind>`. */
function modelFor(group: string, version: string, kind: string): string {
  const v = version[0].toUpperCase() + version.slice(1);
  const prefix = group ? group.split('.')[0] : 'core';
  const prefixed = `${prefix[0].toUpperCase()}${prefix.slice(1)}${v}${kind}`;
  return modelsModule[prefixed]?.attributeTypeMap ? prefixed : `${v}${kind}`;
}

function addGvk(schemaName: string, gvk: { group: string; version: string; kind: string }): void {
  const schema = schemas[schemaName];
  const list = (schema['x-kubernetes-group-version-kind'] as object[] | undefined) ?? [];
  list.push({ group: gvk.group, kind: gvk.kind, version: gvk.version });
  schema['x-kubernetes-group-version-kind'] = list;
}

function addPrimitives(): void {
  schemas[TIME] = {
    description:
      'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON. Wrappers are provided for many of the factory methods that the time package offers.',
    type: 'string',
    format: 'date-time',
  };
  schemas[MICRO_TIME] = {
    description: 'MicroTime is version of Time with microsecond level precision.',
    type: 'string',
    format: 'date-time',
  };
  schemas[QUANTITY] = {
    description: (readFileSync(join(KT_ROOT, 'api/resource.d.ts'), 'utf8').match(/\/\*\*([\s\S]*?)\*\//)?.[1] ?? '')
      .split('\n')
      .map((l) => l.replace(/^\s*\* ?/, ''))
      .join('\n')
      .trim(),
    type: 'string',
  };
  schemas[INT_OR_STRING] = {
    description:
      'IntOrString is a type that can hold an int32 or a string. When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.',
    type: 'string',
    format: 'int-or-string',
  };
  schemas[`${META}.FieldsV1`] = {
    description: kt.get('FieldsV1')?.[0]?.doc ?? 'FieldsV1 stores a set of fields in a data structure like a Trie.',
    type: 'object',
  };
  schemas['io.k8s.apimachinery.pkg.runtime.RawExtension'] = {
    description: 'RawExtension is used to hold extensions in external versions.',
    type: 'object',
  };
}

addPrimitives();
const groupVersions = new Map<string, { group: string; version: string }>();
for (const info of RESOURCES) {
  groupVersions.set(`${info.group}/${info.version}`, info);
  for (const kind of [info.kind, `${info.kind}List`]) {
    const model = modelFor(info.group, info.version, kind);
    if (!modelsModule[model]?.attributeTypeMap) continue;
    addGvk(addModel(model), { group: info.group, version: info.version, kind });
  }
}
for (const [model, group, version, kind] of [
  ['V1Scale', 'autoscaling', 'v1', 'Scale'],
  ['V1Eviction', 'policy', 'v1', 'Eviction'],
  ['V1Status', '', 'v1', 'Status'],
] as const) {
  addGvk(addModel(model), { group, version, kind });
}
const deleteOptions = addModel('V1DeleteOptions');
for (const gv of groupVersions.values()) addGvk(deleteOptions, { ...gv, kind: 'DeleteOptions' });
addModel('V1ListMeta');

// Sorted keys keep the committed file's diffs readable; JSON.stringify drops undefined descriptions.
const sorted = Object.fromEntries(
  Object.keys(schemas)
    .sort()
    .map((k) => [k, schemas[k]]),
);
writeFileSync(OUT, `${JSON.stringify(sorted, null, 1)}\n`);
console.log(`wrote ${Object.keys(sorted).length} schemas to ${relative(ROOT, OUT)}`);
