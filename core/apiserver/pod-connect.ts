/**
 * `pods/log` and `pods/exec`: the checks Kubernetes makes before it reaches
 * the kubelet (the pod exists, the container is one of its containers, the
 * pod is bound to a node with a kubelet, the container has logs to show or
 * the pod is not finished), with Kubernetes' messages, then the request is
 * handed to the `PodConnector`.
 */
import type { ContainerStatus, Node, Pod } from 'kubernetes-types/core/v1.js';
import { findResource } from '../api/resources.ts';
import { badRequest, serviceUnavailable } from '../errors/index.ts';
import { type ConnectTarget, kubeletEndpointOf, type PodConnector, parsePodLogOptions } from './connect.ts';
import type { ResourceRequestInfo } from './request-info.ts';
import type { ResourceHandlerDeps } from './resource-handler.ts';
import type { ApiRequest, ApiResponse } from './types.ts';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;

const containerNames = (pod: Pod) => (pod.spec?.containers ?? []).map((c) => c.name);
const initNames = (pod: Pod) => (pod.spec?.initContainers ?? []).map((c) => c.name);
const ephemeralNames = (pod: Pod) => (pod.spec?.ephemeralContainers ?? []).map((c) => c.name);

/**
 * The container a request names, defaulted when the pod has only one.
 * Throws 400 with Kubernetes' messages for a missing or unknown container.
 */
export function resolveContainer(pod: Pod, requested: string): string {
  const name = pod.metadata?.name ?? '';
  const all = [...containerNames(pod), ...initNames(pod), ...ephemeralNames(pod)];
  if (!requested) {
    if (containerNames(pod).length === 1 && all.length === 1) return containerNames(pod)[0];
    let message = `a container name must be specified for pod ${name}, choose one of: [${containerNames(pod).join(' ')}]`;
    if (initNames(pod).length) message += ` or one of the init containers: [${initNames(pod).join(' ')}]`;
    if (ephemeralNames(pod).length)
      message += ` or one of the ephemeral containers: [${ephemeralNames(pod).join(' ')}]`;
    throw badRequest(message);
  }
  if (!all.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
  return requested;
}

function statusOf(pod: Pod, container: string): ContainerStatus | undefined {
  const s = pod.status;
  return [
    ...(s?.initContainerStatuses ?? []),
    ...(s?.containerStatuses ?? []),
    ...(s?.ephemeralContainerStatuses ?? []),
  ].find((c) => c.name === container);
}

/**
 * Whether the container has the logs asked for, as the kubelet decides from
 * the container status. Throws 400 "previous terminated container … not found",
 * "… is waiting to start: <reason>" or "… is not available".
 */
export function checkLogStatus(pod: Pod, container: string, previous: boolean): void {
  const podName = pod.metadata?.name ?? '';
  const status = statusOf(pod, container);
  if (!status) throw badRequest(`container "${container}" in pod "${podName}" is not available`);
  if (previous) {
    if (!status.lastState?.terminated) {
      throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    }
    return;
  }
  if (status.state?.running || status.state?.terminated || status.lastState?.terminated) return;
  const reason = status.state?.waiting?.reason ?? 'ContainerCreating';
  throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${reason}`);
}

async function connectTarget(deps: ResourceHandlerDeps, pod: Pod, container: string): Promise<ConnectTarget> {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${pod.metadata?.name ?? ''} does not have a host assigned`);
  const node = (await deps.registry.get(NODES, '', nodeName)) as Node;
  return { pod, container, kubelet: kubeletEndpointOf(node) };
}

function connectorOf(deps: ResourceHandlerDeps, what: string): PodConnector {
  if (!deps.podConnector) throw serviceUnavailable(`${what} is not available on this API server`);
  return deps.podConnector;
}

/** GET pods/log: a text/plain stream of the container's log. */
export async function handlePodLog(
  deps: ResourceHandlerDeps,
  req: ApiRequest,
  ri: ResourceRequestInfo,
): Promise<ApiResponse> {
  const pod = (await deps.registry.get(PODS, ri.namespace, ri.name)) as Pod;
  const options = parsePodLogOptions(req.query);
  options.container = resolveContainer(pod, options.container);
  const connector = connectorOf(deps, 'pods/log');
  const target = await connectTarget(deps, pod, options.container);
  checkLogStatus(pod, options.container, options.previous);
  return connector.containerLogs(target, options, req.signal);
}

/** GET (WebSocket upgrade) pods/exec: an upgrade response the transport relays to the kubelet. */
export async function handlePodExec(
  deps: ResourceHandlerDeps,
  req: ApiRequest,
  ri: ResourceRequestInfo,
): Promise<ApiResponse> {
  const pod = (await deps.registry.get(PODS, ri.namespace, ri.name)) as Pod;
  const container = resolveContainer(pod, req.query.get('container') ?? '');
  const query = req.query;
  if (query.getAll('command').length === 0) throw badRequest('you must specify at least 1 command');
  if (!['stdin', 'stdout', 'stderr'].some((k) => query.get(k) === 'true' || query.get(k) === '1')) {
    throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  }
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') {
    throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  }
  // Checked here too (the kubelet checks again), so kubectl's SPDY fallback after a refused WebSocket shows it.
  if (!statusOf(pod, container)?.state?.running) throw badRequest(`container not found ("${container}")`);
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
    throw badRequest('Upgrade request required');
  }
  const connector = connectorOf(deps, 'pods/exec');
  return connector.exec(await connectTarget(deps, pod, container), query);
}
