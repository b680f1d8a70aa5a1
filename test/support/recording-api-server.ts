/**
 * A throwaway HTTP API server for kubectl-compatibility tests of pure
 * API-server pieces: it serves `/version`, legacy discovery and the OpenAPI
 * documents from core, records every resource request, and answers them
 * through a handler the test supplies. kubectl runs with an isolated
 * kubeconfig and cache directory so no discovery or OpenAPI cache leaks
 * between tests.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiGroupList, apiResourceList, apiVersions, versionInfo } from '../../core/apiserver/discovery.ts';
import { openApiGroupVersion, openApiIndex, openApiV2Protobuf } from '../../core/apiserver/openapi/documents.ts';

/** One resource request as the server received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

/** What the test's handler answers: a JSON body, or raw text (a watch stream of JSON lines). */
export interface FakeResponse {
  status: number;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

/** The result of one kubectl run. */
export interface KubectlRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A running recording server with a kubectl bound to it. */
export interface RecordingApiServer {
  url: string;
  /** Resource requests (not discovery or OpenAPI) in arrival order. */
  requests: RecordedRequest[];
  /** Paths of the OpenAPI documents fetched (`/openapi/v3`, `/openapi/v3/apis/apps/v1`, `/openapi/v2`). */
  openApiFetches: string[];
  /** Replaces the handler for resource requests. */
  handle(fn: (req: RecordedRequest) => FakeResponse): void;
  /** Runs kubectl against the server; never throws on a non-zero exit. */
  kubectl(args: string[], input?: string): Promise<KubectlRun>;
  close(): Promise<void>;
}

/** A `metav1.Status` NotFound body, as the real server sends for a missing object. */
export function notFoundStatus(resource: string, name: string): FakeResponse {
  return {
    status: 404,
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `${resource} "${name}" not found`,
      reason: 'NotFound',
      details: { name, kind: resource },
      code: 404,
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = body instanceof Uint8Array ? body : Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', ...headers, 'content-length': String(data.length) });
  res.end(data);
}

/** Starts the server on a free loopback port. */
export async function startRecordingApiServer(): Promise<RecordingApiServer> {
  const requests: RecordedRequest[] = [];
  const openApiFetches: string[] = [];
  let handler: (req: RecordedRequest) => FakeResponse = (r) => notFoundStatus('unknown', r.path);
  let address = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname.replace(/\/+$/, '') || '/';
      if (path === '/version') return send(res, 200, versionInfo());
      if (path === '/api') return send(res, 200, apiVersions(address));
      if (path === '/apis') return send(res, 200, apiGroupList());
      if (path.startsWith('/openapi/')) openApiFetches.push(path);
      if (path === '/openapi/v3') return send(res, 200, openApiIndex());
      if (path === '/openapi/v2') {
        return send(res, 200, openApiV2Protobuf(), {
          'content-type': 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
        });
      }
      if (path.startsWith('/openapi/v3/')) {
        const doc = openApiGroupVersion(path.slice('/openapi/v3/'.length));
        return doc ? send(res, 200, doc) : send(res, 404, notFoundStatus('openapi', path).body);
      }
      const discovery = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
      if (discovery) {
        const list = discovery[1] ? apiResourceList('', 'v1') : apiResourceList(discovery[2], discovery[3]);
        return list ? send(res, 200, list) : send(res, 404, notFoundStatus('groupversion', path).body);
      }
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const answer = handler(recorded);
      send(res, answer.status, answer.raw !== undefined ? Buffer.from(answer.raw) : answer.body, answer.headers);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  address = `127.0.0.1:${port}`;
  const url = `http://${address}`;
  const dir = mkdtempSync(join(tmpdir(), 'skube-kubectl-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: fake, cluster: {server: "${url}"}}]`,
      'users: [{name: fake, user: {token: fake}}]',
      'contexts: [{name: fake, context: {cluster: fake, user: fake, namespace: default}}]',
      'current-context: fake',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, HOME: dir, KUBECONFIG: kubeconfig };
  return {
    url,
    requests,
    openApiFetches,
    handle(fn) {
      handler = fn;
    },
    kubectl(args, input) {
      return new Promise((resolve) => {
        const child = execFile(
          'kubectl',
          ['--cache-dir', join(dir, 'cache'), ...args],
          { env, timeout: 60_000 },
          (err, stdout, stderr) => {
            const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
            resolve({ code, stdout, stderr });
          },
        );
        if (input !== undefined) child.stdin?.end(input);
      });
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
