/**
 * The pod side of the kubelet: an informer over pods bound to this node
 * (fieldSelector spec.nodeName), one `PodWorker` per pod uid, runtime
 * events waking the worker of the container's pod, and periodic garbage
 * collection of orphaned and superseded containers. Only containers
 * labelled with this node's name are ever touched.
 */
import { readFileSync } from 'node:fs';
import type { Container, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../core/apiserver/types.ts';
import type { ApiClient } from '../../core/client/api-client.ts';
import { type Informer, startInformer } from '../../core/client/informer.ts';
import { isConflict, isNotFound } from '../../core/errors/index.ts';
import { planGarbage } from './gc.ts';
import { imagePuller } from './image-puller.ts';
import type { KubeletContext, PodNetworkHook, ServiceHooks } from './kubelet-context.ts';
import { PodWorker } from './pod-worker.ts';
import { LABELS, type ContainerRuntime, type RuntimeContainer } from './runtime.ts';
import { podDir, terminationLogPath } from './start-container.ts';
import { removePodDir } from './volume-writer.ts';

/** Kubernetes' limits on termination messages. */
const MAX_MESSAGE_BYTES = 4096;
const FALLBACK_LOG_LINES = 80;
const GC_INTERVAL_MS = 30_000;

/** Options of the kubelet's pod side. */
export interface KubeletOptions {
  client: ApiClient;
  runtime: ContainerRuntime;
  logger: Logger;
  nodeName: string;
  nodeIp: string;
  rootDir: string;
  pauseImage: string;
  pauseCommand?: string[];
  nodeAllocatable: KubeletContext['nodeAllocatable'];
  podNetwork?: PodNetworkHook;
  serviceHooks?: ServiceHooks;
  resyncMs?: number;
  gcIntervalMs?: number;
  now?: () => Date;
}

/** A running kubelet. */
export interface Kubelet {
  /** Resolves once the first pod list was handled and orphans collected. */
  synced: Promise<void>;
  /** Pod uids with a worker. */
  pods(): string[];
  /** Runs garbage collection now. */
  collectGarbage(): Promise<void>;
  /** Stops watching and timers; containers keep running (a restarted agent adopts them). */
  stop(): Promise<void>;
}

const podPath = (p: Pod) =>
  `/api/v1/namespaces/${encodeURIComponent(p.metadata!.namespace!)}/pods/${encodeURIComponent(p.metadata!.name!)}`;

/** Starts the pod side of the kubelet. */
export function startKubelet(opts: KubeletOptions): Kubelet {
  const { client, runtime, logger, nodeName } = opts;
  const now = opts.now ?? (() => new Date());
  let services: Informer<Service> | undefined;
  if (opts.serviceHooks)
    services = startInformer<Service>(client, '/api/v1/services', {
      onError: (e) => logger.debug({ err: String(e) }, 'service watch'),
    });
  const ensureImage = imagePuller(runtime, client);
  const ctx: KubeletContext = {
    runtime,
    client,
    logger,
    nodeName,
    nodeIp: opts.nodeIp,
    now,
    resyncMs: opts.resyncMs ?? 10_000,
    rootDir: opts.rootDir,
    pauseImage: opts.pauseImage,
    pauseCommand: opts.pauseCommand,
    nodeAllocatable: opts.nodeAllocatable,
    podNetwork: opts.podNetwork,
    serviceHooks: opts.serviceHooks,
    services: () => services?.list() ?? [],
    ensureImage,
    removePodDir: (uid) => removePodDir(podDir(ctx, uid)),
    async terminationMessages(pod: Pod, c: Container, attempts: RuntimeContainer[]) {
      const out: Record<string, string> = {};
      for (const a of attempts.slice(0, 2)) {
        if (a.state !== 'exited') continue;
        let text = '';
        try {
          text = readFileSync(
            terminationLogPath(ctx, pod.metadata!.uid!, c.name, Number(a.labels[LABELS.restartCount] ?? 0)),
            'utf8',
          );
        } catch {
          // No file: no message.
        }
        if (!text && c.terminationMessagePolicy === 'FallbackToLogsOnError' && a.exitCode !== 0) {
          text = await runtime.tailLogs(a.id, FALLBACK_LOG_LINES);
        }
        if (text) out[a.id] = Buffer.from(text).subarray(0, MAX_MESSAGE_BYTES).toString('utf8');
      }
      return out;
    },
    async deletePod(pod: Pod) {
      try {
        await client.delete(podPath(pod), { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata!.uid } });
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
    },
  };

  const workers = new Map<string, PodWorker>();
  const informer = startInformer<Pod>(client, '/api/v1/pods', {
    fieldSelector: `spec.nodeName=${nodeName}`,
    onError: (e) => logger.warn({ err: String(e) }, 'pod watch broke; relisting'),
  });
  let stopped = false;
  const workerFor = (pod: Pod): PodWorker => {
    const uid = pod.metadata!.uid!;
    let w = workers.get(uid);
    if (!w || w.isFinished) {
      // bench:pods reads this line to split startup latency into control plane and node time.
      logger.debug({ pod: `${pod.metadata!.namespace}/${pod.metadata!.name}`, uid }, 'pod added');
      w = new PodWorker(uid, pod, ctx);
      workers.set(uid, w);
      const created = w;
      void w.done.then(() => {
        if (workers.get(uid) === created) workers.delete(uid);
      });
    }
    return w;
  };
  informer.on((type, pod) => {
    if (stopped) return;
    const uid = pod.metadata?.uid;
    if (!uid) return;
    if (type === 'DELETED') {
      workers.get(uid)?.update(undefined);
      return;
    }
    if (pod.spec?.nodeName !== nodeName) return;
    workerFor(pod).update(pod);
  });
  const stopEvents = runtime.watchEvents({ [LABELS.node]: nodeName }, (ev) => {
    if (ev.action === 'die' || ev.action === 'oom' || ev.action === 'start' || ev.action.startsWith('health_status')) {
      workers.get(ev.labels[LABELS.podUid] ?? '')?.kick();
    }
  });

  const collectGarbage = async () => {
    const all = await runtime.list({ [LABELS.node]: nodeName });
    const live = new Set(informer.list().map((p) => p.metadata?.uid ?? ''));
    // Workers still terminating own their containers until they finish.
    const busy = new Set([...workers.entries()].filter(([, w]) => !w.isFinished && !w.current).map(([uid]) => uid));
    for (const uid of workers.keys()) live.add(uid);
    const plan = planGarbage(all, live, busy);
    for (const id of plan.orphans) {
      logger.info({ container: id.slice(0, 12) }, 'removing orphaned container');
      await runtime.stop(id, 0);
      await runtime.remove(id);
    }
    for (const id of plan.dead) await runtime.remove(id);
  };
  let gcTimer: NodeJS.Timeout | undefined;
  const synced = informer.synced.then(async () => {
    await collectGarbage().catch((e) => logger.warn({ err: String(e) }, 'garbage collection failed'));
    gcTimer = setInterval(() => {
      collectGarbage().catch((e) => logger.warn({ err: String(e) }, 'garbage collection failed'));
    }, opts.gcIntervalMs ?? GC_INTERVAL_MS);
  });

  return {
    synced,
    pods: () => [...workers.keys()],
    collectGarbage,
    async stop() {
      stopped = true;
      clearInterval(gcTimer);
      stopEvents();
      informer.stop();
      services?.stop();
      for (const w of workers.values()) w.shutdown();
    },
  };
}
