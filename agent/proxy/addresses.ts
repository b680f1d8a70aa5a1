/**
 * ClusterIPs on a real host: a ClusterIP outside 127.0.0.0/8 is added as a
 * /32 on the dummy interface `skube0` (as kube-proxy's IPVS mode does with
 * `kube-ipvs0`) so the proxy can bind it and the host — and pods through the
 * Docker bridge — route to it locally. Loopback ClusterIPs (local clusters)
 * need nothing: all of 127.0.0.0/8 is on `lo` already.
 */
import type { Logger } from '../../core/apiserver/types.ts';
import type { CommandRunner } from './exec.ts';

/** The dummy interface holding non-loopback ClusterIPs. */
export const DUMMY_INTERFACE = 'skube0';

/** Whether `ip` is a loopback address (bindable without adding it anywhere). */
export function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}

const prefixLength = (ip: string) => (ip.includes(':') ? 128 : 32);

/** Adds and removes ClusterIPs on {@link DUMMY_INTERFACE}. */
export class ClusterIpAddresses {
  private linkReady = false;
  private readonly held = new Set<string>();

  constructor(
    private readonly run: CommandRunner,
    private readonly logger: Logger,
    private readonly iface = DUMMY_INTERFACE,
  ) {}

  /**
   * Makes `ip` bindable: nothing for loopback, else the dummy interface
   * (created and set up once) gets `ip/32`. Idempotent; an address already
   * there is fine. Throws when `ip` fails for another reason.
   */
  async ensure(ip: string): Promise<void> {
    if (isLoopback(ip) || this.held.has(ip)) return;
    if (!this.linkReady) {
      const add = await this.run('ip', ['link', 'add', this.iface, 'type', 'dummy']);
      if (add.code !== 0 && !/exists/i.test(add.stderr))
        throw new Error(`ip link add ${this.iface}: ${add.stderr.trim()}`);
      const up = await this.run('ip', ['link', 'set', this.iface, 'up']);
      if (up.code !== 0) throw new Error(`ip link set ${this.iface} up: ${up.stderr.trim()}`);
      this.linkReady = true;
    }
    const r = await this.run('ip', ['addr', 'add', `${ip}/${prefixLength(ip)}`, 'dev', this.iface]);
    if (r.code !== 0 && !/exists/i.test(r.stderr)) throw new Error(`ip addr add ${ip}: ${r.stderr.trim()}`);
    this.held.add(ip);
  }

  /** Removes `ip` from the dummy interface when this proxy added it. Failures are logged, not thrown. */
  async release(ip: string): Promise<void> {
    if (!this.held.delete(ip)) return;
    const r = await this.run('ip', ['addr', 'del', `${ip}/${prefixLength(ip)}`, 'dev', this.iface]);
    if (r.code !== 0) this.logger.warn({ ip, err: r.stderr.trim() }, 'could not remove ClusterIP address');
  }
}
