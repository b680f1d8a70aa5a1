/**
 * Finds the Docker container of (namespace, pod, container) on this node by
 * the labels the kubelet puts on every container it creates: the current
 * attempt (highest restart count, newest first) or, for `previous`, the one
 * before it. Only containers labelled with this node's name are considered.
 */
import type Docker from 'dockerode';
import { badRequest, notFound } from '../../core/errors/index.ts';

/** The labels the kubelet writes (see the agent contracts). */
export const LABELS = {
  namespace: 'io.kubernetes.pod.namespace',
  pod: 'io.kubernetes.pod.name',
  uid: 'io.kubernetes.pod.uid',
  container: 'io.kubernetes.container.name',
  restartCount: 'io.kubernetes.container.restartCount',
  node: 'io.skube.node',
} as const;

/** Which container to find. */
export interface ContainerQuery {
  nodeName: string;
  namespace: string;
  pod: string;
  container: string;
  /** Only containers of this pod UID, when given (a pod recreated under the same name). */
  podUid?: string;
  previous?: boolean;
}

/** A found container. */
export interface FoundContainer {
  id: string;
  running: boolean;
  restartCount: number;
}

/**
 * Looks the container up. Throws 404 NotFound when the pod has no such
 * container on this node, and 400 BadRequest (Kubernetes' wording) when
 * `previous` is asked for and there is no earlier attempt.
 */
export async function findContainer(docker: Docker, q: ContainerQuery): Promise<FoundContainer> {
  const label = [
    `${LABELS.node}=${q.nodeName}`,
    `${LABELS.namespace}=${q.namespace}`,
    `${LABELS.pod}=${q.pod}`,
    `${LABELS.container}=${q.container}`,
  ];
  if (q.podUid) label.push(`${LABELS.uid}=${q.podUid}`);
  const list = await docker.listContainers({ all: true, filters: { label } });
  const attempts = list
    .map((c) => ({
      id: c.Id,
      running: c.State === 'running',
      restartCount: Number(c.Labels?.[LABELS.restartCount] ?? 0) || 0,
      created: c.Created,
    }))
    .sort((a, b) => b.restartCount - a.restartCount || b.created - a.created);
  if (!q.previous) {
    const current = attempts[0];
    if (!current) throw notFound({ group: '', resource: 'containers' }, q.container);
    return { id: current.id, running: current.running, restartCount: current.restartCount };
  }
  const previous = attempts.find((a) => a.restartCount < (attempts[0]?.restartCount ?? 0)) ?? attempts[1];
  if (!previous) throw badRequest(`previous terminated container "${q.container}" in pod "${q.pod}" not found`);
  return { id: previous.id, running: previous.running, restartCount: previous.restartCount };
}
