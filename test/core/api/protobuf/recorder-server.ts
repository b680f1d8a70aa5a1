/**
 * A recording stand-in for the API server, just enough for the real kubectl
 * to send its typed (protobuf) requests: legacy discovery, GET of a few
 * preloaded objects, PATCH echo, and POST answered with 201 and a minimal
 * object. Every request body is recorded. Also runs kubectl against it with
 * a private kubeconfig and HOME, so no discovery cache is shared.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groupVersion, RESOURCES, type ResourceInfo } from '../../../../core/api/resources.ts';

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  contentType: string;
  body: Buffer;
}

/** The result of one kubectl run. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A running recorder with a kubectl bound to it. */
export interface Recorder {
  url: string;
  /** A private temp dir (kubectl's HOME) tests may put input files in; removed by `close`. */
  dir: string;
  requests: RecordedRequest[];
  /** Objects served by GET (and listed by collection GET), keyed by URL path; POST to `<path>/eviction` removes one. */
  objects: Map<string, Record<string, unknown>>;
  /** Runs kubectl with `--kubeconfig` pointing here; never throws on a non-zero exit. */
  kubectl(args: string[]): Promise<KubectlResult>;
  /** Kills running kubectl children, stops the server and removes the temp dir. */
  close(): Promise<void>;
}

const opt = (o: Partial<ResourceInfo>) => o;
// Kinds kubectl creates that skube does not serve yet, so discovery must list them here.
const EXTRA: Partial<ResourceInfo>[] = [
  opt({ group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job', singular: 'job' }),
  opt({ group: 'batch', version: 'v1', resource: 'cronjobs', kind: 'CronJob', singular: 'cronjob' }),
  opt({ group: 'autoscaling', version: 'v1', resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler' }),
  opt({ group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', kind: 'PodDisruptionBudget' }),
  opt({ group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses', kind: 'PriorityClass' }),
];
const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

function allResources(): ResourceInfo[] {
  const extras = EXTRA.map((e) => ({
    singular: (e.kind ?? '').toLowerCase(),
    namespaced: e.resource !== 'priorityclasses',
    shortNames: [],
    categories: [],
    verbs: VERBS,
    subresources: [],
    ...e,
  })) as ResourceInfo[];
  return [...RESOURCES, ...extras];
}

function discovery(path: string): object | undefined {
  const resources = allResources();
  const gvs = [...new Set(resources.map(groupVersion))];
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'] };
  if (path === '/apis') {
    const groups = gvs
      .filter((gv) => gv.includes('/'))
      .map((gv) => {
        const v = { groupVersion: gv, version: gv.split('/')[1] };
        return { name: gv.split('/')[0], versions: [v], preferredVersion: v };
      });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  const gv = path === '/api/v1' ? 'v1' : path.replace(/^\/apis\//, '');
  if (!gvs.includes(gv)) return undefined;
  const list = resources
    .filter((r) => groupVersion(r) === gv)
    .flatMap((r) => [
      {
        name: r.resource,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: r.verbs,
        shortNames: r.shortNames,
        categories: r.categories,
      },
      ...r.subresources.map((s) => ({
        name: `${r.resource}/${s.name}`,
        singularName: '',
        namespaced: r.namespaced,
        group: s.group,
        version: s.version,
        kind: s.kind,
        verbs: s.verbs,
      })),
    ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: list };
}

const status = (code: number, reason: string, message: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: code < 300 ? 'Success' : 'Failure',
  reason,
  message,
  code,
});

/** The kind of the collection a create POST targets, from the resource in its path. */
function createdObject(path: string): object {
  const parts = path.split('/').filter(Boolean);
  const gv = parts[0] === 'api' ? parts[1] : `${parts[1]}/${parts[2]}`;
  const resource = parts[parts.length - 1];
  const info = allResources().find((r) => groupVersion(r) === gv && r.resource === resource);
  const ns = parts.indexOf('namespaces') >= 0 && parts.length > 4 ? parts[parts.indexOf('namespaces') + 1] : undefined;
  return { apiVersion: gv, kind: info?.kind ?? 'Unknown', metadata: { name: 'recorded', namespace: ns } };
}

const notFound = (path: string): [number, unknown] => [404, status(404, 'NotFound', `${path} not found`)];

/** The status and JSON body the recorder answers a request with. */
function respond(rec: Recorder, method: string, path: string): [number, unknown] {
  if (method === 'GET') {
    if (path === '/version') return [200, { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' }];
    const found = discovery(path) ?? rec.objects.get(path);
    if (found) return [200, found];
    if (path === '/api/v1/pods') {
      const items = [...rec.objects].filter(([p]) => /\/pods\/[^/]+$/.test(p)).map(([, o]) => o);
      return [200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items }];
    }
    return notFound(path);
  }
  if (method === 'PATCH') {
    const obj = rec.objects.get(path);
    return obj ? [200, obj] : notFound(path);
  }
  if (method === 'POST') {
    if (!path.endsWith('/eviction')) return [201, createdObject(path)];
    rec.objects.delete(path.slice(0, -'/eviction'.length));
    return [201, status(201, '', '')];
  }
  return [405, status(405, 'MethodNotAllowed', `${method} not allowed`)];
}

function handle(rec: Recorder, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const method = req.method ?? '';
  rec.requests.push({ method, path, contentType: req.headers['content-type'] ?? '', body });
  const [code, obj] = respond(rec, method, path);
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(obj));
}

/** Starts a recorder on a random loopback port. */
export async function startRecorder(): Promise<Recorder> {
  const dir = mkdtempSync(join(tmpdir(), 'skube-pb-'));
  const children = new Set<AbortController>();
  const rec: Recorder = {
    url: '',
    dir,
    requests: [],
    objects: new Map(),
    kubectl: (args) => {
      const abort = new AbortController();
      children.add(abort);
      return new Promise((resolve) => {
        execFile(
          'kubectl',
          ['--kubeconfig', join(dir, 'kubeconfig'), ...args],
          { env: { PATH: process.env.PATH, HOME: dir }, signal: abort.signal, timeout: 30_000, encoding: 'buffer' },
          (err, stdout, stderr) => {
            children.delete(abort);
            const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
            resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
          },
        );
      });
    },
    close: async () => {
      for (const abort of children) abort.abort();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(rec, req, Buffer.concat(chunks), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  rec.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  writeFileSync(
    join(dir, 'kubeconfig'),
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'rec', cluster: { server: rec.url } }],
      users: [{ name: 'rec', user: { token: 'recorder-token' } }],
      contexts: [{ name: 'rec', context: { cluster: 'rec', user: 'rec', namespace: 'default' } }],
      'current-context': 'rec',
    }),
  );
  return rec;
}
