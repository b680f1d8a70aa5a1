/**
 * The runtime steps of a pod worker: start the sandbox (pull the pause
 * image if missing, publish ports, call the pod network hook), start one
 * container attempt (image, env, volumes, termination-log file, create,
 * start) and stop one gracefully (preStop hook, SIGTERM, SIGKILL after the
 * grace period). Each throws on failure; callers turn errors into waiting
 * reasons.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigMap, Container, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../core/errors/index.ts';
import { containerRequest, pauseRequest } from './container-config.ts';
import { containerEnv, expandCommand, type ObjectLookup } from './env.ts';
import type { KubeletContext } from './kubelet-context.ts';
import { runHandler } from './probe-runner.ts';
import type { RuntimeContainer } from './runtime.ts';
import { containerBinds, planVolume, type VolumePlan } from './volumes.ts';
import { writeVolume } from './volume-writer.ts';

/** Kubernetes' default terminationMessagePath. */
export const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';

/** The directory of a pod on the node. */
export function podDir(ctx: KubeletContext, uid: string): string {
  return join(ctx.rootDir, 'pods', uid);
}

/** The host file behind a container attempt's terminationMessagePath. */
export function terminationLogPath(ctx: KubeletContext, uid: string, container: string, restartCount: number): string {
  return join(podDir(ctx, uid), 'containers', container, String(restartCount), 'termination-log');
}

/** Starts the pod's pause container and returns it running (with IP and published ports). */
export async function startSandbox(ctx: KubeletContext, pod: Pod): Promise<RuntimeContainer> {
  await ctx.ensureImage(pod, ctx.pauseImage, 'IfNotPresent');
  const hostEntries = ctx.serviceHooks?.serviceHostEntries(ctx.services(), pod.metadata!.namespace!) ?? [];
  const req = pauseRequest(pod, {
    nodeName: ctx.nodeName,
    nodeIp: ctx.nodeIp,
    image: ctx.pauseImage,
    command: ctx.pauseCommand,
    hostEntries,
  });
  const t0 = Date.now();
  const id = await ctx.runtime.create(req);
  const t1 = Date.now();
  await ctx.runtime.start(id);
  const t2 = Date.now();
  const info = await ctx.runtime.inspect(id);
  if (!info || info.state !== 'running')
    throw new Error(`sandbox of ${pod.metadata!.name} did not start: ${info?.error ?? 'gone'}`);
  if (ctx.podNetwork && info.pid) {
    await ctx.podNetwork.podStarted(`${pod.metadata!.namespace}/${pod.metadata!.name}`, info.pid);
  }
  ctx.logger.debug(
    { pod: pod.metadata!.name, createMs: t1 - t0, startMs: t2 - t1, networkMs: Date.now() - t2 },
    'sandbox started',
  );
  return info;
}

async function lookupFor(ctx: KubeletContext, pod: Pod): Promise<ObjectLookup> {
  const ns = encodeURIComponent(pod.metadata!.namespace!);
  const names = { configmaps: new Set<string>(), secrets: new Set<string>() };
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  for (const c of containers) {
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef?.name) names.configmaps.add(e.valueFrom.configMapKeyRef.name);
      if (e.valueFrom?.secretKeyRef?.name) names.secrets.add(e.valueFrom.secretKeyRef.name);
    }
    for (const f of c.envFrom ?? []) {
      if (f.configMapRef?.name) names.configmaps.add(f.configMapRef.name);
      if (f.secretRef?.name) names.secrets.add(f.secretRef.name);
    }
  }
  for (const v of pod.spec?.volumes ?? []) {
    if (v.configMap?.name) names.configmaps.add(v.configMap.name);
    if (v.secret?.secretName) names.secrets.add(v.secret.secretName);
  }
  const fetchAll = async <T>(resource: string, set: Set<string>) => {
    const out = new Map<string, T>();
    await Promise.all(
      [...set].map(async (name) => {
        try {
          out.set(name, await ctx.client.get<T>(`/api/v1/namespaces/${ns}/${resource}/${encodeURIComponent(name)}`));
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }),
    );
    return out;
  };
  const [cms, secrets] = await Promise.all([
    fetchAll<ConfigMap>('configmaps', names.configmaps),
    fetchAll<Secret>('secrets', names.secrets),
  ]);
  return { configMap: (n) => cms.get(n), secret: (n) => secrets.get(n) };
}

