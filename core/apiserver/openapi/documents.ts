/**
 * The OpenAPI documents the API server serves: the v3 index (`GET
 * /openapi/v3`), one v3 document per group/version (`GET
 * /openapi/v3/api/v1`, `/openapi/v3/apis/<group>/<version>`) and a minimal
 * v2 protobuf answer (`GET /openapi/v2`).
 *
 * kubectl needs them for two things: `apply`/`create -f` check that the
 * server supports the `fieldValidation` parameter for the object's kind
 * (otherwise they validate client-side, or fail when no OpenAPI is served at
 * all), and `kubectl explain` reads field types and descriptions from the
 * component schemas.
 */
import { createHash } from 'node:crypto';
import { RESOURCES, type ResourceInfo } from '../../api/resources.ts';
import { type GroupVersionKind, schemaClosure, schemaNameForKind } from '../../api/schema/schemas.ts';
import { resourcePaths } from './paths.ts';

interface GroupVersionDocument {
  doc: object;
  hash: string;
}

/** Kinds every group/version document carries besides its own: error bodies and delete options. */
const META_SCHEMAS = [
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
];

/** The index key of a group/version: `api/v1` for the core group, `apis/<group>/<version>` otherwise. */
function gvKey(info: { group: string; version: string }): string {
  return info.group ? `apis/${info.group}/${info.version}` : `api/${info.version}`;
}

function buildDocument(infos: ResourceInfo[]): object {
  const paths: Record<string, unknown> = {};
  const roots = new Set(META_SCHEMAS);
  for (const info of infos) {
    for (const [path, item] of Object.entries(resourcePaths(info))) {
      paths[path] = item;
      collectResponseKinds(item, roots);
    }
    for (const kind of [info.kind, `${info.kind}List`]) {
      const name = schemaNameForKind({ group: info.group, version: info.version, kind });
      if (name) roots.add(name);
    }
  }
  const sortedPaths = Object.fromEntries(
    Object.keys(paths)
      .sort()
      .map((p) => [p, paths[p]]),
  );
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths: sortedPaths,
    components: { schemas: schemaClosure(roots) },
  };
}

/** Adds the schemas of the kinds a path item's operations are declared for (Scale, Eviction on subresources). */
function collectResponseKinds(item: unknown, into: Set<string>): void {
  for (const op of Object.values(item as Record<string, unknown>)) {
    const gvk = (op as Record<string, unknown> | undefined)?.['x-kubernetes-group-version-kind'] as
      GroupVersionKind | undefined;
    const name = gvk && schemaNameForKind(gvk);
    if (name) into.add(name);
  }
}

let documents: Map<string, GroupVersionDocument> | undefined;

/** Builds every group/version document once; they depend only on the resource catalog and generated schemas. */
function allDocuments(): Map<string, GroupVersionDocument> {
  if (documents) return documents;
  const byGv = new Map<string, ResourceInfo[]>();
  for (const info of RESOURCES) byGv.set(gvKey(info), [...(byGv.get(gvKey(info)) ?? []), info]);
  documents = new Map();
  for (const [key, infos] of byGv) {
    const doc = buildDocument(infos);
    const hash = createHash('sha256').update(JSON.stringify(doc)).digest('hex').slice(0, 32).toUpperCase();
    documents.set(key, { doc, hash });
  }
  return documents;
}

/**
 * `GET /openapi/v3`: the discovery index of the v3 documents. Each entry's
 * `serverRelativeURL` carries a hash of that document's content, so clients
 * that cache by URL (kubectl does) see a new URL whenever the document changes.
 */
export function openApiIndex(): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [key, { hash }] of allDocuments()) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  return { paths };
}

/**
 * The OpenAPI 3.0 document of one group/version, given its path below
 * `/openapi/v3/` (`api/v1`, `apis/apps/v1`; a leading `/openapi/v3/`, a
 * leading slash and a query string are tolerated). Returns undefined for a
 * group/version skube does not serve. The returned object is shared: do not
 * modify it.
 */
export function openApiGroupVersion(gvPath: string): object | undefined {
  const key = gvPath
    .split('?')[0]
    .replace(/^\/+/, '')
    .replace(/^openapi\/v3\//, '')
    .replace(/\/+$/, '');
  return allDocuments().get(key)?.doc;
}

/**
 * `GET /openapi/v2` for `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`:
 * a gnostic `openapi_v2.Document` holding only `swagger: "2.0"`. kubectl only
 * reaches for v2 when v3 fails, or (in `apply`) to look for strategic-merge
 * metadata; finding no definitions it falls back to its compiled-in types.
 */
export function openApiV2Protobuf(): Uint8Array {
  // Field 1 (swagger), wire type 2 (length-delimited): tag 0x0a, length 3, "2.0".
  return Uint8Array.of(0x0a, 0x03, 0x32, 0x2e, 0x30);
}
