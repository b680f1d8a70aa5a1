/**
 * The typed Kubernetes API client the node agent, the CLI and tests use: JSON
 * over HTTPS (keep-alive) with a bearer token, every non-2xx answer rebuilt
 * into the core `StatusError` so callers share the API's vocabulary
 * (`isNotFound`, `isConflict`, …), and watches as async iterables.
 */
import http from 'node:http';
import https from 'node:https';
import { StatusError, statusErrorFromBody } from '../errors/status.ts';
import type { ClientConfig } from './kubeconfig.ts';

/** Query parameters; undefined values are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/** A raw answer. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Options of one request. */
export interface RequestOptions {
  query?: Query;
  /** Serialized as JSON unless it is a Buffer or a string. */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /** Aborts the request (e.g. a long-running watch). */
  signal?: AbortSignal;
}

/** A list answer. */
export interface KubeList<T> {
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** One watch event. */
export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: T;
}

/** A running watch: iterate it for events; it ends when the server ends it or on `stop()`. */
export interface ApiWatch<T> extends AsyncIterable<WatchEvent<T>> {
  stop(): void;
}

/** The three patch types Kubernetes serves. */
export type PatchType = 'merge' | 'strategic' | 'json';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

/** Builds the URL path of a resource (`/api/v1/namespaces/ns/pods/name/status`). */
export function resourcePath(r: {
  group?: string;
  version?: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}): string {
  const root = r.group ? `/apis/${r.group}/${r.version ?? 'v1'}` : `/api/${r.version ?? 'v1'}`;
  const ns = r.namespace ? `/namespaces/${encodeURIComponent(r.namespace)}` : '';
  const name = r.name ? `/${encodeURIComponent(r.name)}` : '';
  const sub = r.name && r.subresource ? `/${r.subresource}` : '';
  return `${root}${ns}/${r.resource}${name}${sub}`;
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** A client bound to one cluster and one credential. Safe to share; requests run concurrently. */
export class ApiClient {
  private readonly url: URL;
  private readonly agent: http.Agent;

  constructor(readonly config: ClientConfig) {
    this.url = new URL(config.server);
    this.agent =
      this.url.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, ca: config.caCert, maxSockets: 32 })
        : new http.Agent({ keepAlive: true, maxSockets: 32 });
  }

  private open(method: string, path: string, opts: RequestOptions): Promise<http.IncomingMessage> {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (this.config.token) headers.authorization = `Bearer ${this.config.token}`;
    let payload: Buffer | undefined;
    if (opts.body !== undefined) {
      payload = Buffer.isBuffer(opts.body)
        ? opts.body
        : Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
      headers['content-type'] = opts.contentType ?? 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const lib = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(
        {
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port,
          method,
          path: `${path}${queryString(opts.query)}`,
          headers,
          agent: this.agent,
          signal: opts.signal,
        },
        resolve,
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Sends one request and reads the whole answer; never throws on a status code. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<RawResponse> {
    const res = await this.open(method, path, opts);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
  }

  /** Sends a JSON request; resolves with the decoded 2xx body, throws `StatusError` otherwise. */
  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.request(method, path, opts);
    let body: unknown;
    try {
      body = res.body.length ? JSON.parse(res.body.toString('utf8')) : undefined;
    } catch {
      body = res.body.toString('utf8');
    }
    if (res.status < 200 || res.status > 299) throw statusErrorFromBody(res.status, body);
    return body as T;
  }

  /** GET one object. */
  get<T>(path: string, query?: Query): Promise<T> {
    return this.json<T>('GET', path, { query });
  }

  /** GET a list. */
  list<T>(path: string, query?: Query): Promise<KubeList<T>> {
    return this.json<KubeList<T>>('GET', path, { query });
  }

  /** POST an object to a collection. */
  create<T>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.json<T>('POST', path, { body, query });
  }

  /** PUT an object (replace; carries its resourceVersion for optimistic concurrency). */
  update<T>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.json<T>('PUT', path, { body, query });
  }

  /** PATCH an object. */
  patch<T>(path: string, body: unknown, type: PatchType, query?: Query): Promise<T> {
    return this.json<T>('PATCH', path, { body, contentType: PATCH_CONTENT_TYPES[type], query });
  }

  /** DELETE an object, with optional DeleteOptions (gracePeriodSeconds, preconditions, propagationPolicy). */
  delete<T>(path: string, options?: Record<string, unknown>): Promise<T> {
    return this.json<T>('DELETE', path, {
      body: options ? { kind: 'DeleteOptions', apiVersion: 'v1', ...options } : undefined,
    });
  }

  /**
   * Watches a collection (`watch=true` is added). The iterator throws the
   * `StatusError` of an ERROR event (410 Expired after compaction) or of a
   * refused request; it ends when the server closes the stream or on `stop()`.
   */
  watch<T>(path: string, query: Query = {}): ApiWatch<T> {
    const abort = new AbortController();
    const open = () => this.open('GET', path, { query: { ...query, watch: true }, signal: abort.signal });
    return {
      stop: () => abort.abort(),
      async *[Symbol.asyncIterator]() {
        let res: http.IncomingMessage;
        try {
          res = await open();
        } catch (e) {
          if (abort.signal.aborted) return;
          throw e;
        }
        if ((res.statusCode ?? 0) > 299) {
          const chunks: Buffer[] = [];
          for await (const c of res) chunks.push(c as Buffer);
          let body: unknown;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            body = undefined;
          }
          throw statusErrorFromBody(res.statusCode ?? 500, body);
        }
        let buffered = '';
        try {
          for await (const chunk of res) {
            buffered += (chunk as Buffer).toString('utf8');
            let nl: number;
            while ((nl = buffered.indexOf('\n')) >= 0) {
              const line = buffered.slice(0, nl).trim();
              buffered = buffered.slice(nl + 1);
              if (!line) continue;
              const event = JSON.parse(line) as { type: string; object: unknown };
              if (event.type === 'ERROR') {
                const status = event.object as { code?: number };
                throw statusErrorFromBody(status.code ?? 500, status);
              }
              yield event as WatchEvent<T>;
            }
          }
        } catch (e) {
          if (abort.signal.aborted && !(e instanceof StatusError)) return;
          throw e;
        } finally {
          res.destroy();
        }
      },
    };
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}
