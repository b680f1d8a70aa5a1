/**
 * The Store conformance suite: every backend (SQLite, DynamoDB) runs it, as
 * Kubernetes' storage tests run against each `storage.Interface`. It uses
 * only the Store interface, and waits for events with deadlines rather than
 * sleeping, so a backend with asynchronous delivery passes it too.
 */
import { describe } from 'vitest';
import { describeConditional } from './store/conditional.ts';
import { type MakeStore, StoreContext } from './store/context.ts';
import { describeCrud } from './store/crud.ts';
import { describeCompaction, describeRestart } from './store/durability.ts';
import { describeList } from './store/list.ts';
import { describeWatch } from './store/watch.ts';

export type { MakeStore, StoreHarness } from './store/context.ts';

/** What a backend's harness supports. */
export interface StoreConformanceOptions {
  /** Run the restart cases (default true); the harness must then provide `reopen`. */
  restart?: boolean;
}

/**
 * Registers the conformance `describe` blocks for a backend. `makeStore`
 * returns a fresh, empty store per test (with `reopen` for restart cases)
 * and a `cleanup` that closes it and removes its data.
 */
export function runStoreConformance(name: string, makeStore: MakeStore, options: StoreConformanceOptions = {}): void {
  describe(`Store conformance: ${name}`, () => {
    const ctx = new StoreContext(makeStore);
    describeCrud(ctx);
    describeList(ctx);
    describeConditional(ctx);
    describeWatch(ctx);
    describeCompaction(ctx);
    if (options.restart ?? true) describeRestart(ctx);
  });
}
