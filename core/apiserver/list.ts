/**
 * LIST: label and field selectors compiled into one predicate the store
 * applies before `limit`, pagination with opaque continue tokens, and the
 * list (or Table) envelope carrying the type's resourceVersion.
 */
import type { KubeObject } from '../api/object.ts';
import { groupVersion, type ResourceInfo, storageResource } from '../api/resources.ts';
import { badRequest, expired } from '../errors/index.ts';
import type { Registry } from '../registry/registry.ts';
import { withTypeMeta } from '../registry/registry.ts';
import { toStatusError } from '../registry/storage-errors.ts';
import { isStorageError } from '../storage/errors.ts';
import { includeObject } from './negotiation.ts';
import { compilePredicate } from './selectors.ts';
import { toTable } from './tables/index.ts';

const EXPIRED_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.';

/** Reads `limit` (a non-negative integer; 0 means no limit). */
function limitOf(query: URLSearchParams): number {
  const raw = query.get('limit');
  if (raw === null || raw === '') return 0;
  if (!/^\d+$/.test(raw)) throw badRequest(`invalid limit: ${raw}`);
  return Number(raw);
}

/** Lists `info` in `namespace` ('' = all) per the query; returns a `<Kind>List` or a Table. */
export async function listObjects(
  registry: Registry,
  info: ResourceInfo,
  namespace: string,
  query: URLSearchParams,
  table: boolean,
  now: Date,
): Promise<object> {
  const predicate = compilePredicate(info, query);
  let page: Awaited<ReturnType<Registry['deps']['store']['list']>>;
  try {
    page = await registry.deps.store.list(storageResource(info), {
      namespace: info.namespaced ? namespace : '',
      limit: limitOf(query),
      continue: query.get('continue') || undefined,
      predicate,
    });
  } catch (e) {
    if (isStorageError(e, 'ResourceExpired') && query.get('continue')) throw expired(EXPIRED_CONTINUE);
    throw toStatusError(e, info, '');
  }
  const metadata: Record<string, unknown> = { resourceVersion: String(page.revision) };
  if (page.continue) metadata.continue = page.continue;
  if (page.remainingItemCount !== undefined && page.continue) metadata.remainingItemCount = page.remainingItemCount;
  const items: KubeObject[] = page.items.map((o) => withTypeMeta(info, o));
  if (table) {
    return toTable(info, items, {
      now,
      includeObject: includeObject(query),
      resourceVersion: String(page.revision),
      continue: page.continue,
    });
  }
  return { kind: `${info.kind}List`, apiVersion: groupVersion(info), metadata, items };
}
