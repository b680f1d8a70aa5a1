/**
 * An in-process API server for handler tests: a SQLite store in memory, a
 * Registry with a fixed service CIDR and NodePort range, the system
 * namespaces, and `createApiHandler` behind two static bearer tokens (an admin
 * in system:masters and an ordinary user). Requests go straight to the
 * transport-neutral handler — no HTTP — and time comes from a test clock.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach } from 'vitest';
import { findResource } from '../../core/api/resources.ts';
import { MASTERS_GROUP, mastersAuthorizer, staticTokenAuthenticator } from '../../core/apiserver/auth.ts';
import { createApiHandler } from '../../core/apiserver/handler.ts';
import { type ApiHandler, type ApiResponse, silentLogger } from '../../core/apiserver/types.ts';
import { Registry } from '../../core/registry/registry.ts';
import { createSqliteStore } from '../../core/storage/sqlite/sqlite-store.ts';
import type { Store } from '../../core/storage/store.ts';

/** The admin's bearer token (user `admin`, groups system:masters and system:authenticated). */
export const ADMIN_TOKEN = 'admin-token-for-tests';
/** A non-admin user's bearer token (user `jane`, group system:authenticated only). */
export const USER_TOKEN = 'jane-token-for-tests';
/** The service CIDR the harness allocates ClusterIPs from. */
export const SERVICE_CIDR = '10.96.0.0/24';
/** The NodePort range the harness allocates from (Kubernetes' default). */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 };
/** The namespaces the harness creates before any test runs. */
export const HARNESS_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
/** The instant the test clock starts at. */
export const CLOCK_START = new Date('2025-01-01T00:00:00Z');

/** A settable clock shared by the handler (`now()`) and the store's log stamps. */
export interface TestClock {
  now(): Date;
  /** Moves the clock forward by `ms`. */
  advance(ms: number): void;
}

/** Options of one `call`. */
export interface CallOptions {
  /** An object is sent as JSON; a string or bytes as they are. */
  body?: unknown;
  /** Default: `application/json` with a body (`application/merge-patch+json` for PATCH), none without. */
  contentType?: string;
  accept?: string;
  /** Bearer token; default ADMIN_TOKEN; `null` sends no Authorization header. */
  token?: string | null;
  /** Query parameters added to any already in the path. */
  query?: Record<string, string | number | boolean>;
}

/** What a `call` returns: status, headers, the parsed JSON body (undefined when it is not JSON) and the raw text. */
export interface CallResult {
  status: number;
  headers: Record<string, string>;
  json: any;
  text: string;
  /** Set for streamed responses; `openWatch` reads watches event by event. */
  stream?: AsyncIterable<string>;
}

/** One decoded watch event. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: any;
}

/** An open watch: collect its events, then stop it. */
export interface OpenWatch {
  status: number;
  headers: Record<string, string>;
  /** Waits until `count` events arrived in total (or the stream ended, or `timeoutMs` passed); returns all so far. */
  next(count: number, timeoutMs?: number): Promise<WatchEvent[]>;
  /** True once the server ended the stream. */
  readonly ended: boolean;
  /** Ends the watch as a disconnecting client would. Idempotent. */
  stop(): void;
}

/** A running in-process API. */
export interface ApiHarness {
  handler: ApiHandler;
  store: Store;
  registry: Registry;
  clock: TestClock;
  call(method: string, path: string, opts?: CallOptions): Promise<CallResult>;
  /** Like `call`, but throws unless the status is 2xx; returns the parsed body. */
  ok(method: string, path: string, opts?: CallOptions): Promise<any>;
  /** The list at `path` (a collection URL) as `{ resourceVersion, items }`: what a rejected write must leave untouched. */
  listState(path: string): Promise<{ resourceVersion: string; items: unknown[] }>;
  /** Opens `path` as a watch (adds `watch=true`) and returns it open. */
  openWatch(path: string, opts?: Omit<CallOptions, 'body' | 'contentType'>): Promise<OpenWatch>;
  /** Opens a watch, collects `untilCount` events (or fewer if it ends or times out), and stops it. */
  watchEvents(
    path: string,
    untilCount: number,
    timeoutMs?: number,
    opts?: Omit<CallOptions, 'body' | 'contentType'>,
  ): Promise<WatchEvent[]>;
  close(): Promise<void>;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Creates a clock starting at `start` that moves only when told to. */
export function createTestClock(start: Date = CLOCK_START): TestClock {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
    },
  };
}

