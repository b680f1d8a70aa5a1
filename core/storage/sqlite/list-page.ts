/**
 * One page of a list at a given revision. The state at revision R is the
 * current state with every key written after R replaced by the prev body of
 * its first log row after R (absent when that row created the key), so a page
 * after the first reflects the first page's revision however the type changed
 * since, as long as the log still holds every row after R.
 */
import type { KubeObject } from '../../api/object.ts';
import type { ChangedRow, ObjectRow, Statements } from './statements.ts';

/** A position in list order. */
export interface ListKey {
  namespace: string;
  name: string;
}

/** What to read: a type (optionally one namespace) at `revision`, after `after`. */
export interface PageRequest {
  resource: string;
  /** '' for every namespace. */
  namespace: string;
  /** The revision the page reflects. */
  revision: number;
  /** The type's current revision; no log rows exist after it. */
  current: number;
  /** Start strictly after this key; ('', '') starts at the beginning (names are never empty). */
  after: ListKey;
  /** 0 for no limit. */
  limit: number;
  predicate?: (obj: KubeObject) => boolean;
}

/** A page and where the next one starts. */
export interface Page {
  items: KubeObject[];
  /** The last key returned, when more matching items follow it. */
  next?: ListKey;
  /** Items after the page (set only without a predicate, when `next` is set). */
  remaining?: number;
}

interface Entry extends ListKey {
  body: string;
}

/**
 * Reads one page (synchronously; run it inside a read transaction so every
 * statement sees one snapshot of the database).
 */
export function readPage(stmts: Statements, req: PageRequest): Page {
  const { resource, namespace, after } = req;
  let startName = after.name;
  if (namespace) {
    const c = compareText(after.namespace, namespace);
    if (c > 0) return { items: [] };
    if (c < 0) startName = '';
  }
  const changed =
    req.revision < req.current
      ? firstPerKey(
          namespace
            ? stmts.changedSinceInNamespace.all(resource, req.revision, namespace, startName)
            : stmts.changedSince.all(resource, req.revision, after.namespace, after.name),
        )
      : [];
  const rows = namespace
    ? stmts.objectsAfterInNamespace.iterate(resource, namespace, startName)
    : stmts.objectsAfter.iterate(resource, after.namespace, after.name);

  const items: KubeObject[] = [];
  let last: ListKey | undefined;
  let more = false;
  // Breaking out of the merged generator closes the statement iterator too.
  for (const entry of merge(rows, changed)) {
    const obj = JSON.parse(entry.body) as KubeObject;
    if (req.predicate && !req.predicate(obj)) continue;
    if (req.limit > 0 && items.length === req.limit) {
      more = true;
      break;
    }
    items.push(obj);
    last = entry;
  }
  if (!more || !last) return { items };
  const next = { namespace: last.namespace, name: last.name };
  if (req.predicate) return { items, next };
  return { items, next, remaining: countAfter(stmts, req, next, changed) };
}

/** Merges current rows with the at-revision state of keys changed since, both in list order. */
function* merge(rows: Iterable<ObjectRow>, changed: ChangedRow[]): Generator<Entry> {
  let i = 0;
  for (const row of rows) {
    while (i < changed.length && compareKeys(changed[i], row) < 0) {
      const c = changed[i++];
      if (c.prev_body !== null) yield { namespace: c.namespace, name: c.name, body: c.prev_body };
    }
    if (i < changed.length && compareKeys(changed[i], row) === 0) {
      const c = changed[i++];
      if (c.prev_body !== null) yield { namespace: c.namespace, name: c.name, body: c.prev_body };
      continue;
    }
    yield row;
  }
  for (; i < changed.length; i++) {
    const c = changed[i];
    if (c.prev_body !== null) yield { namespace: c.namespace, name: c.name, body: c.prev_body };
  }
}

/** The number of at-revision items after `key`: current rows after it, corrected for keys changed since. */
function countAfter(stmts: Statements, req: PageRequest, key: ListKey, changed: ChangedRow[]): number {
  let n = req.namespace
    ? stmts.countAfterInNamespace.get(req.resource, req.namespace, key.name)!
    : stmts.countAfter.get(req.resource, key.namespace, key.name)!;
  for (const c of changed) {
    if (compareKeys(c, key) <= 0) continue;
    n += (c.prev_body !== null ? 1 : 0) - c.present;
  }
  return n;
}

/** Keeps the first row of each key from rows ordered by (key, revision). */
function firstPerKey(rows: ChangedRow[]): ChangedRow[] {
  const out: ChangedRow[] = [];
  for (const row of rows) {
    const prev = out[out.length - 1];
    if (prev && prev.namespace === row.namespace && prev.name === row.name) continue;
    out.push(row);
  }
  return out;
}

function compareKeys(a: ListKey, b: ListKey): number {
  return compareText(a.namespace, b.namespace) || compareText(a.name, b.name);
}

/** Compares as SQLite's BINARY collation does (UTF-8 bytes), which UTF-16 order differs from past the BMP. */
function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
