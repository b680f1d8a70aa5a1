/**
 * A UDP listener of the userspace proxy: every client address (ip:port) gets
 * a session — a socket connected to a backend chosen by the balancer — that
 * carries its datagrams both ways and closes after an idle timeout, as
 * kube-proxy's userspace mode does. A backend answering with ICMP port
 * unreachable fails its session and is marked for the balancer.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from '../../core/apiserver/types.ts';
import { backendKey, type Balancer } from './balancer.ts';
import type { RunningListener } from './tcp-proxy.ts';

/** Options of a UDP listener. */
export interface UdpListenerOptions {
  host: string;
  port: number;
  balancer: Balancer;
  /** Milliseconds a session lives without traffic (default 60 s). */
  sessionIdleMs?: number;
  logger: Logger;
  label: string;
}

interface Session {
  upstream: Socket;
  timer: NodeJS.Timeout;
  /** Datagrams that arrived before the upstream socket finished connecting; undefined once connected. */
  queued?: Buffer[];
}

/** Binds `host:port` (UDP) and forwards datagrams. Rejects with the bind error when the address cannot be bound. */
export async function listenUdp(opts: UdpListenerOptions): Promise<RunningListener> {
  const type = isIPv6(opts.host) ? 'udp6' : 'udp4';
  const server = createSocket({ type, reuseAddr: false });
  const sessions = new Map<string, Session>();
  const idleMs = opts.sessionIdleMs ?? 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.bind({ address: opts.host, port: opts.port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => opts.logger.warn({ listener: opts.label, err: String(e) }, 'proxy listener error'));

  const end = (key: string) => {
    const s = sessions.get(key);
    if (!s) return;
    sessions.delete(key);
    clearTimeout(s.timer);
    try {
      s.upstream.close();
    } catch {
      // Already closed.
    }
  };
  const touch = (key: string, s: Session) => {
    clearTimeout(s.timer);
    s.timer = setTimeout(() => end(key), idleMs);
    s.timer.unref();
  };

  server.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}|${rinfo.port}`;
    const existing = sessions.get(key);
    if (existing) {
      touch(key, existing);
      if (existing.queued) existing.queued.push(msg);
      else existing.upstream.send(msg);
      return;
    }
    const backend = opts.balancer.pick(rinfo.address);
    if (!backend) return;
    const upstream = createSocket(isIPv6(backend.ip) ? 'udp6' : 'udp4');
    const session: Session = { upstream, timer: setTimeout(() => end(key), idleMs), queued: [msg] };
    session.timer.unref();
    sessions.set(key, session);
    upstream.on('error', (e) => {
      // ECONNREFUSED on a connected UDP socket is the backend's ICMP port unreachable.
      opts.balancer.reportFailure(backend);
      opts.logger.debug({ listener: opts.label, backend: backendKey(backend), err: String(e) }, 'udp backend failed');
      end(key);
    });
    upstream.on('message', (reply) => {
      const s = sessions.get(key);
      if (s) touch(key, s);
      opts.balancer.reportSuccess(backend);
      server.send(reply, rinfo.port, rinfo.address);
    });
    upstream.connect(backend.port, backend.ip, () => {
      const queued = session.queued ?? [];
      session.queued = undefined;
      for (const m of queued) upstream.send(m);
    });
  });

  let closed: Promise<void> | undefined;
  return {
    port: server.address().port,
    active: () => sessions.size,
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const key of [...sessions.keys()]) end(key);
        server.close(() => resolve());
      });
      return closed;
    },
  };
}
