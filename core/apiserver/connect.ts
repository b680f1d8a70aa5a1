/**
 * The seam for "connect" subresources (`pods/log`, `pods/exec`): the API
 * handler checks the request against the pod (container, phase, node) and
 * hands it to a `PodConnector`, which reaches the pod's kubelet locally or
 * another log source elsewhere. Also Kubernetes' `PodLogOptions` parsing and
 * the kubelet endpoint of a Node, both pure and shared with the agent.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { badRequest, field, invalid } from '../errors/index.ts';
import type { ApiResponse } from './types.ts';

/** `PodLogOptions`, as `kubectl logs` sends them. */
export interface PodLogOptions {
  container: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  sinceSeconds?: number;
  /** Parsed `sinceTime` (RFC 3339). */
  sinceTime?: Date;
  tailLines?: number;
  limitBytes?: number;
}

/** Where a node's kubelet server listens (Node `status.addresses` + `daemonEndpoints.kubeletEndpoint.port`). */
export interface KubeletEndpoint {
  nodeName: string;
  host: string;
  port: number;
  /** SHA-256 (hex, lower case) of the kubelet's serving certificate, when the node published it. */
  certificateSha256?: string;
}

/** What a connect request is aimed at, once the handler has checked it. */
export interface ConnectTarget {
  pod: Pod;
  container: string;
  /** The kubelet of the pod's node; undefined when the Node has no kubelet endpoint. */
  kubelet?: KubeletEndpoint;
}

/** An upgrade the transport adapter should complete by relaying bytes to `url` (a kubelet's WebSocket endpoint). */
export interface UpgradeTarget {
  /** `https://host:port/exec/...?...` */
  url: string;
  certificateSha256?: string;
}

/**
 * Serves connect subresources for the API handler. `containerLogs` answers
 * with a streamed text/plain response (or a Status error); `exec` answers with
 * an `upgrade` response for the adapter to relay. Implementations throw
 * `StatusError`s for what Kubernetes reports as errors.
 */
export interface PodConnector {
  containerLogs(target: ConnectTarget, options: PodLogOptions, signal?: AbortSignal): Promise<ApiResponse>;
  exec(target: ConnectTarget, query: URLSearchParams): Promise<ApiResponse>;
}

/** The annotation a node may publish its kubelet serving certificate's SHA-256 in, for the API server to pin. */
export const KUBELET_CERT_ANNOTATION = 'skube.io/kubelet-serving-cert-sha256';
/** The ConfigMap (in kube-system) holding the SHA-256 of the token the API server presents to kubelets. */
export const KUBELET_CLIENT_CONFIGMAP = 'skube-kubelet-client';
/** Its data key. */
export const KUBELET_CLIENT_DIGEST_KEY = 'token-sha256';

const bool = (q: URLSearchParams, k: string) => q.get(k) === 'true' || q.get(k) === '1';

function integer(q: URLSearchParams, key: string, min: number, message: string) {
  const raw = q.get(key);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw badRequest(`invalid value for ${key}: ${raw}`);
  const n = Number(raw);
  if (n < min) throw invalid({ group: '', kind: 'PodLogOptions' }, '', [field.invalid(key, n, message)]);
  return n;
}

/**
 * Reads `PodLogOptions` from a query; `defaultContainer` fills `container`
 * when absent. Throws 400 for unreadable values and 422 Invalid for values
 * Kubernetes' validation refuses (sinceSeconds < 1, negative tailLines,
 * limitBytes < 1, both sinceSeconds and sinceTime).
 */
export function parsePodLogOptions(query: URLSearchParams, defaultContainer = ''): PodLogOptions {
  const sinceSeconds = integer(query, 'sinceSeconds', 1, 'must be greater than 0');
  const tailLines = integer(query, 'tailLines', 0, 'must be greater than or equal to 0');
  const limitBytes = integer(query, 'limitBytes', 1, 'must be greater than 0');
  const rawTime = query.get('sinceTime');
  let sinceTime: Date | undefined;
  if (rawTime) {
    sinceTime = new Date(rawTime);
    if (Number.isNaN(sinceTime.getTime()) || !/^\d{4}-\d\d-\d\dT/.test(rawTime)) {
      throw badRequest(`invalid value for sinceTime: ${rawTime}`);
    }
  }
  if (sinceSeconds !== undefined && sinceTime) {
    throw invalid({ group: '', kind: 'PodLogOptions' }, '', [
      field.forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'),
    ]);
  }
  return {
    container: query.get('container') || defaultContainer,
    follow: bool(query, 'follow'),
    previous: bool(query, 'previous'),
    timestamps: bool(query, 'timestamps'),
    sinceSeconds,
    sinceTime,
    tailLines,
    limitBytes,
  };
}

/** Writes `options` back into a query (what the API server sends the kubelet). */
export function podLogQuery(options: PodLogOptions): URLSearchParams {
  const q = new URLSearchParams();
  if (options.follow) q.set('follow', 'true');
  if (options.previous) q.set('previous', 'true');
  if (options.timestamps) q.set('timestamps', 'true');
  if (options.sinceSeconds !== undefined) q.set('sinceSeconds', String(options.sinceSeconds));
  if (options.sinceTime) q.set('sinceTime', options.sinceTime.toISOString());
  if (options.tailLines !== undefined) q.set('tailLines', String(options.tailLines));
  if (options.limitBytes !== undefined) q.set('limitBytes', String(options.limitBytes));
  return q;
}

/** The kubelet endpoint of a Node: its InternalIP (else Hostname/ExternalIP) and kubelet port; undefined without them. */
export function kubeletEndpointOf(node: Node): KubeletEndpoint | undefined {
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  const addresses = node.status?.addresses ?? [];
  const host = ['InternalIP', 'Hostname', 'ExternalIP']
    .map((type) => addresses.find((a) => a.type === type)?.address)
    .find((a) => !!a);
  if (!port || !host || !node.metadata?.name) return undefined;
  const pin = node.metadata.annotations?.[KUBELET_CERT_ANNOTATION]?.toLowerCase();
  return { nodeName: node.metadata.name, host, port, certificateSha256: pin || undefined };
}
