/**
 * Runs one probe or lifecycle handler against a container: httpGet (from
 * the host to the pod IP, 200–399 is success), tcpSocket (a connection
 * opens) and exec (exit code 0), each bounded by its timeout. Never throws:
 * an error is a failure.
 */
import http from 'node:http';
import https from 'node:https';
import { connect } from 'node:net';
import type { Container, HTTPGetAction, LifecycleHandler, Probe } from 'kubernetes-types/core/v1.js';
import type { ContainerRuntime } from './runtime.ts';

/** The target of a probe. */
export interface ProbeTarget {
  runtime: ContainerRuntime;
  containerId: string;
  podIp: string;
  container: Container;
}

/** A named or numeric port of the container, as a number. */
export function resolvePort(port: number | string | undefined, container: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

async function httpGet(action: HTTPGetAction, t: ProbeTarget, timeoutMs: number): Promise<boolean> {
  const port = resolvePort(action.port, t.container);
  if (!port) return false;
  const host = action.host || t.podIp;
  const scheme = (action.scheme ?? 'HTTP').toLowerCase();
  const path = action.path ?? '/';
  const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.32', accept: '*/*' };
  for (const h of action.httpHeaders ?? []) headers[h.name.toLowerCase()] = h.value;
  const request = scheme === 'https' ? https.request : http.request;
  return new Promise((resolve) => {
    const req = request(
      {
        host,
        port,
        path: path.startsWith('/') ? path : `/${path}`,
        method: 'GET',
        headers,
        timeout: timeoutMs,
        rejectUnauthorized: false,
      },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(code >= 200 && code < 400);
      },
    );
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

function tcp(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** Runs a probe or a lifecycle handler once; true on success. */
export async function runHandler(
  handler: Probe | LifecycleHandler,
  t: ProbeTarget,
  timeoutMs: number,
): Promise<boolean> {
  try {
    if (handler.exec) {
      const r = await t.runtime.exec(t.containerId, handler.exec.command ?? [], timeoutMs);
      return r.exitCode === 0;
    }
    if (handler.httpGet) return await httpGet(handler.httpGet, t, timeoutMs);
    if (handler.tcpSocket) {
      const port = resolvePort(handler.tcpSocket.port, t.container);
      return port ? await tcp(handler.tcpSocket.host || t.podIp, port, timeoutMs) : false;
    }
    if ('sleep' in handler && handler.sleep) {
      await new Promise((r) => setTimeout(r, Math.min(handler.sleep!.seconds * 1000, timeoutMs)));
      return true;
    }
    return false;
  } catch {
    return false;
  }
}
