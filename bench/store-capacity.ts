/**
 * DynamoDB capacity per Kubernetes operation. Each measured store verb runs
 * inside `meter.measure(op, fn)`; the store's `onConsumedCapacity` hook
 * reports what DynamoDB Local charged for every call, attributed to the
 * current operation through AsyncLocalStorage.
 *
 * DynamoDB Local's figures for TransactWriteItems are not AWS's (1.25.1
 * charges 4 units per KB instead of 2 and counts items of equal size in a
 * table once: 4 for one item of 10 bytes and still 4 for four of them, where
 * AWS charges 2 and 8), so a client middleware also prices every call by
 * AWS's published rules from the item sizes it sees: writes 1 WRU per KB of
 * the larger of the old and new item, doubled inside a transaction; reads
 * 1 RRU per 4 KB of the items read (summed over a Query page, whatever the
 * projection), half for eventually consistent reads. Dollars come from that
 * model. Failed calls (cancelled transactions under contention) are not
 * counted: DynamoDB returns no capacity with an error.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** On-demand list prices in us-east-1 (since Nov 2024): dollars per million request units. */
export const ON_DEMAND_USD_PER_MILLION = { wru: 0.625, rru: 0.125 };

type Units = { wru: number; rru: number };

interface Tally {
  ops: number;
  reported: Units;
  model: Units;
  /** DynamoDB calls made, by API name. */
  calls: Record<string, number>;
}

/** Per-operation averages, as the benchmark prints them. */
export interface CapacityPerOp {
  ops: number;
  /** AWS pricing of the calls made (see the module comment). */
  wru: number;
  rru: number;
  usdPerMillionOps: number;
  /** What DynamoDB Local reported for the same calls. */
  dynamoDbLocalReported: Units;
  /** DynamoDB calls per operation, by API name. */
  callsPerOp: Record<string, number>;
}

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
type Doc = Record<string, unknown>;

/** Collects capacity per benchmark operation; see the module comment. */
export class CapacityMeter {
  private readonly current = new AsyncLocalStorage<Tally>();
  private readonly tallies = new Map<string, Tally>();
  /** Stored item sizes (bytes) by `table|pk|sk`, learnt from the writes that went through the client. */
  private readonly sizes = new Map<string, number>();

  /** The store's `onConsumedCapacity` hook. */
  readonly hook = (operation: string, capacity: ConsumedCapacity[]): void => {
    const tally = this.current.getStore();
    if (!tally) return;
    const units = capacity.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
    if (READS.has(operation)) tally.reported.rru += units;
    else tally.reported.wru += units;
  };

  /** Runs `fn` as one operation of kind `op`; calls it makes count towards `op`. */
  measure<T>(op: string, fn: () => Promise<T>): Promise<T> {
    let tally = this.tallies.get(op);
    if (!tally) {
      tally = { ops: 0, reported: { wru: 0, rru: 0 }, model: { wru: 0, rru: 0 }, calls: {} };
      this.tallies.set(op, tally);
    }
    tally.ops++;
    return this.current.run(tally, fn);
  }

