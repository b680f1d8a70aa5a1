/**
 * The API server's side of the kubelet hop (used by the local cluster): a
 * `PodConnector` that streams `pods/log` from the pod's kubelet and turns
 * `pods/exec` into an upgrade target, and `relayUpgrade`, which completes such
 * an upgrade by replaying the client's WebSocket handshake to the kubelet and
 * then copying bytes both ways (the kubelet's 101 answers the client's key, so
 * frames pass through untouched, as Kubernetes' upgrade-aware proxy does).
 *
 * TLS: the kubelet's certificate is self-signed. When the Node publishes its
 * SHA-256 (`skube.io/kubelet-serving-cert-sha256`) the connection is pinned
 * to it; otherwise the certificate is not verified (Kubernetes' default
 * without `--kubelet-certificate-authority`). Either way the token is sent
 * only after the handshake (and the pin check) completed.
 */
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect, type TLSSocket } from 'node:tls';
import {
  type ConnectTarget,
  type KubeletEndpoint,
  type PodConnector,
  podLogQuery,
  type UpgradeTarget,
} from '../../core/apiserver/connect.ts';
import type { ApiResponse } from '../../core/apiserver/types.ts';
import { badRequest, internalError, statusErrorFromBody } from '../../core/errors/index.ts';

/** Options of the kubelet client. */
export interface KubeletClientOptions {
  /** The bearer token the API server presents (its digest is in `kube-system/skube-kubelet-client`). */
  token: string;
  /** Milliseconds to wait for a kubelet to accept a connection (default 10 s). */
  connectTimeoutMs?: number;
}

/** A PodConnector over kubelet servers, plus the upgrade relay the HTTP adapter calls. */
export interface KubeletClient extends PodConnector {
  relayUpgrade(target: UpgradeTarget, req: IncomingMessage, client: Duplex, head: Buffer): void;
}

const normalize = (fp: string) => fp.replace(/:/g, '').toLowerCase();
const seg = encodeURIComponent;

function dial(host: string, port: number, pin: string | undefined, timeoutMs: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, servername: undefined, rejectUnauthorized: false });
    const timer = setTimeout(
      () => socket.destroy(new Error(`timed out connecting to the kubelet at ${host}:${port}`)),
      timeoutMs,
    );
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const presented = socket.getPeerX509Certificate()?.fingerprint256;
      if (pin && (!presented || normalize(presented) !== normalize(pin))) {
        socket.destroy();
        return reject(new Error(`the kubelet at ${host}:${port} presented a certificate that does not match its Node`));
      }
      resolve(socket);
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

async function* decodeText(res: IncomingMessage): AsyncIterable<string> {
  const decoder = new TextDecoder('utf-8');
  try {
    for await (const chunk of res) {
      const text = decoder.decode(chunk as Buffer, { stream: true });
      if (text) yield text;
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  } finally {
    res.destroy();
  }
}

async function readAll(res: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function kubeletOf(target: ConnectTarget): KubeletEndpoint {
  if (!target.kubelet) {
    throw badRequest(`node "${target.pod.spec?.nodeName ?? ''}" has no kubelet endpoint (no agent runs there)`);
  }
  return target.kubelet;
}

/** Creates the kubelet client. */
export function createKubeletClient(opts: KubeletClientOptions): KubeletClient {
  const timeout = opts.connectTimeoutMs ?? 10_000;
  const auth = `Bearer ${opts.token}`;
  const unreachable = (e: unknown, k: { host: string; port: number }) =>
    internalError(`error trying to reach the kubelet at ${k.host}:${k.port}: ${(e as Error).message}`);
  return {
    async containerLogs(target, options, signal) {
      const kubelet = kubeletOf(target);
      const m = target.pod.metadata ?? {};
      const query = podLogQuery(options);
      if (m.uid) query.set('podUID', m.uid);
      const path = `/containerLogs/${seg(m.namespace ?? '')}/${seg(m.name ?? '')}/${seg(target.container)}?${query}`;
      let socket: TLSSocket;
      try {
        socket = await dial(kubelet.host, kubelet.port, kubelet.certificateSha256, timeout);
      } catch (e) {
        throw unreachable(e, kubelet);
      }
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = request({
          createConnection: () => socket,
          host: kubelet.host,
          port: kubelet.port,
          path,
          method: 'GET',
          headers: { authorization: auth, accept: 'text/plain' },
          signal,
        });
        req.once('response', resolve);
        req.once('error', reject);
        req.end();
      }).catch((e) => {
        throw unreachable(e, kubelet);
      });
      if (res.statusCode !== 200) throw statusErrorFromBody(res.statusCode ?? 500, await readAll(res));
      const response: ApiResponse = {
        status: 200,
        headers: { 'content-type': 'text/plain' },
        stream: decodeText(res),
      };
      return response;
    },

    async exec(target, query) {
      const kubelet = kubeletOf(target);
      const m = target.pod.metadata ?? {};
      const q = new URLSearchParams();
      for (const c of query.getAll('command')) q.append('command', c);
      for (const k of ['stdin', 'stdout', 'stderr', 'tty']) if (query.get(k)) q.set(k, query.get(k)!);
      const uid = m.uid ? `/${seg(m.uid)}` : '';
      const path = `/exec/${seg(m.namespace ?? '')}/${seg(m.name ?? '')}${uid}/${seg(target.container)}?${q}`;
      return {
        status: 101,
        headers: {},
        upgrade: {
          url: `https://${kubelet.host}:${kubelet.port}${path}`,
          certificateSha256: kubelet.certificateSha256,
        },
      };
    },

    relayUpgrade(target, req, client, head) {
      const url = new URL(target.url);
      const fail = (code: number, body: string) => {
        if (client.destroyed) return;
        client.end(
          `HTTP/1.1 ${code} ${code === 101 ? 'Switching Protocols' : 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      };
      const headers: Record<string, string> = { authorization: auth, connection: 'Upgrade', upgrade: 'websocket' };
      for (const h of [
        'sec-websocket-key',
        'sec-websocket-version',
        'sec-websocket-protocol',
        'sec-websocket-extensions',
      ]) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      const port = Number(url.port);
      dial(url.hostname, port, target.certificateSha256, timeout)
        .then((socket) => {
          const up = request({
            createConnection: () => socket,
            host: url.hostname,
            port,
            path: `${url.pathname}${url.search}`,
            method: 'GET',
            headers,
          });
          up.once('upgrade', (res, kubelet: Duplex, kubeletHead: Buffer) => {
            const lines = ['HTTP/1.1 101 Switching Protocols'];
            for (let i = 0; i < res.rawHeaders.length; i += 2)
              lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
            client.write(`${lines.join('\r\n')}\r\n\r\n`);
            if (kubeletHead.length) client.write(kubeletHead);
            if (head.length) kubelet.write(head);
            kubelet.pipe(client);
            client.pipe(kubelet);
            const close = () => {
              kubelet.destroy();
              client.destroy();
            };
            kubelet.on('error', close).on('close', close);
            client.on('error', close).on('close', close);
          });
          up.once('response', (res) => {
            void readAll(res).then((body) => {
              const text = typeof body === 'string' ? body : JSON.stringify(body);
              fail(res.statusCode ?? 500, text);
            });
          });
          up.once('error', (e) => fail(500, JSON.stringify(unreachable(e, { host: url.hostname, port }).status)));
          up.end();
        })
        .catch((e) => fail(500, JSON.stringify(unreachable(e, { host: url.hostname, port }).status)));
    },
  };
}
