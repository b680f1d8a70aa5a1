/**
 * Parses a request path into what it addresses, like Kubernetes'
 * `RequestInfoFactory`: a resource request (group, version, resource,
 * namespace, name, subresource, verb) or a non-resource path (discovery,
 * health, OpenAPI, version).
 */

/** A request for a resource, a collection or a subresource. */
export interface ResourceRequestInfo {
  isResourceRequest: true;
  /** Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection. */
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  /** '' for cluster-scoped resources and all-namespace lists. */
  namespace: string;
  name: string;
  /** Path segments after the subresource (unused by the served resources, kept for completeness). */
  parts: string[];
}

/** A request for anything that is not a resource (discovery, /version, /healthz, /openapi/...). */
export interface NonResourceRequestInfo {
  isResourceRequest: false;
  verb: string;
  path: string;
}

/** What a request addresses. */
export type RequestInfo = ResourceRequestInfo | NonResourceRequestInfo;

const METHOD_VERBS: Record<string, string> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1';
}

/**
 * Parses `method` + `path` + query into a RequestInfo. Never throws: paths it
 * cannot read as resources come back as non-resource requests.
 */
export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const verb = METHOD_VERBS[method.toUpperCase()] ?? method.toLowerCase();
  const segments = path
    .split('/')
    .filter((s) => s.length > 0)
    .map(decodeURIComponent);
  let rest: string[];
  let group = '';
  let version: string;
  if (segments[0] === 'api' && segments.length >= 3) {
    version = segments[1];
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    group = segments[1];
    version = segments[2];
    rest = segments.slice(3);
  } else {
    return { isResourceRequest: false, verb, path };
  }

  let namespace = '';
  // /namespaces/{ns}/{resource}... is namespaced; /namespaces/{name}[/status|finalize] is the namespace itself.
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    !(group === '' && rest.length === 3 && ['status', 'finalize'].includes(rest[2]))
  ) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name = '', subresource = '', ...parts] = rest;
  let resolvedVerb = verb;
  if (!name && !subresource) {
    if (verb === 'get') resolvedVerb = isTrue(query.get('watch')) ? 'watch' : 'list';
    if (verb === 'delete') resolvedVerb = 'deletecollection';
  } else if (verb === 'get' && isTrue(query.get('watch'))) {
    resolvedVerb = 'watch';
  }
  return {
    isResourceRequest: true,
    verb: resolvedVerb,
    group,
    version,
    resource,
    subresource,
    namespace,
    name,
    parts,
  };
}
