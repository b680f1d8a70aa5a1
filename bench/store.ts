/**
 * `npm run bench:store`: the storage backends side by side in one run. The
 * SQLite store (embedded; default durability, and fsync per commit), the
 * DynamoDB store against DynamoDB Local, and etcd as the reference (one
 * member on loopback, driven as kube-apiserver drives it): create, status
 * update, get (ops/s, p50/p99) and list of a namespace (p50/p99) at 1 and 16
 * concurrent writers, watch delivery latency, and for DynamoDB the capacity
 * units and dollars per Kubernetes operation. Then the SQLite store and etcd
 * again in alternating rounds of 16-writer writes, for the issue's
 * throughput ratio. Prints one JSON document; a measurement, not a test.
 *
 * Environment: BENCH_STORE_BACKENDS (comma list of sqlite, sqlite-fsync,
 * etcd, dynamodb; default all), BENCH_STORE_OPS (per phase, default 2000),
 * BENCH_STORE_SECONDS (per phase, default 10), BENCH_STORE_LIST_SIZE
 * (default 1000), BENCH_STORE_LIST_OPS (default 100), BENCH_STORE_CAPACITY_OPS
 * (default 20), BENCH_STORE_ROUNDS (SQLite-vs-etcd rounds, default 3).
 * BENCH_STORE_QUICK=1 lowers the defaults to 500, 1, 50, 10, 4 and 1 for a
 * run of about a minute.
 * DynamoDB needs Java (DynamoDB Local) or SKUBE_TEST_DYNAMODB_ENDPOINT; etcd
 * needs Debian's `etcd-server`; a missing one is reported as skipped.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { compressBody } from '../core/storage/dynamodb/body-codec.ts';
import { dynamoDbLocalDir, dynamoForTests } from '../test/support/emulators.ts';
import { CapacityMeter, type CapacityPerOp } from './store-capacity.ts';
import { startEtcd } from './store-etcd.ts';
import { type HeadToHead, headToHead } from './store-head-to-head.ts';
import { makeBenchPod, withStatusUpdate } from './store-pod.ts';
import { dynamoTarget, etcdTarget, sqliteTarget, type StoreTarget } from './store-targets.ts';
import { fillNamespace, type LevelResult, type PhaseLimits, podName, runLevel } from './store-workload.ts';

const BACKENDS = ['sqlite', 'sqlite-fsync', 'etcd', 'dynamodb'] as const;
type Backend = (typeof BACKENDS)[number];

const QUICK = process.env.BENCH_STORE_QUICK === '1';
const env = (name: string, full: number, quick: number) => {
  const v = Number(process.env[name] ?? (QUICK ? quick : full));
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};
const CONFIG = {
  quick: QUICK,
  writers: [1, 16],
  opsPerPhase: env('BENCH_STORE_OPS', 2000, 500),
  secondsPerPhase: env('BENCH_STORE_SECONDS', 10, 1),
  listSize: env('BENCH_STORE_LIST_SIZE', 1000, 50),
  listOps: env('BENCH_STORE_LIST_OPS', 100, 10),
  capacityOps: env('BENCH_STORE_CAPACITY_OPS', 20, 4),
  rounds: env('BENCH_STORE_ROUNDS', 3, 1),
};
const LIST_NS = 'bench-list';

/** The DynamoDB targets of the issue: WRU per pod create and per status update. */
const WRU_TARGETS = { podCreate: 6, podStatusUpdate: 4 };

interface BackendResult {
  skipped?: string;
  version?: string;
  /** Wall time of the whole backend, start-up included. */
  seconds?: number;
  fillListSeconds?: number;
  levels?: LevelResult[];
  capacity?: Record<string, CapacityPerOp>;
}

