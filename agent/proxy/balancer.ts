/**
 * Backend choice for one Service port: round-robin or random over ready
 * backends, ClientIP session affinity with a timeout, and a short penalty
 * for backends that just failed to connect. Pure apart from its injected
 * clock and random source; no I/O.
 */
import type { Backend, BalancingMode } from './plan.ts';

/** Options of a {@link Balancer}. */
export interface BalancerOptions {
  mode: BalancingMode;
  /** ClientIP affinity timeout in seconds; absent = no affinity. */
  affinitySeconds?: number;
  /** Milliseconds a failed backend is skipped for (default 10 s). */
  failurePenaltyMs?: number;
  /** Clock in milliseconds (default `Date.now`). */
  now?: () => number;
  /** Uniform [0, 1) (default `Math.random`). */
  random?: () => number;
}

/** A stable key of a backend. */
export const backendKey = (b: Backend) => `${b.ip}:${b.port}`;

/** Above this many affinity entries, expired ones are swept on the next pick. */
const AFFINITY_SWEEP_AT = 4096;

/**
 * Chooses backends for new connections. Not thread-safe by design (one per
 * Service port, used from the event loop).
 */
export class Balancer {
  private backends: Backend[] = [];
  private cursor = 0;
  private mode: BalancingMode;
  private affinityMs?: number;
  private readonly penaltyMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly failedUntil = new Map<string, number>();
  private readonly affinity = new Map<string, { key: string; last: number }>();

  constructor(backends: readonly Backend[], opts: BalancerOptions) {
    this.mode = opts.mode;
    this.affinityMs = opts.affinitySeconds === undefined ? undefined : opts.affinitySeconds * 1000;
    this.penaltyMs = opts.failurePenaltyMs ?? 10_000;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.update(backends, opts.mode, opts.affinitySeconds);
  }

  /** The current backends. */
  list(): readonly Backend[] {
    return this.backends;
  }

  /**
   * Replaces the backends and settings. Affinity and failure marks of
   * backends that remain are kept; those of removed backends are dropped.
   */
  update(backends: readonly Backend[], mode: BalancingMode, affinitySeconds?: number): void {
    this.backends = [...backends];
    this.mode = mode;
    const affinityMs = affinitySeconds === undefined ? undefined : affinitySeconds * 1000;
    if (affinityMs !== this.affinityMs) this.affinity.clear();
    this.affinityMs = affinityMs;
    const keys = new Set(this.backends.map(backendKey));
    for (const k of this.failedUntil.keys()) if (!keys.has(k)) this.failedUntil.delete(k);
    for (const [client, a] of this.affinity) if (!keys.has(a.key)) this.affinity.delete(client);
    if (this.cursor >= this.backends.length) this.cursor = 0;
  }

  /**
   * The backend for a new connection from `clientIp`, skipping `exclude`
   * (backends this connection already tried) and, while any other is left,
   * backends that failed recently. Undefined when no backend is left.
   */
  pick(clientIp?: string, exclude: ReadonlySet<string> = new Set()): Backend | undefined {
    const now = this.now();
    const candidates = this.backends.filter((b) => !exclude.has(backendKey(b)));
    if (!candidates.length) return undefined;
    const healthy = candidates.filter((b) => (this.failedUntil.get(backendKey(b)) ?? 0) <= now);
    const pool = healthy.length ? healthy : candidates;
    const poolKeys = new Set(pool.map(backendKey));
    if (this.affinityMs !== undefined && clientIp !== undefined) {
      if (this.affinity.size > AFFINITY_SWEEP_AT) this.sweep(now);
      const sticky = this.affinity.get(clientIp);
      if (sticky && now - sticky.last < this.affinityMs && poolKeys.has(sticky.key) && healthy.length) {
        sticky.last = now;
        return pool.find((b) => backendKey(b) === sticky.key);
      }
    }
    const chosen = this.mode === 'random' ? this.pickRandom(pool) : this.pickNext(poolKeys);
    if (chosen && this.affinityMs !== undefined && clientIp !== undefined) {
      this.affinity.set(clientIp, { key: backendKey(chosen), last: now });
    }
    return chosen;
  }

  /** Records that connecting to `backend` failed: it is skipped for a while and loses its sticky clients. */
  reportFailure(backend: Backend): void {
    const key = backendKey(backend);
    this.failedUntil.set(key, this.now() + this.penaltyMs);
    for (const [client, a] of this.affinity) if (a.key === key) this.affinity.delete(client);
  }

  /** Records that connecting to `backend` worked: any failure mark is cleared. */
  reportSuccess(backend: Backend): void {
    this.failedUntil.delete(backendKey(backend));
  }

  private pickNext(poolKeys: ReadonlySet<string>): Backend | undefined {
    const n = this.backends.length;
    for (let i = 0; i < n; i++) {
      const idx = (this.cursor + i) % n;
      const b = this.backends[idx] as Backend;
      if (poolKeys.has(backendKey(b))) {
        this.cursor = (idx + 1) % n;
        return b;
      }
    }
    return undefined;
  }

  private pickRandom(pool: readonly Backend[]): Backend | undefined {
    return pool[Math.min(pool.length - 1, Math.floor(this.random() * pool.length))];
  }

  private sweep(now: number): void {
    for (const [client, a] of this.affinity) {
      if (now - a.last >= (this.affinityMs ?? 0)) this.affinity.delete(client);
    }
  }
}