function encodeBody(body: unknown): Uint8Array | undefined {
  if (body === undefined) return undefined;
  if (body instanceof Uint8Array) return body;
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Options of `createApiHarness`. */
export interface ApiHarnessOptions {
  /** The service CIDR (default SERVICE_CIDR); a small one lets a test fill it. */
  serviceCidr?: string;
  /** Whether the handler sets the garbage collector's propagation finalizers (default false). */
  garbageCollector?: boolean;
}

/** Starts a harness. Call `close()` when done (it closes the store and stops its watches). */
export async function createApiHarness(options: ApiHarnessOptions = {}): Promise<ApiHarness> {
  const clock = createTestClock();
  const store = createSqliteStore({ path: ':memory:', now: () => clock.now().getTime() });
  let uidCounter = 0;
  // A fixed-seed generator keeps names and allocations reproducible run to run.
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const registry = new Registry({
    store,
    uid: () => `00000000-0000-4000-8000-${String(++uidCounter).padStart(12, '0')}`,
    random,
    serviceCidr: options.serviceCidr ?? SERVICE_CIDR,
    nodePortRange: NODE_PORT_RANGE,
  });
  const namespaces = findResource('', 'v1', 'namespaces');
  if (!namespaces) throw new Error('namespaces are not served');
  const systemCtx = { user: { name: 'system:apiserver', groups: [MASTERS_GROUP] }, now: clock.now(), dryRun: false };
  for (const name of HARNESS_NAMESPACES) await registry.create(systemCtx, namespaces, '', { metadata: { name } });

  const handler = createApiHandler({
    registry,
    authenticators: [
      staticTokenAuthenticator([
        { tokenSha256: sha256(ADMIN_TOKEN), user: { name: 'admin', groups: [MASTERS_GROUP, 'system:authenticated'] } },
        { tokenSha256: sha256(USER_TOKEN), user: { name: 'jane', groups: ['system:authenticated'] } },
      ]),
    ],
    authorizer: mastersAuthorizer,
    logger: silentLogger,
    now: () => clock.now(),
    garbageCollector: options.garbageCollector ?? false,
    serverAddress: '127.0.0.1:6443',
  });

  const send = (method: string, path: string, opts: CallOptions = {}, signal?: AbortSignal): Promise<ApiResponse> => {
    const url = new URL(path, 'http://skube.test');
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.append(k, String(v));
    const body = encodeBody(opts.body);
    const headers: Record<string, string | undefined> = {};
    const token = opts.token === undefined ? ADMIN_TOKEN : opts.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (opts.accept) headers.accept = opts.accept;
    if (opts.contentType) headers['content-type'] = opts.contentType;
    else if (body) headers['content-type'] = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
    return handler({ method, path: url.pathname, query: url.searchParams, headers, body, signal });
  };

  const call = async (method: string, path: string, opts: CallOptions = {}): Promise<CallResult> => {
    const res = await send(method, path, opts);
    const text =
      res.body === undefined ? '' : typeof res.body === 'string' ? res.body : Buffer.from(res.body).toString('utf8');
    return { status: res.status, headers: res.headers, json: parseJson(text), text, stream: res.stream };
  };

  const ok = async (method: string, path: string, opts: CallOptions = {}) => {
    const res = await call(method, path, opts);
    if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path} answered ${res.status}: ${res.text}`);
    return res.json;
  };

  const listState = async (path: string) => {
    const list = await ok('GET', path);
    return { resourceVersion: String(list.metadata?.resourceVersion), items: list.items as unknown[] };
  };

  const openWatch = async (path: string, opts: Omit<CallOptions, 'body' | 'contentType'> = {}): Promise<OpenWatch> => {
    const abort = new AbortController();
    const res = await send('GET', path, { ...opts, query: { watch: 'true', ...opts.query } }, abort.signal);
    if (!res.stream) throw new Error(`not a watch response: ${res.status} ${String(res.body)}`);
    const iterator = res.stream[Symbol.asyncIterator]();
    const events: WatchEvent[] = [];
    let ended = false;
    let partial = '';
    let pending: Promise<IteratorResult<string>> | undefined;
    const next = async (count: number, timeoutMs = 2000): Promise<WatchEvent[]> => {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count && !ended) {
        pending ??= iterator.next();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
        });
        const r = await Promise.race([pending, timedOut]);
        clearTimeout(timer);
        if (r === 'timeout') break;
        pending = undefined;
        if (r.done) {
          ended = true;
          break;
        }
        partial += r.value;
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as WatchEvent);
      }
      return [...events];
    };
    return {
      status: res.status,
      headers: res.headers,
      next,
      get ended() {
        return ended;
      },
      stop: () => {
        abort.abort();
        void iterator.return?.();
      },
    };
  };

  const watchEvents = async (
    path: string,
    untilCount: number,
    timeoutMs = 2000,
    opts: Omit<CallOptions, 'body' | 'contentType'> = {},
  ): Promise<WatchEvent[]> => {
    const w = await openWatch(path, opts);
    try {
      return await w.next(untilCount, timeoutMs);
    } finally {
      w.stop();
    }
  };

  return { handler, store, registry, clock, call, ok, listState, openWatch, watchEvents, close: () => store.close() };
}

/**
 * Registers a fresh harness per test (beforeEach/afterEach) and returns a
 * getter for it, so every test starts from the system namespaces alone.
 */
export function useApiHarness(options: ApiHarnessOptions = {}): () => ApiHarness {
  let current: ApiHarness | undefined;
  beforeEach(async () => {
    current = await createApiHarness(options);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('the API harness is only available inside a test');
    return current;
  };
}
