/**
 * The API handler: one function from `ApiRequest` to `ApiResponse` that the
 * local HTTP server and the Lambda adapter both call. It logs one line per
 * request, authenticates, serves non-resource paths (health, version,
 * discovery, OpenAPI) and hands resource requests to the resource handler.
 */
import { forbidden, pathNotFound, StatusError, tooLarge, unauthorized } from '../errors/index.ts';
import type { Registry } from '../registry/registry.ts';
import type { Authenticator, Authorizer } from './auth.ts';
import type { PodConnector } from './connect.ts';
import {
  AGGREGATED_DISCOVERY_TYPE,
  aggregatedDiscovery,
  apiGroupList,
  apiResourceList,
  apiVersions,
  versionInfo,
  wantsAggregatedDiscovery,
} from './discovery.ts';
import { openApiGroupVersion, openApiIndex, openApiV2Protobuf } from './openapi/documents.ts';
import { parseRequestInfo } from './request-info.ts';
import { handleResource } from './resource-handler.ts';
import { errorResponse, json, text } from './responses.ts';
import {
  type ApiHandler,
  type ApiRequest,
  type ApiResponse,
  type Logger,
  MAX_BODY_BYTES,
  type UserInfo,
} from './types.ts';

/** Everything the API handler needs. */
export interface ApiHandlerDeps {
  registry: Registry;
  authenticators: Authenticator[];
  authorizer: Authorizer;
  logger: Logger;
  now: () => Date;
  /** Whether a garbage collector honours Orphan/Foreground deletion finalizers. */
  garbageCollector: boolean;
  /** `host:port` advertised in `/api`. */
  serverAddress: string;
  /** Returns whether the server is ready (store reachable, bootstrap done). */
  ready?: () => Promise<boolean>;
  /** Serves pods/log and pods/exec (the kubelets locally); without it they answer 503. */
  podConnector?: PodConnector;
}

const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);

/** Creates the API handler. The returned function never throws: failures become Status responses. */
export function createApiHandler(deps: ApiHandlerDeps): ApiHandler {
  return async (req) => {
    const started = performance.now();
    let user: UserInfo | undefined;
    let res: ApiResponse;
    try {
      if (req.body && req.body.length > MAX_BODY_BYTES) {
        throw tooLarge(`Request entity too large: limit is ${MAX_BODY_BYTES}`);
      }
      user = await authenticate(deps.authenticators, req);
      if (!user && !PUBLIC_PATHS.has(req.path)) throw unauthorized();
      res = await route(deps, req, user);
    } catch (e) {
      if (!(e instanceof StatusError)) deps.logger.error({ err: e, path: req.path }, 'unhandled error');
      res = errorResponse(e);
    }
    deps.logger.info(
      {
        verb: req.method,
        path: req.path,
        query: req.query.toString() || undefined,
        user: user?.name,
        status: res.status,
        ms: Math.round((performance.now() - started) * 100) / 100,
        streaming: res.stream ? true : undefined,
      },
      'request',
    );
    return res;
  };
}

async function authenticate(authenticators: Authenticator[], req: ApiRequest): Promise<UserInfo | undefined> {
  for (const a of authenticators) {
    const user = await a.authenticate(req);
    if (user) return user;
  }
  return undefined;
}

async function route(deps: ApiHandlerDeps, req: ApiRequest, user: UserInfo | undefined): Promise<ApiResponse> {
  const path = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
  switch (path) {
    case '/healthz':
    case '/livez':
      return text(200, 'ok');
    case '/readyz':
      return (await (deps.ready?.() ?? Promise.resolve(true))) ? text(200, 'ok') : text(503, 'not ready');
    case '/version':
      return json(200, versionInfo());
    case '/api':
      return wantsAggregatedDiscovery(req.headers.accept)
        ? json(200, aggregatedDiscovery(true), { 'content-type': AGGREGATED_DISCOVERY_TYPE })
        : json(200, apiVersions(deps.serverAddress));
    case '/apis':
      return wantsAggregatedDiscovery(req.headers.accept)
        ? json(200, aggregatedDiscovery(false), { 'content-type': AGGREGATED_DISCOVERY_TYPE })
        : json(200, apiGroupList());
    case '/openapi/v3':
      return json(200, openApiIndex());
    case '/openapi/v2':
      return {
        status: 200,
        headers: { 'content-type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf' },
        body: openApiV2Protobuf(),
      };
  }
  if (path.startsWith('/openapi/v3/')) {
    const doc = openApiGroupVersion(path.slice('/openapi/v3/'.length));
    if (!doc) throw pathNotFound();
    return json(200, doc, { 'cache-control': 'public, immutable' });
  }
  const discovery = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (discovery) {
    const list = discovery[1] ? apiResourceList('', discovery[1]) : apiResourceList(discovery[2], discovery[3]);
    if (!list) throw pathNotFound();
    return json(200, list);
  }
  const ri = parseRequestInfo(req.method, path, req.query);
  if (!ri.isResourceRequest || !user) throw pathNotFound();
  const decision = await deps.authorizer.authorize(user, ri, req);
  if (!decision.allowed) {
    const scope = ri.namespace ? `in the namespace "${ri.namespace}"` : 'at the cluster scope';
    const resource = ri.subresource ? `${ri.resource}/${ri.subresource}` : ri.resource;
    const why = decision.reason ? `: ${decision.reason}` : '';
    throw forbidden(
      { group: ri.group, resource: ri.resource },
      ri.name,
      `User "${user.name}" cannot ${ri.verb} resource "${resource}" in API group "${ri.group}" ${scope}${why}`,
    );
  }
  return handleResource(deps, { user, now: deps.now() }, req, ri);
}
