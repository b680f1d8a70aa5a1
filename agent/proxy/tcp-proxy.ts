/**
 * A TCP listener of the userspace proxy: accepts a connection, connects to
 * a backend chosen by the Service port's balancer (trying the next one when
 * a connect fails, which also marks the failed backend for the balancer),
 * and splices the two sockets until either side is done.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../core/apiserver/types.ts';
import { backendKey, type Balancer } from './balancer.ts';

/** A socket the proxy listens on. */
export interface RunningListener {
  /** The port bound (the requested one, or the one the kernel chose for 0). */
  readonly port: number;
  /** Connections (TCP) or sessions (UDP) open now. */
  active(): number;
  /** Stops listening and closes every connection or session it holds. Idempotent. */
  close(): Promise<void>;
}

/** Options of a TCP listener. */
export interface TcpListenerOptions {
  host: string;
  port: number;
  /** The balancer of the Service port; read on every connection, so updates apply to the next one. */
  balancer: Balancer;
  /** Milliseconds to wait for a backend to accept (default 3 s). */
  connectTimeoutMs?: number;
  /** Backends tried per connection at most (default 3). */
  maxAttempts?: number;
  logger: Logger;
  /** Names the listener in logs. */
  label: string;
}

/**
 * Binds `host:port` and forwards every connection. Rejects with the bind
 * error (EADDRINUSE, EADDRNOTAVAIL, …) when the address cannot be bound.
 */
export async function listenTcp(opts: TcpListenerOptions): Promise<RunningListener> {
  const connections = new Set<Socket>();
  const upstreams = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (client) =>
    handle(client, opts, connections, upstreams),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: opts.host, port: opts.port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => opts.logger.warn({ listener: opts.label, err: String(e) }, 'proxy listener error'));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  let closed: Promise<void> | undefined;
  return {
    port,
    active: () => connections.size,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of [...connections, ...upstreams]) c.destroy();
      });
      return closed;
    },
  };
}

function handle(client: Socket, opts: TcpListenerOptions, connections: Set<Socket>, upstreams: Set<Socket>): void {
  connections.add(client);
  client.on('close', () => connections.delete(client));
  client.on('error', () => client.destroy());
  const tried = new Set<string>();
  const maxAttempts = opts.maxAttempts ?? 3;
  const attempt = () => {
    if (client.destroyed) return;
    const backend = tried.size < maxAttempts ? opts.balancer.pick(client.remoteAddress, tried) : undefined;
    if (!backend) {
      opts.logger.debug({ listener: opts.label, tried: [...tried] }, 'no backend for connection');
      client.resetAndDestroy();
      return;
    }
    tried.add(backendKey(backend));
    const upstream = createConnection({ host: backend.ip, port: backend.port, noDelay: true, allowHalfOpen: true });
    upstream.setTimeout(opts.connectTimeoutMs ?? 3000);
    let connected = false;
    const fail = (why: string) => {
      upstream.destroy();
      if (connected) {
        client.destroy();
        return;
      }
      opts.balancer.reportFailure(backend);
      opts.logger.debug({ listener: opts.label, backend: backendKey(backend), why }, 'backend connect failed');
      attempt();
    };
    upstream.once('timeout', () => fail('timeout'));
    upstream.on('error', (e) => fail(String(e)));
    upstream.once('connect', () => {
      connected = true;
      if (client.destroyed) {
        upstream.destroy();
        return;
      }
      upstream.setTimeout(0);
      opts.balancer.reportSuccess(backend);
      upstreams.add(upstream);
      upstream.on('close', () => {
        upstreams.delete(upstream);
        if (!client.destroyed && client.writableEnded) client.destroy();
      });
      client.on('close', () => upstream.destroy());
      splice(client, upstream);
      splice(upstream, client);
      client.resume();
    });
  };
  attempt();
}

/**
 * Copies `from` into `to` with backpressure and half-close (an ended `from`
 * ends `to`). Leaner than `pipe()` per chunk, which shows at tens of
 * thousands of small requests per second.
 */
function splice(from: Socket, to: Socket): void {
  const resume = () => from.resume();
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', resume);
    }
  });
  from.once('end', () => to.end());
}
