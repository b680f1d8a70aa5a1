/**
 * OpenAPI v3 path items for one served resource: the collection, the item,
 * the all-namespaces list and the subresources, with the operations its
 * discovery verbs allow. Every operation carries
 * `x-kubernetes-group-version-kind` (an object) and `x-kubernetes-action`;
 * every write carries the `fieldValidation` query parameter inline, because
 * kubectl's query-parameter verifier only reads the inline parameters of the
 * first PATCH operation it meets for a kind.
 */
import type { ResourceInfo } from '../../api/resources.ts';
import { type GroupVersionKind, schemaNameForKind, schemaRef } from '../../api/schema/schemas.ts';

type PathItem = Record<string, unknown>;
type Parameter = { name: string; in: 'path' | 'query'; description: string; required?: boolean; schema: object };

const STATUS_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const DELETE_OPTIONS_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
/** Subresources that stream or upgrade rather than exchange an object; they have no schema-described body. */
const CONNECT_SUBRESOURCES = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

const str = { type: 'string', uniqueItems: true };
const int = { type: 'integer', uniqueItems: true };
const bool = { type: 'boolean', uniqueItems: true };
const query = (name: string, description: string, schema: object = str): Parameter => ({
  name,
  in: 'query',
  description,
  schema,
});
const pathParam = (name: string, description: string): Parameter => ({
  name,
  in: 'path',
  description,
  required: true,
  schema: str,
});

const PRETTY = query('pretty', "If 'true', the output is pretty printed.");
const DRY_RUN = query('dryRun', 'When present, the change is validated but not persisted. Valid value: All.');
const WRITE_PARAMS: Parameter[] = [
  DRY_RUN,
  query('fieldManager', 'A name for the actor making the change, used to track field ownership.'),
  // Advertising this parameter is what lets `kubectl apply`/`create` skip client-side schema validation.
  query(
    'fieldValidation',
    'How the server treats unknown or duplicate fields in the request body: Ignore, Warn (the default) or Strict.',
  ),
];
const PATCH_PARAMS = [...WRITE_PARAMS, query('force', 'Force apply requests to take conflicting fields.', bool)];
const LIST_PARAMS: Parameter[] = [
  query('allowWatchBookmarks', 'Ask for BOOKMARK watch events.', bool),
  query('continue', 'The continue token of the previous page of a chunked list.'),
  query('fieldSelector', 'Restrict the returned objects by their fields.'),
  query('labelSelector', 'Restrict the returned objects by their labels.'),
  query('limit', 'The maximum number of objects to return in one page.', int),
  query('resourceVersion', 'Which version of the collection to serve or to watch from.'),
  query('resourceVersionMatch', 'How resourceVersion is applied to list calls.'),
  query('sendInitialEvents', 'Start a watch with synthetic events for the current state.', bool),
  query('timeoutSeconds', 'How long a list or watch call may last.', int),
  query('watch', 'Watch for changes instead of listing.', bool),
];
const DELETE_PARAMS: Parameter[] = [
  DRY_RUN,
  query('gracePeriodSeconds', 'Seconds before the object is deleted; zero deletes immediately.', int),
  query('propagationPolicy', 'Whether and how dependents are garbage collected: Orphan, Background or Foreground.'),
];

/** One HTTP operation a discovery verb maps to. */
interface VerbOperation {
  /** Which path the operation lives on. */
  on: 'collection' | 'item';
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  action: string;
  /** The verb in the operationId (`read`, `replace`, `deleteCollection`). */
  idVerb: string;
  describe: (what: string) => string;
  response: 'kind' | 'list' | 'status';
  codes: string[];
  params: Parameter[];
  body?: 'kind' | 'deleteOptions';
}

const CREATE: VerbOperation = {
  on: 'collection',
  method: 'post',
  action: 'post',
  idVerb: 'create',
  describe: (k) => `create ${k}`,
  response: 'kind',
  codes: ['200', '201', '202'],
  params: WRITE_PARAMS,
  body: 'kind',
};

/**
 * The operations of each discovery verb. PATCH has no requestBody on
 * purpose: kubectl apply builds its strategic merge patch from the OpenAPI v3
 * schemas only when the PATCH operation declares a strategic-merge-patch
 * body, and from its own compiled-in types otherwise — which are exact for
 * every built-in kind.
 */
const VERBS: Record<string, VerbOperation> = {
  list: {
    on: 'collection',
    method: 'get',
    action: 'list',
    idVerb: 'list',
    describe: (k) => `list or watch objects of kind ${k}`,
    response: 'list',
    codes: ['200'],
    params: LIST_PARAMS,
  },
  create: CREATE,
  // Subresource `create` (eviction, binding) acts on one object: a POST to the item's subpath.
  subcreate: { ...CREATE, on: 'item' },
  deletecollection: {
    on: 'collection',
    method: 'delete',
    action: 'deletecollection',
    idVerb: 'deleteCollection',
    describe: (k) => `delete collection of ${k}`,
    response: 'status',
    codes: ['200'],
    params: [...DELETE_PARAMS, ...LIST_PARAMS],
  },
  get: {
    on: 'item',
    method: 'get',
    action: 'get',
    idVerb: 'read',
    describe: (k) => `read the specified ${k}`,
    response: 'kind',
    codes: ['200'],
    params: [],
  },
  update: {
    on: 'item',
    method: 'put',
    action: 'put',
    idVerb: 'replace',
    describe: (k) => `replace the specified ${k}`,
    response: 'kind',
    codes: ['200', '201'],
    params: WRITE_PARAMS,
    body: 'kind',
  },
  patch: {
    on: 'item',
    method: 'patch',
    action: 'patch',
    idVerb: 'patch',
    describe: (k) => `partially update the specified ${k}`,
    response: 'kind',
    codes: ['200', '201'],
    params: PATCH_PARAMS,
  },
  delete: {
    on: 'item',
    method: 'delete',
    action: 'delete',
    idVerb: 'delete',
    describe: (k) => `delete the specified ${k}`,
    response: 'status',
    codes: ['200', '202'],
    params: DELETE_PARAMS,
    body: 'deleteOptions',
  },
};

