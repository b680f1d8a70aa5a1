/**
 * Image pulls for the kubelet: applies the pull policy, finds credentials
 * in the pod's imagePullSecrets, deduplicates concurrent pulls of one image
 * and holds failed images back (ImagePullBackOff, 10 s doubling to 5 min).
 */
import type { Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { ApiClient } from '../../core/client/api-client.ts';
import { INITIAL_BACKOFF_MS, MAX_BACKOFF_MS } from './backoff.ts';
import { decidePull, pullAuthFor } from './pull-policy.ts';
import type { ContainerRuntime } from './runtime.ts';

/** An image pull failure with the waiting reason Kubernetes reports. */
export class ImagePullError extends Error {
  constructor(
    readonly reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull',
    message: string,
  ) {
    super(message);
  }
}

/** Creates the `ensureImage` function of the kubelet context. */
export function imagePuller(runtime: ContainerRuntime, client: ApiClient, now: () => number = Date.now) {
  const inflight = new Map<string, Promise<void>>();
  const failures = new Map<string, { untilMs: number; delayMs: number; message: string }>();
  return async function ensureImage(pod: Pod, image: string, policy: string | undefined): Promise<void> {
    const present = (await runtime.imageId(image)) !== undefined;
    const decision = decidePull(image, policy, present);
    if (decision === 'use-local') return;
    if (decision === 'never-pull-missing') {
      throw new ImagePullError(
        'ErrImageNeverPull',
        `Container image "${image}" is not present with pull policy of Never`,
      );
    }
    const failed = failures.get(image);
    if (failed && now() < failed.untilMs) {
      throw new ImagePullError('ImagePullBackOff', `Back-off pulling image "${image}": ${failed.message}`);
    }
    let pull = inflight.get(image);
    if (!pull) {
      pull = (async () => {
        const secrets: Secret[] = [];
        for (const ref of pod.spec?.imagePullSecrets ?? []) {
          try {
            secrets.push(
              await client.get<Secret>(
                `/api/v1/namespaces/${encodeURIComponent(pod.metadata!.namespace!)}/secrets/${encodeURIComponent(ref.name ?? '')}`,
              ),
            );
          } catch {
            // A missing pull secret is skipped, as the kubelet does (with a warning event).
          }
        }
        await runtime.pull(image, pullAuthFor(image, secrets));
      })().finally(() => inflight.delete(image));
      inflight.set(image, pull);
    }
    try {
      await pull;
      failures.delete(image);
    } catch (e) {
      const message = (e as Error).message;
      const delayMs = failed ? Math.min(failed.delayMs * 2, MAX_BACKOFF_MS) : INITIAL_BACKOFF_MS;
      failures.set(image, { untilMs: now() + delayMs, delayMs, message });
      throw new ImagePullError('ErrImagePull', `failed to pull image "${image}": ${message}`);
    }
  };
}
