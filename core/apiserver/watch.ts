/**
 * WATCH: a stream of `{"type","object"}` lines from a resourceVersion.
 * Unset or "0" starts with synthetic ADDED events for the current state.
 * Selectors are evaluated on both the old and the new state, so an object
 * that starts matching arrives as ADDED and one that stops as DELETED.
 * A compacted revision answers an ERROR event with 410 Expired.
 */
import type { KubeObject } from '../api/object.ts';
import { groupVersion, type ResourceInfo, storageResource } from '../api/resources.ts';
import { badRequest, expired, internalError, type StatusError } from '../errors/index.ts';
import type { Registry } from '../registry/registry.ts';
import { withTypeMeta } from '../registry/registry.ts';
import { isStorageError } from '../storage/errors.ts';
import type { StoreEvent } from '../storage/store.ts';
import { ChunkQueue } from './chunk-queue.ts';
import { includeObject, wantsTable } from './negotiation.ts';
import type { ResourceRequestInfo } from './request-info.ts';
import { compilePredicate } from './selectors.ts';
import { toTable } from './tables/index.ts';
import type { ApiRequest, ApiResponse } from './types.ts';

/** Default watch length when the client gives no timeoutSeconds (kube-apiserver's min-request-timeout). */
export const DEFAULT_WATCH_SECONDS = 1800;
/** How often a watch that allows bookmarks gets one. */
export const BOOKMARK_INTERVAL_MS = 60_000;

type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** The event a selector-filtered watcher should see for a store event, or undefined to skip it. */
export function filterEvent(
  e: StoreEvent,
  matches: (o: KubeObject) => boolean,
): { type: WatchType; object: KubeObject } | undefined {
  const now = matches(e.object);
  if (e.type === 'ADDED') return now ? { type: 'ADDED', object: e.object } : undefined;
  const before = e.prevObject ? matches(e.prevObject) : now;
  if (e.type === 'DELETED') return before || now ? { type: 'DELETED', object: e.object } : undefined;
  if (now && before) return { type: 'MODIFIED', object: e.object };
  if (now) return { type: 'ADDED', object: e.object };
  if (before) return { type: 'DELETED', object: e.object };
  return undefined;
}

function parseRevision(raw: string | null): number | undefined {
  if (raw === null || raw === '' || raw === '0') return undefined;
  if (!/^\d+$/.test(raw)) throw badRequest(`invalid resource version: ${raw}`);
  return Number(raw);
}

/** Serves a watch request as a streamed response. */
export async function watchObjects(
  registry: Registry,
  info: ResourceInfo,
  ri: ResourceRequestInfo,
  req: ApiRequest,
  now: () => Date,
): Promise<ApiResponse> {
  const store = registry.deps.store;
  const resource = storageResource(info);
  const namespace = info.namespaced ? ri.namespace : '';
  const matches = compilePredicate(info, req.query, ri.name);
  const table = wantsTable(req.headers.accept);
  const include = includeObject(req.query);
  const timeoutRaw = req.query.get('timeoutSeconds');
  const timeoutSeconds = timeoutRaw && /^\d+$/.test(timeoutRaw) ? Number(timeoutRaw) : DEFAULT_WATCH_SECONDS;
  const bookmarks = req.query.get('allowWatchBookmarks') === 'true';
  let from = parseRevision(req.query.get('resourceVersion'));

  const queue = new ChunkQueue();
  let sentHeaders = false;
  let lastRevision = from ?? 0;
  const emit = (type: WatchType, object: unknown) => queue.push(`${JSON.stringify({ type, object })}\n`);
  const emitObject = (type: WatchType, obj: KubeObject) => {
    const full = withTypeMeta(info, obj);
    if (!table) return emit(type, full);
    emit(type, toTable(info, [full], { now: now(), includeObject: include, noHeaders: sentHeaders }));
    sentHeaders = true;
  };
  const emitError = (err: StatusError) => emit('ERROR', err.status);

  if (from === undefined) {
    const list = await store.list(resource, { namespace, predicate: matches });
    for (const item of list.items) emitObject('ADDED', item);
    from = list.revision;
    lastRevision = from;
  }
  let watch: Awaited<ReturnType<typeof store.watch>>;
  try {
    watch = await store.watch(resource, { namespace, fromRevision: from });
  } catch (e) {
    if (!isStorageError(e, 'ResourceExpired')) throw e;
    emitError(expired(e.message));
    queue.end();
    return streamResponse(queue);
  }
  queue.onEnd(() => watch.stop());
  const timer = setTimeout(() => queue.end(), timeoutSeconds * 1000);
  queue.onEnd(() => clearTimeout(timer));
  if (bookmarks) {
    const tick = setInterval(() => {
      emit('BOOKMARK', {
        kind: info.kind,
        apiVersion: groupVersion(info),
        metadata: { resourceVersion: String(lastRevision) },
      });
    }, BOOKMARK_INTERVAL_MS);
    queue.onEnd(() => clearInterval(tick));
  }
  if (req.signal) {
    if (req.signal.aborted) queue.end();
    req.signal.addEventListener('abort', () => queue.end(), { once: true });
  }
  void (async () => {
    try {
      for await (const e of watch) {
        lastRevision = e.revision;
        const out = filterEvent(e, matches);
        if (out) emitObject(out.type, out.object);
      }
    } catch (e) {
      emitError(
        isStorageError(e, 'ResourceExpired')
          ? expired(e.message)
          : internalError('watch ended unexpectedly; please retry'),
      );
    } finally {
      queue.end();
    }
  })();
  return streamResponse(queue);
}

function streamResponse(queue: ChunkQueue): ApiResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-cache, private' },
    stream: queue,
  };
}
