/**
 * Readers of the inputs `scripts/gen-openapi.ts` builds OpenAPI schemas
 * from: `@kubernetes/client-node` models (field metadata and `.d.ts` doc
 * comments), `kubernetes-types` declarations (API packages, Quantity/MicroTime
 * fields, descriptions) and, when present, the strategic-merge-patch table
 * in `core/api/patch/patch-meta.ts`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** One entry of a client-node model's `attributeTypeMap`. */
export interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

/** A client-node model class: only its serializer metadata matters here. */
export interface ModelClass {
  attributeTypeMap?: Attribute[];
}

/** A field of a kubernetes-types interface: its TypeScript type text and doc. */
export interface KtField {
  type: string;
  doc?: string;
}

/** A kubernetes-types interface: the OpenAPI package it belongs to, its doc and fields. */
export interface KtInterface {
  pkg: string;
  doc?: string;
  fields: Map<string, KtField>;
}

/** The doc comments of a client-node model: the class doc, and per field its doc and whether it is required. */
export interface ClientDocs {
  doc?: string;
  fields: Map<string, { doc?: string; required: boolean }>;
}

/** How one field merges under a strategic merge patch. */
export interface PatchMeta {
  strategies: readonly string[];
  mergeKey?: string;
}

const require = createRequire(import.meta.url);
const CLIENT_MODELS = join(dirname(require.resolve('@kubernetes/client-node')), 'gen/models');
const KT_ROOT = dirname(require.resolve('kubernetes-types/package.json'));

/** The OpenAPI package of the meta/v1 types. */
export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** Maps a kubernetes-types file (`core/v1`, `meta/v1`, `api/resource`) to its OpenAPI package. */
function packageOf(file: string): string {
  if (file === 'meta/v1') return META;
  if (file === 'api/resource') return 'io.k8s.apimachinery.pkg.api.resource';
  if (file === 'runtime') return 'io.k8s.apimachinery.pkg.runtime';
  if (file === 'version') return 'io.k8s.apimachinery.pkg.version';
  if (file.startsWith('apiextensions/')) return `io.k8s.apiextensions-apiserver.pkg.apis.${file.replace('/', '.')}`;
  return `io.k8s.api.${file.replace('/', '.')}`;
}

function joinDoc(lines: string[]): string | undefined {
  const text = lines.join('\n').replace(/\n\n+/g, '\n\n').trim();
  return text || undefined;
}

/** Parses every `export interface` of kubernetes-types, by interface name (several packages may share one). */
export function loadKubernetesTypes(): Map<string, KtInterface[]> {
  const byName = new Map<string, KtInterface[]>();
  const files = readdirSync(KT_ROOT, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.d.ts'));
  for (const file of files.sort()) {
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
          // Map types span lines (`{`, `[name: string]: Quantity;`, `};`); join them to see the value type.
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

/** The leading doc comment of a kubernetes-types file (`api/resource` documents Quantity). */
export function kubernetesTypesFileDoc(file: string): string {
  const comment = readFileSync(join(KT_ROOT, `${file}.d.ts`), 'utf8').match(/\/\*\*([\s\S]*?)\*\//)?.[1] ?? '';
  return comment
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

/** The client-node model classes by name. */
export async function loadModels(): Promise<Record<string, ModelClass>> {
  // The package index pulls in the HTTP client; the model barrel is all the generator needs.
  return (await import('@kubernetes/client-node/dist/gen/models/all.js')) as unknown as Record<string, ModelClass>;
}

/** Parses a client-node model `.d.ts`: the class doc, and each field's doc and requiredness (no `?`). */
export function loadClientDocs(model: string): ClientDocs {
  const text = readFileSync(join(CLIENT_MODELS, `${model}.d.ts`), 'utf8');
  const fields: ClientDocs['fields'] = new Map();
  const classDoc = /\/\*\*\n\* ([^\n]*)\n\*\/\nexport declare class/.exec(text)?.[1];
  const prop = /(?:\/\*\*\n\s*\* ([^\n]*)\n\s*\*\/\n)?\s{4}'(\w+)'(\?)?:/g;
  for (const m of text.matchAll(prop)) fields.set(m[2], { doc: m[1]?.trim() || undefined, required: !m[3] });
  return { doc: classDoc?.trim() || undefined, fields };
}

/** Splits a client-node class name: `CoreV1EventSeries` → group hint `core`, version `v1`, name `EventSeries`. */
export function splitModelName(model: string): { groupHint?: string; version: string; name: string } {
  const m = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$/.exec(model);
  if (!m) throw new Error(`unexpected model name ${model}`);
  return { groupHint: m[1]?.toLowerCase(), version: m[2].toLowerCase(), name: m[3] };
}

/**
 * The strategic-merge-patch table by client-node model and field, or `{}`
 * (with a note on stderr) when `core/api/patch/patch-meta.ts` cannot be loaded.
 */
export async function loadPatchStrategies(): Promise<Record<string, Record<string, PatchMeta>>> {
  // A variable specifier keeps this optional input out of the script's type-check.
  const specifier = '../core/api/patch/patch-meta.ts';
  try {
    const mod = (await import(specifier)) as { PATCH_STRATEGIES?: Record<string, Record<string, PatchMeta>> };
    return mod.PATCH_STRATEGIES ?? {};
  } catch (e) {
    const reason = (e as Error).message.split('\n')[0];
    console.warn(`note: no patch strategies (${reason}); schemas omit x-kubernetes-patch-*`);
    return {};
  }
}
