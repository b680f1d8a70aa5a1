/**
 * OpenAPI v3 path items for one served resource: the collection, the item,
 * the all-namespaces list and the subresources, with the operations its verbs
 * allow. Every operation carries `x-kubernetes-group-version-kind` and
 * `x-kubernetes-action`; every write carries the `fieldValidation` query
 * parameter, inline, because kubectl's query-parameter verifier only looks at
 * inline parameters of the first PATCH operation it meets for a kind.
 */
import type { ResourceInfo, SubresourceInfo } from '../../api/resources.ts';
import { type GroupVersionKind, schemaNameForKind, schemaRef } from './schemas.ts';

type Operation = Record<string, unknown>;
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

const PRETTY = query('pretty', "If 'true', the output is pretty printed.");
const DRY_RUN = query('dryRun', 'When present, the change is validated but not persisted. Valid value: All.');
const FIELD_MANAGER = query('fieldManager', 'A name for the actor making the change, used to track field ownership.');
/** Advertising this parameter is what lets `kubectl apply`/`create` skip client-side schema validation. */
const FIELD_VALIDATION = query(
  'fieldValidation',
  'How the server treats unknown or duplicate fields in the request body: Ignore, Warn (the default) or Strict.',
);
const FORCE = query('force', 'Force apply requests to take ownership of conflicting fields.', bool);
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

function pathParam(name: string, description: string): Parameter {
  return { name, in: 'path', description, required: true, schema: str };
}

function jsonContent(schemaName: string): object {
  return { 'application/json': { schema: schemaRef(schemaName) } };
}

function responses(schemaName: string, codes: string[]): object {
  const out: Record<string, object> = {};
  for (const code of codes)
    out[code] = { description: code === '201' ? 'Created' : 'OK', content: jsonContent(schemaName) };
  out['401'] = { description: 'Unauthorized' };
  return out;
}

/** The operationId style Kubernetes uses: `patchAppsV1NamespacedDeployment`, `listCoreV1PodForAllNamespaces`. */
function operationId(
  verb: string,
  group: string,
  version: string,
  kind: string,
  namespaced: boolean,
  suffix = '',
): string {
  const groupPart = (group ? group.split('.')[0] : 'core').replace(/^./, (c) => c.toUpperCase());
  const versionPart = version.replace(/^./, (c) => c.toUpperCase());
  return `${verb}${groupPart}${versionPart}${namespaced ? 'Namespaced' : ''}${kind}${suffix}`;
}

interface OpSpec {
  action: string;
  verb: string;
  description: string;
  gvk: GroupVersionKind;
  response: string;
  codes: string[];
  params?: Parameter[];
  requestBody?: string;
  namespaced: boolean;
  owner: ResourceInfo;
  suffix?: string;
}

function operation(spec: OpSpec): Operation {
  const { owner, gvk } = spec;
  const op: Operation = {
    description: spec.description,
    operationId: operationId(spec.verb, owner.group, owner.version, owner.kind, spec.namespaced, spec.suffix),
    tags: [`${owner.group ? owner.group.split('.')[0] : 'core'}_${owner.version}`],
  };
  if (spec.params?.length) op.parameters = spec.params;
  if (spec.requestBody) op.requestBody = { content: jsonContent(spec.requestBody), required: true };
  op.responses = responses(spec.response, spec.codes);
  op['x-kubernetes-action'] = spec.action;
  op['x-kubernetes-group-version-kind'] = { group: gvk.group, version: gvk.version, kind: gvk.kind };
  return op;
}

/**
 * The path items of one resource, keyed by path (`/apis/apps/v1/namespaces/{namespace}/deployments/{name}`).
 * Resources whose kind has no generated schema get no paths.
 */