  /** Adds the pricing middleware to `client`; call before building the store over it. */
  instrument(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = (context.commandName ?? '').replace(/Command$/, '');
        const input = args.input as Doc;
        const out = await next(args);
        const tally = this.current.getStore();
        const units = this.price(operation, input, out.output as unknown as Doc);
        if (tally) {
          tally.calls[operation] = (tally.calls[operation] ?? 0) + 1;
          tally.model.wru += units.wru;
          tally.model.rru += units.rru;
        }
        return out;
      },
      // Before the document client marshals: inputs and outputs are plain values here.
      { step: 'initialize', name: 'benchCapacityModel' },
    );
  }

  /** Averages per operation of every kind measured. */
  summary(): Record<string, CapacityPerOp> {
    const out: Record<string, CapacityPerOp> = {};
    for (const [op, t] of this.tallies) {
      const per = (n: number) => round(n / t.ops);
      const wru = per(t.model.wru);
      const rru = per(t.model.rru);
      out[op] = {
        ops: t.ops,
        wru,
        rru,
        usdPerMillionOps: round(wru * ON_DEMAND_USD_PER_MILLION.wru + rru * ON_DEMAND_USD_PER_MILLION.rru),
        dynamoDbLocalReported: { wru: per(t.reported.wru), rru: per(t.reported.rru) },
        callsPerOp: Object.fromEntries(Object.entries(t.calls).map(([k, n]) => [k, per(n)])),
      };
    }
    return out;
  }

  /** AWS's charge for one successful call, updating the known item sizes. */
  private price(operation: string, input: Doc, output: Doc): Units {
    const table = String(input.TableName ?? '');
    switch (operation) {
      case 'GetItem': {
        const item = output.Item as Doc | undefined;
        const size = this.sizes.get(keyOf(table, input.Key as Doc)) ?? (item ? itemSize(item) : 0);
        return { wru: 0, rru: readUnits(size, input.ConsistentRead === true) };
      }
      case 'Query': {
        const pk = (input.ExpressionAttributeValues as Doc | undefined)?.[':pk'];
        let size = 0;
        for (const item of (output.Items as Doc[] | undefined) ?? []) {
          size += this.sizes.get(`${table}|${String(pk)}|${String(item.sk)}`) ?? itemSize(item);
        }
        return { wru: 0, rru: readUnits(size, input.ConsistentRead === true) };
      }
      case 'TransactWriteItems': {
        let units = 0;
        for (const action of (input.TransactItems as Doc[]) ?? []) units += 2 * this.write(action);
        return { wru: units, rru: 0 };
      }
      case 'BatchWriteItem': {
        let units = 0;
        for (const [t, requests] of Object.entries((input.RequestItems as Record<string, Doc[]>) ?? {})) {
          for (const r of requests) units += this.write(r, t);
        }
        return { wru: units, rru: 0 };
      }
      case 'PutItem':
      case 'UpdateItem':
      case 'DeleteItem':
        return { wru: this.write({ [operation.replace('Item', '')]: input }), rru: 0 };
      default:
        return { wru: 0, rru: 0 };
    }
  }

  /** Write units of one Put/Update/Delete/ConditionCheck action (not doubled); records the new size. */
  private write(action: Doc, batchTable?: string): number {
    const [kind, body] = Object.entries(action)[0] as [string, Doc];
    const table = String(body.TableName ?? batchTable ?? '');
    if (kind === 'Put' || kind === 'PutRequest') {
      const item = body.Item as Doc;
      const key = keyOf(table, item);
      const size = itemSize(item);
      const units = writeUnits(Math.max(size, this.sizes.get(key) ?? 0));
      this.sizes.set(key, size);
      return units;
    }
    const key = keyOf(table, body.Key as Doc);
    const old = this.sizes.get(key) ?? 0;
    if (kind === 'Delete' || kind === 'DeleteRequest') this.sizes.delete(key);
    // Updates here only touch small head items (a delete's revision floor), which stay within one unit.
    return writeUnits(old);
  }
}

/** 1 WRU per KB, at least 1. */
const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
/** 1 RRU per 4 KB strongly consistent, half that eventually consistent, at least one unit. */
const readUnits = (bytes: number, consistent: boolean) => Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

const keyOf = (table: string, item: Doc) => `${table}|${String(item.pk)}|${String(item.sk)}`;

/** An item's size as DynamoDB counts it: attribute names plus values (numbers ≈ 1 byte per 2 digits + 1). */
export function itemSize(item: Doc): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name);
    if (typeof value === 'string') bytes += Buffer.byteLength(value);
    else if (value instanceof Uint8Array) bytes += value.byteLength;
    else if (typeof value === 'number') bytes += Math.ceil(String(Math.abs(value)).replace(/[.-]/g, '').length / 2) + 1;
    else bytes += 1;
  }
  return bytes;
}

const round = (n: number) => Math.round(n * 1000) / 1000;