/** Starts one attempt of `c` in the sandbox `pauseId`; returns it as the runtime reports it after start. */
export async function startContainer(
  ctx: KubeletContext,
  pod: Pod,
  c: Container,
  o: { kind: 'init' | 'app'; restartCount: number; pauseId: string; podIp?: string },
): Promise<RuntimeContainer> {
  await ctx.ensureImage(pod, c.image ?? '', c.imagePullPolicy);
  const lookup = await lookupFor(ctx, pod);
  const envCtx = {
    pod,
    hostIp: ctx.nodeIp,
    podIp: o.podIp,
    nodeAllocatable: ctx.nodeAllocatable,
    serviceEnv: ctx.serviceHooks?.serviceEnvironment(
      ctx.services(),
      pod.metadata!.namespace!,
      pod.spec?.enableServiceLinks ?? true,
    ),
  };
  const env = containerEnv(c, envCtx, lookup);
  const plans = new Map<string, VolumePlan>();
  const dir = podDir(ctx, pod.metadata!.uid!);
  for (const v of pod.spec?.volumes ?? []) plans.set(v.name, planVolume(v, pod, dir, lookup, envCtx));
  const binds = containerBinds(c, plans);
  for (const m of c.volumeMounts ?? []) writeVolume(plans.get(m.name)!);
  const termLog = terminationLogPath(ctx, pod.metadata!.uid!, c.name, o.restartCount);
  mkdirSync(join(termLog, '..'), { recursive: true });
  writeFileSync(termLog, '');
  binds.push(`${termLog}:${c.terminationMessagePath || DEFAULT_TERMINATION_MESSAGE_PATH}`);
  const req = containerRequest(pod, c, {
    nodeName: ctx.nodeName,
    kind: o.kind,
    restartCount: o.restartCount,
    pauseId: o.pauseId,
    env,
    command: expandCommand(c.command, env),
    args: expandCommand(c.args, env),
    binds,
  });
  const t0 = Date.now();
  const id = await ctx.runtime.create(req);
  const t1 = Date.now();
  try {
    await ctx.runtime.start(id);
    ctx.logger.debug(
      { pod: pod.metadata!.name, container: c.name, createMs: t1 - t0, startMs: Date.now() - t1 },
      'container started',
    );
  } catch (e) {
    ctx.logger.info(
      { pod: pod.metadata!.name, container: c.name, err: (e as Error).message },
      'container failed to start',
    );
  }
  const info = await ctx.runtime.inspect(id);
  if (!info) throw new Error(`container ${c.name} vanished after start`);
  return info;
}

/**
 * Stops a running container gracefully: its preStop hook (bounded by the
 * grace period), then SIGTERM and SIGKILL once the remaining grace is over.
 */
export async function stopContainer(
  ctx: KubeletContext,
  pod: Pod | undefined,
  rc: RuntimeContainer,
  graceSeconds: number,
  spec?: Container,
): Promise<void> {
  const started = Date.now();
  const preStop = spec?.lifecycle?.preStop;
  if (preStop && graceSeconds > 0 && rc.state === 'running') {
    const podIp = (pod?.status?.podIP as string | undefined) ?? '';
    await runHandler(
      preStop,
      { runtime: ctx.runtime, containerId: rc.id, podIp, container: spec },
      graceSeconds * 1000,
    );
  }
  const left = Math.max(0, graceSeconds - (Date.now() - started) / 1000);
  await ctx.runtime.stop(rc.id, Math.ceil(left));
}
