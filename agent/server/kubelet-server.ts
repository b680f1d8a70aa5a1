/**
 * The kubelet server: HTTPS on the node IP with a self-signed certificate
 * made at start (its SHA-256 is returned so the node can publish it for the
 * API server to pin), serving only the API server (see `auth.ts`):
 * `GET /containerLogs/<ns>/<pod>/<container>` (PodLogOptions in the query,
 * plus `podUID`) and the WebSocket `GET /exec/<ns>/<pod>/<container>`
 * (`command`, `stdin`, `stdout`, `stderr`, `tty`; subprotocol
 * `v5.channel.k8s.io`, else `v4.channel.k8s.io`). Errors are Status JSON.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type Docker from 'dockerode';
import { generate } from 'selfsigned';
import { WebSocketServer } from 'ws';
import { parsePodLogOptions } from '../../core/apiserver/connect.ts';
import type { Logger } from '../../core/apiserver/types.ts';
import { badRequest, pathNotFound, StatusError, unauthorized } from '../../core/errors/index.ts';
import type { KubeletAuthenticator } from './auth.ts';
import { chooseProtocol } from './channel-protocol.ts';
import { openContainerLogs } from './container-logs.ts';
import { type ContainerQuery, findContainer } from './containers.ts';
import { parseExecQuery, runExecSession } from './exec-session.ts';

/** Options of `startKubeletServer`. */
export interface KubeletServerOptions {
  /** The address to listen on (the node IP). */
  nodeIp: string;
  /** 0 picks a free port. */
  port: number;
  docker: Docker;
  nodeName: string;
  /** Decides whether a request is the API server's; when absent every request is refused (401). */
  authenticate?: KubeletAuthenticator;
  /** Where failed requests are logged (path and Status; never headers). */
  logger?: Logger;
}

/** A running kubelet server. */
export interface KubeletServer {
  port: number;
  /** SHA-256 (hex) of the DER serving certificate, for `skube.io/kubelet-serving-cert-sha256`. */
  certificateSha256: string;
  /** PEM of the serving certificate. */
  certificate: string;
  close(): Promise<void>;
}

const statusBody = (e: StatusError) => JSON.stringify(e.status);

function errorOf(e: unknown): StatusError {
  if (e instanceof StatusError) return e;
  return new StatusError({
    code: 500,
    reason: 'InternalError',
    message: `Internal error occurred: ${(e as Error).message}`,
  });
}

/** Splits `/containerLogs/ns/pod/container` or `/exec/ns/pod[/uid]/container`. */
function route(pathname: string): { kind: 'logs' | 'exec'; query: Omit<ContainerQuery, 'nodeName'> } | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'containerLogs' && parts.length === 4) {
    return { kind: 'logs', query: { namespace: parts[1], pod: parts[2], container: parts[3] } };
  }
  if (parts[0] === 'exec' && (parts.length === 4 || parts.length === 5)) {
    const [, namespace, pod] = parts;
    return {
      kind: 'exec',
      query: { namespace, pod, container: parts[parts.length - 1], podUid: parts.length === 5 ? parts[3] : undefined },
    };
  }
  return undefined;
}

const authenticated = async (opts: KubeletServerOptions, req: IncomingMessage) =>
  opts.authenticate ? opts.authenticate(req.headers).catch(() => false) : false;

function logFailure(opts: KubeletServerOptions, req: IncomingMessage, err: StatusError): void {
  const path = (req.url ?? '').split('?')[0];
  opts.logger?.warn(
    { path, code: err.code, reason: err.reason, message: err.message },
    'kubelet server request failed',
  );
}

async function serveLogs(opts: KubeletServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://kubelet');
  const r = route(url.pathname);
  if (!r || r.kind !== 'logs' || req.method !== 'GET') throw pathNotFound();
  if (!(await authenticated(opts, req))) throw unauthorized();
  const options = parsePodLogOptions(url.searchParams, r.query.container);
  const found = await findContainer(opts.docker, {
    ...r.query,
    nodeName: opts.nodeName,
    podUid: url.searchParams.get('podUID') || undefined,
    previous: options.previous,
  });
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const stream = await openContainerLogs(opts.docker, found.id, options, abort.signal);
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'transfer-encoding': 'chunked' });
  res.flushHeaders();
  req.socket.setNoDelay(true);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

function rejectUpgrade(socket: Socket, e: StatusError): void {
  const body = statusBody(e);
  socket.end(
    `HTTP/1.1 ${e.code} ${e.reason || 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

async function serveExec(
  opts: KubeletServerOptions,
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Socket,
  head: Buffer,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://kubelet');
  const r = route(url.pathname);
  if (!r || r.kind !== 'exec') throw pathNotFound();
  if (!(await authenticated(opts, req))) throw unauthorized();
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',');
  const protocol = chooseProtocol(offered);
  if (!protocol)
    throw badRequest('unable to upgrade: no supported WebSocket subprotocol (v5.channel.k8s.io, v4.channel.k8s.io)');
  const exec = parseExecQuery(url.searchParams);
  if (exec.command.length === 0) throw badRequest('you must specify at least 1 command');
  if (!exec.stdin && !exec.stdout && !exec.stderr) {
    throw badRequest('you must specify at least one of stdin, stdout, stderr');
  }
  const found = await findContainer(opts.docker, { ...r.query, nodeName: opts.nodeName });
  if (!found.running) throw badRequest(`container not found ("${r.query.container}")`);
  wss.handleUpgrade(req, socket, head, (ws) => {
    void runExecSession(opts.docker, found.id, ws, protocol, exec);
  });
}

async function selfSignedCertificate(nodeIp: string, nodeName: string): Promise<{ cert: string; key: string }> {
  const pems = await generate([{ name: 'commonName', value: `${nodeName}@kubelet` }], {
    keyType: 'ec',
    algorithm: 'sha256',
    curve: 'P-256',
    notAfterDate: new Date(Date.now() + 365 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7 as const, ip: nodeIp },
          { type: 2 as const, value: nodeName },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** SHA-256 (hex) of a PEM certificate's DER bytes — what TLS peers compare when pinning. */
export function certificateFingerprint(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

/** Starts the kubelet server. Resolves once it listens; rejects when the address cannot be bound. */
export async function startKubeletServer(opts: KubeletServerOptions): Promise<KubeletServer> {
  const tls = await selfSignedCertificate(opts.nodeIp, opts.nodeName);
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => chooseProtocol(protocols) ?? false,
  });
  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    serveLogs(opts, req, res).catch((e) => {
      const err = errorOf(e);
      logFailure(opts, req, err);
      if (res.headersSent) return void res.destroy();
      res.writeHead(err.code, { 'content-type': 'application/json' });
      res.end(statusBody(err));
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    serveExec(opts, wss, req, socket, head).catch((e) => {
      const err = errorOf(e);
      logFailure(opts, req, err);
      rejectUpgrade(socket, err);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.nodeIp, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    certificate: tls.cert,
    certificateSha256: certificateFingerprint(tls.cert),
    close: () =>
      new Promise((done) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
