/** Loopback backends and clients for the proxy's socket tests. */
import { createSocket } from 'node:dgram';
import { createConnection, createServer, type Socket } from 'node:net';

/** A TCP backend on 127.0.0.1 that greets every connection with `<id>\n` and then echoes. */
export async function tcpBackend(id: string) {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.write(`${id}\n`);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    id,
    backend: { ip: '127.0.0.1', port },
    connections: () => sockets.size,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A UDP backend on 127.0.0.1 answering every datagram with `<id>:<datagram>`. */
export async function udpBackend(id: string) {
  const sock = createSocket('udp4');
  sock.on('message', (m, r) => sock.send(`${id}:${m}`, r.port, r.address));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return {
    id,
    backend: { ip: '127.0.0.1', port: sock.address().port },
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}

/** A port on 127.0.0.1 with nothing listening (connects are refused). */
export async function deadBackend() {
  const b = await tcpBackend('dead');
  await b.close();
  return b.backend;
}

/** An open TCP connection that has read the backend's greeting. */
export interface Conn {
  greeting: string;
  socket: Socket;
  /** Sends `text` and waits for its echo. */
  echo(text: string): Promise<string>;
}

/** Connects to `host:port` (from `localAddress` when given) and reads the greeting line. */
export function connect(host: string, port: number, localAddress?: string): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port, ...(localAddress ? { localAddress } : {}) });
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      socket.off('data', onData);
      const greeting = buf.slice(0, nl);
      resolve({
        greeting,
        socket,
        echo: (text) =>
          new Promise((res, rej) => {
            let got = '';
            const on = (d: Buffer) => {
              got += d.toString();
              if (got.length >= text.length) {
                socket.off('data', on);
                res(got);
              }
            };
            socket.on('data', on);
            socket.once('error', rej);
            socket.write(text);
          }),
      });
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`closed before greeting (${buf})`)));
  });
}

/** Connects, reads the greeting and closes: which backend served this connection. */
export async function whoAnswers(host: string, port: number, localAddress?: string): Promise<string> {
  const c = await connect(host, port, localAddress);
  c.socket.destroy();
  return c.greeting;
}

/** Sends `text` over UDP from a fresh socket (a new session) and resolves with the answer. */
export function udpAsk(host: string, port: number, text: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error('udp timeout'));
    }, timeoutMs);
    sock.on('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(m.toString());
    });
    sock.send(text, port, host);
  });
}

/** A random address in 127.0.0.0/8 unlikely to be used by anyone else, for a ClusterIP. */
export function randomLoopbackIp(): string {
  const r = () => 1 + Math.floor(Math.random() * 250);
  return `127.${200 + Math.floor(Math.random() * 50)}.${r()}.${r()}`;
}