export function resourcePaths(info: ResourceInfo): Record<string, PathItem> {
  const gvk = { group: info.group, version: info.version, kind: info.kind };
  const kindSchema = schemaNameForKind(gvk);
  if (!kindSchema) return {};
  const listSchema = schemaNameForKind({ ...gvk, kind: `${info.kind}List` });
  const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  const collection = info.namespaced ? `${base}/namespaces/{namespace}/${info.resource}` : `${base}/${info.resource}`;
  const item = `${collection}/{name}`;
  const scopeParams = info.namespaced
    ? [pathParam('namespace', 'object name and auth scope, such as for teams and projects')]
    : [];
  const nameParam = pathParam('name', `name of the ${info.kind}`);
  const can = (verb: string) => info.verbs.includes(verb);
  const common = { gvk, owner: info, namespaced: info.namespaced };
  const paths: Record<string, PathItem> = {};

  const coll: PathItem = {};
  if (can('list') && listSchema) {
    coll.get = operation({
      ...common,
      action: 'list',
      verb: 'list',
      description: `list or watch objects of kind ${info.kind}`,
      response: listSchema,
      codes: ['200'],
      params: LIST_PARAMS,
    });
  }
  if (can('create')) {
    coll.post = operation({
      ...common,
      action: 'post',
      verb: 'create',
      description: `create a ${info.kind}`,
      response: kindSchema,
      codes: ['200', '201', '202'],
      params: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION],
      requestBody: kindSchema,
    });
  }
  if (can('deletecollection')) {
    coll.delete = operation({
      ...common,
      action: 'deletecollection',
      verb: 'deleteCollection',
      description: `delete collection of ${info.kind}`,
      response: STATUS_SCHEMA,
      codes: ['200'],
      params: [...DELETE_PARAMS, ...LIST_PARAMS],
    });
  }
  if (Object.keys(coll).length) paths[collection] = { ...coll, parameters: [...scopeParams, PRETTY] };

  const one: PathItem = {};
  if (can('get')) {
    one.get = operation({
      ...common,
      action: 'get',
      verb: 'read',
      description: `read the specified ${info.kind}`,
      response: kindSchema,
      codes: ['200'],
    });
  }
  if (can('update')) {
    one.put = operation({
      ...common,
      action: 'put',
      verb: 'replace',
      description: `replace the specified ${info.kind}`,
      response: kindSchema,
      codes: ['200', '201'],
      params: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION],
      requestBody: kindSchema,
    });
  }
  if (can('patch')) {
    // No requestBody on purpose: kubectl apply builds its strategic merge patch from the OpenAPI v3
    // schemas when the PATCH operation declares a strategic-merge-patch body, and from its own
    // compiled-in types otherwise. The compiled-in types are exact for every built-in kind.
    one.patch = operation({
      ...common,
      action: 'patch',
      verb: 'patch',
      description: `partially update the specified ${info.kind}`,
      response: kindSchema,
      codes: ['200', '201'],
      params: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE],
    });
  }
  if (can('delete')) {
    const del = operation({
      ...common,
      action: 'delete',
      verb: 'delete',
      description: `delete a ${info.kind}`,
      response: STATUS_SCHEMA,
      codes: ['200', '202'],
      params: DELETE_PARAMS,
    });
    del.requestBody = { content: jsonContent(DELETE_OPTIONS_SCHEMA) };
    one.delete = del;
  }
  if (Object.keys(one).length) paths[item] = { ...one, parameters: [nameParam, ...scopeParams, PRETTY] };

  if (info.namespaced && can('list') && listSchema) {
    paths[`${base}/${info.resource}`] = {
      get: operation({
        ...common,
        action: 'list',
        verb: 'list',
        description: `list or watch objects of kind ${info.kind}`,
        response: listSchema,
        codes: ['200'],
        params: LIST_PARAMS,
        namespaced: false,
        suffix: 'ForAllNamespaces',
      }),
      parameters: [PRETTY],
    };
  }
  for (const sub of info.subresources) {
    const subPath = subresourcePath(info, sub, common, [nameParam, ...scopeParams, PRETTY]);
    if (subPath) paths[`${item}/${sub.name}`] = subPath;
  }
  return paths;
}

function subresourcePath(
  info: ResourceInfo,
  sub: SubresourceInfo,
  common: { owner: ResourceInfo; namespaced: boolean },
  parameters: Parameter[],
): PathItem | undefined {
  if (CONNECT_SUBRESOURCES.has(sub.name)) return undefined;
  const gvk = { group: sub.group ?? info.group, version: sub.version ?? info.version, kind: sub.kind };
  const schema = schemaNameForKind(gvk);
  if (!schema) return undefined;
  const suffix = sub.name.replace(/^./, (c) => c.toUpperCase());
  const what = `${sub.name} of the specified ${info.kind}`;
  const writes = [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION];
  const spec = { ...common, gvk, response: schema, suffix };
  const item: PathItem = {};
  if (sub.verbs.includes('get'))
    item.get = operation({ ...spec, action: 'get', verb: 'read', description: `read ${what}`, codes: ['200'] });
  if (sub.verbs.includes('update'))
    item.put = operation({
      ...spec,
      action: 'put',
      verb: 'replace',
      description: `replace ${what}`,
      codes: ['200', '201'],
      params: writes,
      requestBody: schema,
    });
  if (sub.verbs.includes('patch'))
    item.patch = operation({
      ...spec,
      action: 'patch',
      verb: 'patch',
      description: `partially update ${what}`,
      codes: ['200', '201'],
      params: [...writes, FORCE],
    });
  if (sub.verbs.includes('create'))
    item.post = operation({
      ...spec,
      action: 'post',
      verb: 'create',
      description: `create ${what}`,
      codes: ['200', '201', '202'],
      params: writes,
      requestBody: schema,
    });
  return Object.keys(item).length ? { ...item, parameters } : undefined;
}
