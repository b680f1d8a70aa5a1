/**
 * The local HTTP(S) adapter: turns Node requests into `ApiRequest`s for the
 * API handler and writes `ApiResponse`s back, flushing each chunk of a
 * streamed response (watches) as it comes.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type ApiHandler, type ApiRequest, MAX_BODY_BYTES } from '../core/apiserver/types.ts';
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

async function serve(handler: ApiHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const body = await readBody(req, MAX_BODY_BYTES);
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const apiReq: ApiRequest = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers,
    body,
    signal: abort.signal,
  };
  const out = await handler(apiReq);
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
      res.write(value);
    }
  } finally {
    await it.return?.();
    res.end();
  }
}

/** Starts serving `handler` on host:port (port 0 picks one); HTTPS when TLS material is given. */
export function startServer(
  handler: ApiHandler,
  opts: { host: string; port: number; tls?: TlsMaterial },
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
