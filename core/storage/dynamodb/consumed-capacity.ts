/**
 * Optional accounting of what each DynamoDB call of the store costs: when a
 * hook is given, every call is sent with `ReturnConsumedCapacity: 'TOTAL'`
 * and the hook receives the capacity DynamoDB reports. It is one client
 * middleware, so no verb's code changes; benchmarks and cost dashboards use it.
 */
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StoreLogger } from './context.ts';

/**
 * Receives the capacity one successful DynamoDB call consumed. `operation`
 * is the API name (`GetItem`, `Query`, `UpdateItem`, `BatchWriteItem`,
 * `TransactWriteItems`); `capacity` has one entry per table the call touched.
 * Calls that fail (a cancelled transaction, a failed condition) report
 * nothing, since DynamoDB returns no ConsumedCapacity with an error. Called
 * synchronously in the caller's async context; what it throws is logged and
 * dropped, never failing the call.
 */
export type ConsumedCapacityHook = (operation: string, capacity: ConsumedCapacity[]) => void;

/** The operations that accept ReturnConsumedCapacity (the store uses a subset). */
const ACCOUNTED = new Set([
  'GetItem',
  'Query',
  'Scan',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);

/**
 * Makes `doc` report consumed capacity to `hook`. The document client shares
 * its middleware stack with the client it wraps, which a caller may have
 * passed in, so the stack is cloned first: the caller's client is untouched.
 */
export function reportConsumedCapacity(
  doc: DynamoDBDocumentClient,
  hook: ConsumedCapacityHook,
  logger: StoreLogger,
): void {
  doc.middlewareStack = doc.middlewareStack.clone();
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      if (!ACCOUNTED.has(operation)) return next(args);
      const out = await next({ ...args, input: { ...(args.input as object), ReturnConsumedCapacity: 'TOTAL' } });
      const consumed = (out.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
      if (consumed) {
        try {
          hook(operation, Array.isArray(consumed) ? consumed : [consumed]);
        } catch (e) {
          logger.warn({ operation, error: String(e) }, 'consumed-capacity hook failed');
        }
      }
      return out;
    },
    { step: 'initialize', name: 'skubeConsumedCapacity' },
  );
}
