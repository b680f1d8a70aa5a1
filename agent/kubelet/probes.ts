/**
 * The probe workers of one pod: per running container, a timer per probe
 * (startup first; liveness and readiness only once started) that runs the
 * probe, folds the outcome into its state and wakes the pod worker when a
 * result flips. Results belong to one container id: a restarted container
 * starts over.
 */
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import type { KubeletContext } from './kubelet-context.ts';
import { runHandler } from './probe-runner.ts';
import {
  initialProbeState,
  nextProbeAt,
  type ProbeKind,
  type ProbeState,
  type ProbeTimings,
  probeTimings,
  recordProbe,
} from './probe-state.ts';
import type { RuntimeContainer } from './runtime.ts';

interface ProbeWorker {
  kind: ProbeKind;
  probe: Probe;
  timings: ProbeTimings;
  state: ProbeState;
  timer?: NodeJS.Timeout;
}

interface ContainerProbes {
  containerId: string;
  startedMs: number;
  workers: ProbeWorker[];
  stopped: boolean;
}

/** The probe workers of one pod. */
export class ProbeSet {
  private readonly byContainer = new Map<string, ContainerProbes>();

  constructor(
    private readonly ctx: KubeletContext,
    private readonly onChange: () => void,
  ) {}

  /** Starts probe workers for a running container unless they run already. Idempotent. */
  ensure(pod: Pod, c: Container, rc: RuntimeContainer, podIp: string): void {
    const existing = this.byContainer.get(c.name);
    if (existing?.containerId === rc.id) return;
    if (existing) this.stop(existing);
    const entry: ContainerProbes = {
      containerId: rc.id,
      startedMs: Date.parse(rc.startedAt ?? '') || this.ctx.now().getTime(),
      workers: [],
      stopped: false,
    };
    const add = (kind: ProbeKind, probe: Probe | undefined) => {
      if (probe)
        entry.workers.push({ kind, probe, timings: probeTimings(probe, kind), state: initialProbeState(kind) });
    };
    add('startup', c.startupProbe);
    add('liveness', c.livenessProbe);
    add('readiness', c.readinessProbe);
    this.byContainer.set(c.name, entry);
    for (const w of entry.workers) this.schedule(entry, w, c, podIp);
    void pod;
  }

  private started(entry: ContainerProbes): boolean {
    const s = entry.workers.find((w) => w.kind === 'startup');
    return !s || s.state.result === 'success';
  }

  private schedule(entry: ContainerProbes, w: ProbeWorker, c: Container, podIp: string): void {
    if (entry.stopped) return;
    const at = nextProbeAt(w.state, w.timings, entry.startedMs);
    const delay = Math.max(0, at - this.ctx.now().getTime());
    w.timer = setTimeout(async () => {
      if (entry.stopped) return;
      // Liveness and readiness wait for the startup probe; startup stops once it passed.
      const gated = w.kind !== 'startup' && !this.started(entry);
      const done = w.kind === 'startup' && w.state.result === 'success';
      if (!gated && !done) {
        const ok = await runHandler(
          w.probe,
          { runtime: this.ctx.runtime, containerId: entry.containerId, podIp, container: c },
          w.timings.timeoutMs,
        );
        if (entry.stopped) return;
        const before = w.state.result;
        w.state = recordProbe(w.state, w.timings, ok, this.ctx.now().getTime());
        if (!ok) this.ctx.logger.debug({ container: c.name, probe: w.kind }, 'probe failed');
        if (w.state.result !== before) this.onChange();
      } else {
        w.state = { ...w.state, lastRunMs: this.ctx.now().getTime() };
      }
      this.schedule(entry, w, c, podIp);
    }, delay);
  }

  /** Readiness and started of a running container (true when it has no such probe). */
  status(c: Container, containerId: string): { ready: boolean; started: boolean } {
    const entry = this.byContainer.get(c.name);
    if (!entry || entry.containerId !== containerId) {
      return { ready: !c.readinessProbe && !c.startupProbe, started: !c.startupProbe };
    }
    const started = this.started(entry);
    const r = entry.workers.find((w) => w.kind === 'readiness');
    return { started, ready: started && (!r || r.state.result === 'success') };
  }

  /** Whether the liveness or startup probe of this container attempt failed (it must be restarted). */
  shouldKill(name: string, containerId: string): boolean {
    const entry = this.byContainer.get(name);
    if (!entry || entry.containerId !== containerId) return false;
    return entry.workers.some((w) => (w.kind === 'liveness' || w.kind === 'startup') && w.state.result === 'failure');
  }

  /** Drops workers of containers whose id is not in `ids`. */
  retain(ids: Set<string>): void {
    for (const [name, entry] of this.byContainer) {
      if (!ids.has(entry.containerId)) {
        this.stop(entry);
        this.byContainer.delete(name);
      }
    }
  }

  private stop(entry: ContainerProbes): void {
    entry.stopped = true;
    for (const w of entry.workers) clearTimeout(w.timer);
  }

  /** Stops every worker. */
  stopAll(): void {
    for (const e of this.byContainer.values()) this.stop(e);
    this.byContainer.clear();
  }
}
