/**
 * One pod's worker: a serialized, level-triggered sync that makes the
 * runtime match the pod spec — sandbox (pause container) first, init
 * containers in order to completion, then app containers, restarts under
 * the restart policy with CrashLoopBackOff, probes, active deadline — and
 * then writes the status if it changed. A pod that is deleted (or gone from
 * the API) is terminated gracefully and its API object finally removed.
 * Every sync re-reads the runtime by labels, so a restarted agent adopts
 * the containers it finds instead of starting new ones.
 */
import type { Container, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { backoffMessage, type BackoffState, nextRestart } from './backoff.ts';
import { ContainerConfigError } from './env.ts';
import type { KubeletContext } from './kubelet-context.ts';
import { computePodStatus, type ContainerView, statusChanged, type Waiting } from './pod-status.ts';
import { ProbeSet } from './probes.ts';
import { LABELS, POD_CONTAINER_NAME, type RuntimeContainer } from './runtime.ts';
import { startContainer, startSandbox, stopContainer } from './start-container.ts';
import { writePodStatus } from './status-writer.ts';

/** The annotation carrying the pod's published ports (see agent-contracts). */
export const PUBLISHED_PORTS_ANNOTATION = 'skube.io/published-ports';

const attemptOf = (c: RuntimeContainer) => Number(c.labels[LABELS.restartCount] ?? 0) || 0;

interface BackoffEntry {
  state: BackoffState;
  /** The exited container this entry was computed for. */
  exitedId: string;
  restartAtMs: number;
  delayMs: number;
}

/** A pod's worker. Call `update` on every informer change; it syncs in the background. */
export class PodWorker {
  private pod: Pod | undefined;
  private running = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly backoff = new Map<string, BackoffEntry>();
  private readonly waiting = new Map<string, Waiting>();
  private readonly probes: ProbeSet;
  private lastStatus: PodStatus | undefined;
  private lastPorts: string | undefined;
  private finished = false;
  /** Resolves when the pod is terminated and forgotten. */
  readonly done: Promise<void>;
  private markDone!: () => void;

  constructor(
    readonly uid: string,
    pod: Pod,
    private readonly ctx: KubeletContext,
  ) {
    this.pod = pod;
    this.done = new Promise((r) => (this.markDone = r));
    this.probes = new ProbeSet(ctx, () => this.kick());
  }

  /** The pod as last seen (undefined once it left the API). */
  get current(): Pod | undefined {
    return this.pod;
  }

  /** Whether the worker finished (the pod is gone and its containers removed). */
  get isFinished(): boolean {
    return this.finished;
  }

  /** New informer state of the pod (undefined: deleted from the API). */
  update(pod: Pod | undefined): void {
    this.pod = pod;
    this.kick();
  }

  /** Requests a sync soon. */
  kick(): void {
    if (this.finished) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    clearTimeout(this.timer);
    void this.loop();
  }

  /** Stops timers and probes (agent shutdown); containers keep running. */
  shutdown(): void {
    this.finished = true;
    clearTimeout(this.timer);
    this.probes.stopAll();
  }

  private async loop(): Promise<void> {
    let wakeMs: number | undefined;
    do {
      this.again = false;
      const started = Date.now();
      try {
        wakeMs = await this.sync();
        this.ctx.logger.debug({ pod: this.key(), durationMs: Date.now() - started }, 'pod sync');
      } catch (e) {
        this.ctx.logger.warn({ pod: this.key(), err: String((e as Error)?.message ?? e) }, 'pod sync failed');
        wakeMs = 2000;
      }
    } while (this.again && !this.finished);
    this.running = false;
    if (this.finished) return;
    // Periodic resync covers missed runtime events.
    const delay = Math.min(wakeMs ?? this.ctx.resyncMs, this.ctx.resyncMs);
    this.timer = setTimeout(() => this.kick(), Math.max(50, delay));
  }

  private key(): string {
    const m = this.pod?.metadata;
    return m ? `${m.namespace}/${m.name}` : this.uid;
  }

  /** One sync. Returns when it wants to run again (ms from now), if sooner than the resync. */
  private async sync(): Promise<number | undefined> {
    const { runtime } = this.ctx;
    const { containers, byName } = await this.listContainers();
    const pod = this.pod;
    if (!pod || pod.metadata?.deletionTimestamp) {
      await this.terminate(pod, containers);
      return undefined;
    }
    const spec = pod.spec!;
    const phase = (this.lastStatus ?? pod.status)?.phase;
    const terminal = phase === 'Succeeded' || phase === 'Failed';
    let pause = byName.get(POD_CONTAINER_NAME)?.[0];
    const now = this.ctx.now();
    let wake: number | undefined;
    const soon = (ms: number) => (wake = wake === undefined ? ms : Math.min(wake, ms));

    if (terminal) {
      // A finished pod keeps its containers (for logs) but nothing runs; report their final states.
      await this.stopAll(containers, 0);
      this.probes.stopAll();
      const after = await this.listContainers();
      const podIp = (this.lastStatus ?? pod.status)?.podIP;
      await this.reportStatus(pod, after.byName, podIp, false, undefined, false);
      return undefined;
    }
    if (!pause || pause.state !== 'running') {
      // A dead sandbox takes the pod's containers with it (they shared its namespaces).
      for (const c of containers) if (c.state === 'running') await stopContainer(this.ctx, pod, c, 0);
      if (pause) await runtime.remove(pause.id);
      pause = await startSandbox(this.ctx, pod);
      byName.set(POD_CONTAINER_NAME, [pause]);
      for (const [name, list] of byName)
        if (name !== POD_CONTAINER_NAME) for (const c of list) if (c.state === 'running') c.state = 'exited';
    }
    const podIp = pause.ip;
    const startTime = Date.parse((this.lastStatus ?? pod.status)?.startTime ?? '') || now.getTime();
    const deadlineExceeded =
      spec.activeDeadlineSeconds !== undefined && now.getTime() - startTime >= spec.activeDeadlineSeconds * 1000;
    if (deadlineExceeded) {
      await this.stopAll(
        containers.filter((c) => c.labels[LABELS.containerName] !== POD_CONTAINER_NAME),
        spec.terminationGracePeriodSeconds ?? 30,
      );
    } else if (spec.activeDeadlineSeconds !== undefined) {
      soon(startTime + spec.activeDeadlineSeconds * 1000 - now.getTime());
    }

    const policy = spec.restartPolicy ?? 'Always';
    let initDone = true;
    if (!deadlineExceeded) {
      for (const c of spec.initContainers ?? []) {
        const latest = byName.get(c.name)?.[0];
        if (latest?.state === 'exited' && latest.exitCode === 0) continue;
        initDone = false;
        if (latest?.state === 'running') break;
        if (latest?.state === 'exited' && policy === 'Never') break;
        const started = await this.startOrBackoff(pod, c, 'init', latest, pause.id, podIp, byName, soon);
        if (started) byName.set(c.name, [started, ...(byName.get(c.name) ?? [])]);
        break;
      }
    }
    if (initDone && !deadlineExceeded) {
      for (const c of spec.containers) {
        const latest = byName.get(c.name)?.[0];
        if (latest?.state === 'running') {
          this.probes.ensure(pod, c, latest, podIp ?? '');
          if (this.probes.shouldKill(c.name, latest.id)) {
            this.ctx.logger.info({ pod: this.key(), container: c.name }, 'liveness/startup probe failed: restarting');
            await stopContainer(this.ctx, pod, latest, spec.terminationGracePeriodSeconds ?? 30, c);
            const after = await runtime.inspect(latest.id);
            if (after) byName.get(c.name)![0] = after;
          } else continue;
        }
        const now2 = byName.get(c.name)?.[0];
        if (now2?.state === 'exited') {
          const restart = policy === 'Always' || (policy === 'OnFailure' && now2.exitCode !== 0);
          if (!restart) continue;
        }
        const started = await this.startOrBackoff(pod, c, 'app', now2, pause.id, podIp, byName, soon);
        if (started) {
          byName.set(c.name, [started, ...(byName.get(c.name) ?? [])]);
          this.probes.ensure(pod, c, started, podIp ?? '');
        }
      }
    }
    this.probes.retain(new Set(spec.containers.map((c) => byName.get(c.name)?.[0]?.id ?? '')));

    const status = await this.reportStatus(pod, byName, podIp, true, pause.publishedPorts ?? {}, deadlineExceeded);
    if (status.phase === 'Succeeded' || status.phase === 'Failed') this.kick();
    return wake;
  }

  /** The pod's containers by container name, newest attempt first. */
  private async listContainers(): Promise<{ containers: RuntimeContainer[]; byName: Map<string, RuntimeContainer[]> }> {
    const containers = await this.ctx.runtime.list({ [LABELS.podUid]: this.uid, [LABELS.node]: this.ctx.nodeName });
    const byName = new Map<string, RuntimeContainer[]>();
    for (const c of containers) {
      const name = c.labels[LABELS.containerName] ?? '';
      (byName.get(name) ?? byName.set(name, []).get(name)!).push(c);
    }
    for (const list of byName.values()) {
      list.sort((a, b) => attemptOf(b) - attemptOf(a) || b.createdAt.localeCompare(a.createdAt));
    }
    return { containers, byName };
  }

  /** Computes the status from the runtime's view and writes it if it changed. `ports` undefined leaves the annotation alone. */
  private async reportStatus(
    pod: Pod,
    byName: Map<string, RuntimeContainer[]>,
    podIp: string | undefined,
    sandboxReady: boolean,
    ports: Record<string, number> | undefined,
    deadlineExceeded: boolean,
  ): Promise<PodStatus> {
    const spec = pod.spec!;
    const now = this.ctx.now();
    const messages = new Map<string, Record<string, string>>();
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      messages.set(c.name, await this.ctx.terminationMessages(pod, c, byName.get(c.name) ?? []));
    }
    const view = (c: Container): ContainerView => {
      const attempts = byName.get(c.name) ?? [];
      const latest = attempts[0];
      const probe = latest?.state === 'running' ? this.probes.status(c, latest.id) : { ready: false, started: false };
      return {
        spec: c,
        attempts,
        waiting: this.waiting.get(c.name),
        ready: probe.ready,
        started: probe.started,
        messages: messages.get(c.name),
      };
    };
    const status = computePodStatus({
      pod: { ...pod, status: this.lastStatus ?? pod.status },
      hostIp: this.ctx.nodeIp,
      podIp,
      sandboxReady,
      init: (spec.initContainers ?? []).map(view),
      app: spec.containers.map(view),
      now,
      deadlineExceeded,
    });
    await this.writeStatus(pod, status, ports);
    return status;
  }

  /** Starts a new attempt of `c` unless its backoff holds it; records why it waits. */
  private async startOrBackoff(
    pod: Pod,
    c: Container,
    kind: 'init' | 'app',
    latest: RuntimeContainer | undefined,
    pauseId: string,
    podIp: string | undefined,
    byName: Map<string, RuntimeContainer[]>,
    soon: (ms: number) => void,
  ): Promise<RuntimeContainer | undefined> {
    const nowMs = this.ctx.now().getTime();
    if (latest?.state === 'exited') {
      let entry = this.backoff.get(c.name);
      if (!entry || entry.exitedId !== latest.id) {
        const started = Date.parse(latest.startedAt ?? latest.createdAt) || nowMs;
        const finished = Date.parse(latest.finishedAt ?? '') || nowMs;
        const r = nextRestart(entry?.state, started, finished);
        entry = { state: r.state, exitedId: latest.id, restartAtMs: r.restartAtMs, delayMs: r.restartAtMs - finished };
        this.backoff.set(c.name, entry);
      }
      if (nowMs < entry.restartAtMs) {
        const m = pod.metadata!;
        this.waiting.set(c.name, {
          reason: 'CrashLoopBackOff',
          message: backoffMessage(entry.delayMs, c.name, m.name!, m.namespace!, m.uid!),
        });
        soon(entry.restartAtMs - nowMs);
        return undefined;
      }
    } else if (latest?.state === 'created') {
      // Left over from an interrupted start.
      await this.ctx.runtime.remove(latest.id);
    }
    const restartCount = latest ? attemptOf(latest) + (latest.state === 'created' ? 0 : 1) : 0;
    try {
      const started = await startContainer(this.ctx, pod, c, { kind, restartCount, pauseId, podIp });
      this.waiting.delete(c.name);
      return started;
    } catch (e) {
      const reason =
        e instanceof ContainerConfigError
          ? 'CreateContainerConfigError'
          : ((e as { reason?: string }).reason ?? 'RunContainerError');
      this.waiting.set(c.name, { reason, message: (e as Error).message });
      soon(reason === 'CreateContainerConfigError' ? 2000 : 5000);
      void byName;
      return undefined;
    }
  }

  private async stopAll(containers: RuntimeContainer[], graceSeconds: number): Promise<void> {
    const pod = this.pod;
    const app = containers.filter(
      (c) => c.state === 'running' && c.labels[LABELS.containerName] !== POD_CONTAINER_NAME,
    );
    await Promise.all(
      app.map((c) => {
        const spec = pod?.spec?.containers.find((x) => x.name === c.labels[LABELS.containerName]);
        return stopContainer(this.ctx, pod, c, graceSeconds, spec);
      }),
    );
    for (const c of containers) {
      if (c.state === 'running' && c.labels[LABELS.containerName] === POD_CONTAINER_NAME) {
        await this.ctx.runtime.stop(c.id, 0);
        this.ctx.podNetwork?.podStopped(this.key());
      }
    }
  }

  /** Graceful termination of a deleted pod, then removal of its API object and containers. */
  private async terminate(pod: Pod | undefined, containers: RuntimeContainer[]): Promise<void> {
    this.probes.stopAll();
    const grace = pod ? (pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30) : 0;
    await this.stopAll(containers, grace);
    for (const c of containers) await this.ctx.runtime.remove(c.id);
    this.ctx.removePodDir(this.uid);
    if (pod) await this.ctx.deletePod(pod);
    this.finished = true;
    this.markDone();
  }

  private async writeStatus(pod: Pod, status: PodStatus, ports: Record<string, number> | undefined): Promise<void> {
    if (!ports) {
      if (!statusChanged(this.lastStatus ?? pod.status, status)) return;
      if (await writePodStatus(this.ctx.client, pod, status, {})) this.lastStatus = status;
      return;
    }
    const portsJson = JSON.stringify(ports);
    const current = pod.metadata?.annotations?.[PUBLISHED_PORTS_ANNOTATION];
    const portsChanged =
      (Object.keys(ports).length > 0 || current !== undefined) && current !== portsJson && this.lastPorts !== portsJson;
    if (!portsChanged && !statusChanged(this.lastStatus ?? pod.status, status)) return;
    const written = await writePodStatus(
      this.ctx.client,
      pod,
      status,
      Object.keys(ports).length ? { [PUBLISHED_PORTS_ANNOTATION]: portsJson } : {},
    );
    if (written) {
      this.lastStatus = status;
      this.lastPorts = portsJson;
    }
  }
}
