/**
 * Child process of the crash-safety test: creates objects in a loop and
 * prints each index on stdout once `create` has resolved (acknowledged),
 * until the parent kills it with SIGKILL. Usage: sqlite-crash-child.ts <db-path>
 */
import { createSqliteStore } from '../../../core/storage/sqlite/sqlite-store.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: sqlite-crash-child.ts <db-path>');
const store = createSqliteStore({ path });
for (let i = 0; ; i++) {
  const name = `obj-${i}`;
  await store.create({ resource: 'widgets', namespace: 'ns1', name }, { metadata: { name, namespace: 'ns1' } });
  // stdout to a pipe is synchronous on POSIX, so the parent never sees an index before the commit.
  process.stdout.write(`${i}\n`);
}