/** Runs the levels against a target, then closes it (and whatever `stop` releases). */
async function measure(target: StoreTarget, stop: () => Promise<void>, extra?: () => Promise<void>) {
  const result: BackendResult = { levels: [] };
  try {
    const started = performance.now();
    await fillNamespace(target, LIST_NS, CONFIG.listSize);
    result.fillListSeconds = Math.round(performance.now() - started) / 1000;
    const limits: PhaseLimits = { ops: CONFIG.opsPerPhase, seconds: CONFIG.secondsPerPhase };
    const listLimits: PhaseLimits = { ops: CONFIG.listOps, seconds: CONFIG.secondsPerPhase };
    for (const writers of CONFIG.writers) {
      result.levels!.push(await runLevel(target, writers, limits, LIST_NS, listLimits));
    }
    await extra?.();
  } finally {
    await target.close();
    await stop();
  }
  return result;
}

/** DynamoDB capacity per Kubernetes operation, one operation at a time and with no watch open (watch polls cost too). */
async function measureCapacity(target: StoreTarget, meter: CapacityMeter): Promise<void> {
  const ns = 'bench-capacity';
  const rvs: string[] = [];
  for (let i = 0; i < CONFIG.capacityOps; i++) {
    rvs[i] = await meter.measure('podCreate', () => target.create(makeBenchPod(ns, podName(i))));
  }
  for (let i = 0; i < CONFIG.capacityOps; i++) {
    const pod = withStatusUpdate(makeBenchPod(ns, podName(i)), i + 1);
    rvs[i] = await meter.measure('podStatusUpdate', () => target.update(pod, rvs[i]));
  }
  for (let i = 0; i < CONFIG.capacityOps; i++) await meter.measure('get', () => target.get(ns, podName(i)));
  const lists = Math.max(1, Math.round(CONFIG.capacityOps / 4));
  for (let i = 0; i < lists; i++) await meter.measure(`list${CONFIG.listSize}`, () => target.list(LIST_NS));
  for (let i = 0; i < CONFIG.capacityOps; i++) await meter.measure('podDelete', () => target.delete(ns, podName(i)));
}

async function runBackend(backend: Backend, meter: CapacityMeter): Promise<BackendResult> {
  switch (backend) {
    case 'sqlite':
      return measure(sqliteTarget('sqlite', 'process-crash'), async () => {});
    case 'sqlite-fsync':
      return measure(sqliteTarget('sqlite-fsync', 'power-loss'), async () => {});
    case 'etcd': {
      const etcd = await startEtcd().catch((e: Error) => e);
      if (etcd instanceof Error) return { skipped: etcd.message };
      return { version: etcd.version, ...(await measure(etcdTarget(etcd.endpoint), () => etcd.stop())) };
    }
    case 'dynamodb': {
      const dynamo = await dynamoForTests();
      if ('skip' in dynamo) return { skipped: dynamo.skip };
      const target = await dynamoTarget(dynamo.endpoint, meter);
      const result = await measure(
        target,
        () => dynamo.stop(),
        () => measureCapacity(target, meter),
      );
      const version = dynamo.source === 'dynamodb-local' ? dynamoLocalVersion() : `endpoint ${dynamo.endpoint}`;
      return { version, ...result, capacity: meter.summary() };
    }
  }
}

/** The version of the DynamoDB Local jar, from its Maven metadata (needs `unzip`). */
function dynamoLocalVersion(): string | undefined {
  const jar = join(dynamoDbLocalDir(), 'DynamoDBLocal.jar');
  const out = spawnSync('unzip', ['-p', jar, 'META-INF/maven/com/amazonaws/DynamoDBLocal/pom.properties'], {
    encoding: 'utf8',
  });
  return out.status === 0 ? /version=(\S+)/.exec(out.stdout)?.[1] : undefined;
}

/** Write throughput of `a` over `b` at `writers` in their own levels (measured minutes apart). */
function levelRatio(a: BackendResult | undefined, b: BackendResult | undefined, writers: number) {
  const la = a?.levels?.find((l) => l.writers === writers);
  const lb = b?.levels?.find((l) => l.writers === writers);
  if (!la || !lb) return undefined;
  const r = (x: number, y: number) => Math.round((x / y) * 100) / 100;
  const writes = (l: LevelResult) => (l.create.ops + l.update.ops) / (l.create.seconds + l.update.seconds);
  return {
    create: r(la.create.perSecond, lb.create.perSecond),
    update: r(la.update.perSecond, lb.update.perSecond),
    writes: r(writes(la), writes(lb)),
  };
}

