/**
 * The local HTTP(S) adapter: turns Node requests into `ApiRequest`s for the
 * API handler and writes `ApiResponse`s back, flushing each chunk of a
 * streamed response (watches, `pods/log -f`) as it comes. Upgrade requests
 * (`pods/exec` over WebSocket) go through the handler too: an `upgrade`
 * answer is handed to `relayUpgrade`, anything else is written on the raw
 * socket, which is then closed.
 */
import { STATUS_CODES, createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { UpgradeTarget } from '../core/apiserver/connect.ts';
import { type ApiHandler, type ApiRequest, type ApiResponse, MAX_BODY_BYTES } from '../core/apiserver/types.ts';
import type { TlsMaterial } from './tls.ts';

/** A running API server. */
export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Reads a body up to `limit` + 1 bytes (enough for the handler to answer 413) without buffering more. */
function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      if (size > limit) return;
      size += c.length;
      chunks.push(c);
      if (size > limit) {
        req.pause();
        resolve(Buffer.concat(chunks));
      }
    });
    req.on('end', () => resolve(size ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}

/** Completes an `upgrade` answer on the client's socket (the local cluster relays it to a kubelet). */
export type UpgradeRelay = (target: UpgradeTarget, req: IncomingMessage, socket: Duplex, head: Buffer) => void;

function apiRequest(req: IncomingMessage, body: Uint8Array | undefined, signal: AbortSignal): ApiRequest {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers, body, signal };
}

async function serveUpgrade(
  handler: ApiHandler,
  relay: UpgradeRelay | undefined,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  const abort = new AbortController();
  socket.on('close', () => abort.abort());
  socket.on('error', () => socket.destroy());
  const out: ApiResponse = await handler(apiRequest(req, undefined, abort.signal));
  if (out.upgrade && relay) return relay(out.upgrade, req, socket, head);
  const status = out.upgrade ? 501 : out.status;
  const body = out.upgrade
    ? ''
    : typeof out.body === 'string'
      ? out.body
      : Buffer.from(out.body ?? '').toString('utf8');
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`];
  for (const [k, v] of Object.entries(out.headers)) lines.push(`${k}: ${v}`);
  lines.push(`content-length: ${Buffer.byteLength(body)}`, 'connection: close');
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/** Resolves when `res` can take more (or is gone). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function serve(handler: ApiHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const body = await readBody(req, MAX_BODY_BYTES);
  const out = await handler(apiRequest(req, body, abort.signal));
  if (body && body.length > MAX_BODY_BYTES) out.headers.connection = 'close';
  if (!out.stream) {
    res.writeHead(out.status, out.headers);
    res.end(req.method === 'HEAD' ? undefined : out.body);
    return;
  }
  res.writeHead(out.status, { ...out.headers, 'transfer-encoding': 'chunked' });
  res.flushHeaders();
  req.socket.setNoDelay(true);
  const it = out.stream[Symbol.asyncIterator]();
  abort.signal.addEventListener('abort', () => void it.return?.());
  try {
    for (;;) {
      const { value, done } = await it.next();
      if (done || res.destroyed) break;
      // Backpressure: wait for a slow client (a large pods/log) before pulling more.
      if (!res.write(value)) await drained(res);
    }
  } finally {
    await it.return?.();
    res.end();
  }
}

/** Starts serving `handler` on host:port (port 0 picks one); HTTPS when TLS material is given. */
export function startServer(
  handler: ApiHandler,
  opts: { host: string; port: number; tls?: TlsMaterial; relayUpgrade?: UpgradeRelay },
): Promise<RunningServer> {
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    serve(handler, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end();
    });
  };
  const server = opts.tls
    ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, listener)
    : createHttpServer(listener);
  server.keepAliveTimeout = 65_000;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    serveUpgrade(handler, opts.relayUpgrade, req, socket, head).catch(() => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      const port = (server.address() as AddressInfo).port;
      const scheme = opts.tls ? 'https' : 'http';
      resolve({
        url: `${scheme}://${opts.host}:${port}`,
        port,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