const capitalize = (s: string) => s.replace(/^./, (c) => c.toUpperCase());

function jsonContent(schemaName: string): object {
  return { 'application/json': { schema: schemaRef(schemaName) } };
}

/** What an operation is about, for its operationId and extensions. */
interface Target {
  owner: ResourceInfo;
  gvk: GroupVersionKind;
  kindSchema: string;
  listSchema?: string;
  namespaced: boolean;
  /** Appended to the operationId: `Status`, `Scale`, `ForAllNamespaces`. */
  suffix: string;
  what: string;
}

function operation(verb: VerbOperation, t: Target): Record<string, unknown> {
  const { owner, gvk } = t;
  const group = owner.group ? owner.group.split('.')[0] : 'core';
  const response = { kind: t.kindSchema, list: t.listSchema ?? t.kindSchema, status: STATUS_SCHEMA }[verb.response];
  const responses: Record<string, object> = {};
  for (const code of verb.codes) {
    responses[code] = { description: code === '201' ? 'Created' : 'OK', content: jsonContent(response) };
  }
  responses['401'] = { description: 'Unauthorized' };
  const op: Record<string, unknown> = {
    description: verb.describe(t.what),
    operationId: `${verb.idVerb}${capitalize(group)}${capitalize(owner.version)}${t.namespaced ? 'Namespaced' : ''}${owner.kind}${t.suffix}`,
    tags: [`${group}_${owner.version}`],
  };
  if (verb.params.length) op.parameters = verb.params;
  if (verb.body === 'kind') op.requestBody = { content: jsonContent(t.kindSchema), required: true };
  if (verb.body === 'deleteOptions') op.requestBody = { content: jsonContent(DELETE_OPTIONS_SCHEMA) };
  op.responses = responses;
  op['x-kubernetes-action'] = verb.action;
  op['x-kubernetes-group-version-kind'] = { group: gvk.group, version: gvk.version, kind: gvk.kind };
  return op;
}

/** Adds the operations of `verbs` that live `on` the given path; skips the path when none does. */
function addPath(
  paths: Record<string, PathItem>,
  path: string,
  on: VerbOperation['on'],
  verbs: readonly string[],
  target: Target,
  parameters: Parameter[],
): void {
  const item: PathItem = {};
  for (const name of verbs) {
    const verb = VERBS[name];
    if (verb?.on !== on || (verb.response === 'list' && !target.listSchema)) continue;
    item[verb.method] = operation(verb, target);
  }
  if (Object.keys(item).length) paths[path] = { ...item, parameters };
}

/**
 * The path items of one resource, keyed by path
 * (`/apis/apps/v1/namespaces/{namespace}/deployments/{name}`). A resource
 * whose kind has no generated schema gets none; so does a subresource that
 * streams (log, exec) or whose kind has no schema.
 */
export function resourcePaths(info: ResourceInfo): Record<string, PathItem> {
  const gvk = { group: info.group, version: info.version, kind: info.kind };
  const kindSchema = schemaNameForKind(gvk);
  if (!kindSchema) return {};
  const listSchema = schemaNameForKind({ ...gvk, kind: `${info.kind}List` });
  const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  const collection = info.namespaced ? `${base}/namespaces/{namespace}/${info.resource}` : `${base}/${info.resource}`;
  const item = `${collection}/{name}`;
  const scope = info.namespaced
    ? [pathParam('namespace', 'object name and auth scope, such as for teams and projects')]
    : [];
  const itemParams = [pathParam('name', `name of the ${info.kind}`), ...scope, PRETTY];
  const target: Target = {
    owner: info,
    gvk,
    kindSchema,
    listSchema,
    namespaced: info.namespaced,
    suffix: '',
    what: info.kind,
  };
  const paths: Record<string, PathItem> = {};

  addPath(paths, collection, 'collection', info.verbs, target, [...scope, PRETTY]);
  addPath(paths, item, 'item', info.verbs, target, itemParams);
  if (info.namespaced) {
    const all = { ...target, namespaced: false, suffix: 'ForAllNamespaces' };
    addPath(paths, `${base}/${info.resource}`, 'collection', ['list'], all, [PRETTY]);
  }
  for (const sub of info.subresources) {
    if (CONNECT_SUBRESOURCES.has(sub.name)) continue;
    const subGvk = { group: sub.group ?? info.group, version: sub.version ?? info.version, kind: sub.kind };
    const subSchema = schemaNameForKind(subGvk);
    if (!subSchema) continue;
    const verbs = sub.verbs.map((v) => (v === 'create' ? 'subcreate' : v));
    const subTarget: Target = {
      ...target,
      gvk: subGvk,
      kindSchema: subSchema,
      listSchema: undefined,
      suffix: capitalize(sub.name),
      what: `${sub.name} of the ${info.kind}`,
    };
    addPath(paths, `${item}/${sub.name}`, 'item', verbs, subTarget, itemParams);
  }
  return paths;
}