/** The SQLite targets against a fresh etcd in alternating rounds at 16 writers (see `store-head-to-head.ts`). */
async function runHeadToHead(withFsync: boolean): Promise<HeadToHead | { skipped: string }> {
  const etcd = await startEtcd().catch((e: Error) => e);
  if (etcd instanceof Error) return { skipped: etcd.message };
  const targets = [sqliteTarget('sqlite', 'process-crash')];
  if (withFsync) targets.push(sqliteTarget('sqlite-fsync', 'power-loss'));
  const reference = etcdTarget(etcd.endpoint);
  try {
    const limits = { ops: Math.min(CONFIG.opsPerPhase, 1000), seconds: CONFIG.secondsPerPhase };
    return await headToHead(targets, reference, 16, limits, CONFIG.rounds);
  } finally {
    for (const t of [...targets, reference]) await t.close();
    await etcd.stop();
  }
}

async function main() {
  const chosen = (process.env.BENCH_STORE_BACKENDS ?? BACKENDS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean) as Backend[];
  for (const b of chosen)
    if (!BACKENDS.includes(b)) throw new Error(`unknown backend ${b}; one of ${BACKENDS.join(', ')}`);
  const sample = JSON.stringify(makeBenchPod('bench-c16', podName(0)));
  const output: Record<string, unknown> = {
    benchmark: 'store',
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
      note: 'shared, noisy machine: compare backends within one run, not across runs',
    },
    config: {
      ...CONFIG,
      podJsonBytes: Buffer.byteLength(sample),
      podGzipBytes: gzipSync(sample).length,
      podStoredBytesDynamoDb: compressBody(sample).length,
    },
  };
  const meter = new CapacityMeter();
  const results: Partial<Record<Backend, BackendResult>> = {};
  for (const b of chosen) {
    process.stderr.write(`bench:store: ${b}…\n`);
    const started = performance.now();
    results[b] = await runBackend(b, meter);
    results[b].seconds = Math.round(performance.now() - started) / 1000;
  }
  output.backends = results;
  let h2h: HeadToHead | undefined;
  if (chosen.includes('sqlite') && chosen.includes('etcd') && !results.etcd?.skipped) {
    process.stderr.write('bench:store: sqlite vs etcd in alternating rounds…\n');
    const out = await runHeadToHead(chosen.includes('sqlite-fsync'));
    output.headToHead = out;
    if (!('skipped' in out)) h2h = out;
  }

  const capacity = results.dynamodb?.capacity;
  const wru = (op: keyof typeof WRU_TARGETS) => capacity?.[op]?.wru;
  const versusEtcd = (name: 'sqlite' | 'sqlite-fsync') => {
    const median = h2h?.medianRatio[name];
    const levels = levelRatio(results[name], results.etcd, 16);
    if (!median && !levels) return undefined;
    return {
      alternatingRoundsMedian: median,
      levelsMinutesApart: levels,
      target: '>= 1',
      met: median && median.writes >= 1,
    };
  };
  output.targets = {
    sqliteOverEtcdWriteThroughputAt16Writers: versusEtcd('sqlite'),
    sqliteFsyncOverEtcdWriteThroughputAt16Writers: versusEtcd('sqlite-fsync'),
    dynamoWruPerPodCreate: wru('podCreate') !== undefined && {
      measured: wru('podCreate'),
      target: `<= ${WRU_TARGETS.podCreate}`,
      met: wru('podCreate')! <= WRU_TARGETS.podCreate,
    },
    dynamoWruPerStatusUpdate: wru('podStatusUpdate') !== undefined && {
      measured: wru('podStatusUpdate'),
      target: `<= ${WRU_TARGETS.podStatusUpdate}`,
      met: wru('podStatusUpdate')! <= WRU_TARGETS.podStatusUpdate,
    },
  };
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
