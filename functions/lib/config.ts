/**
 * Configuration of the Lambda functions, read from the environment once per
 * container (at cold start) and validated with zod. A missing or malformed
 * variable fails the start with one message naming every bad variable. This
 * is the only file under `functions/` that reads `process.env`; libraries read
 * their own conventional variables (`POWERTOOLS_LOG_LEVEL`, the SDK's
 * credentials), which are not repeated here.
 */
import { z } from 'zod';
import { parseCidr } from '../../core/registry/allocators.ts';

/** What every function needs: where the store and the queues are. */
export interface CommonConfig {
  region: string;
  /** Tables `<tablePrefix>-objects` and `<tablePrefix>-log`. */
  tablePrefix: string;
  /** DynamoDB endpoint (DynamoDB Local, LocalStack); undefined means AWS's regional endpoint. */
  dynamodbEndpoint?: string;
  /** SQS endpoint (moto, LocalStack); undefined means AWS's regional endpoint. */
  sqsEndpoint?: string;
  /** ClusterIP range; the registry releases and allocates from it on every write path. */
  serviceCidr: string;
  nodePortRange: { min: number; max: number };
  /** CloudWatch namespace of the functions' EMF metrics. */
  metricsNamespace: string;
}

/** Settings of the bounded long-poll that stands in for a streamed watch. */
export interface WatchPollConfig {
  /** The longest a watch request is held, seconds (API Gateway REST cuts integrations at 29 s). */
  capSeconds: number;
  /** After the first event arrives, how much longer to collect before answering, ms. */
  batchWindowMs: number;
}

/** Configuration of the API server function. */
export interface ApiserverConfig extends CommonConfig {
  /** SHA-256 (hex) of each admin bearer token; the tokens themselves never reach the function. */
  adminTokenHashes: string[];
  /** `host:port` advertised in `/api`. */
  serverAddress: string;
  watch: WatchPollConfig;
}

/** Configuration of the controller functions (queue consumer, resync, stream consumer). */
export interface ControllerConfig extends CommonConfig {
  /** The SQS work queue every controller's keys go through. */
  workQueueUrl: string;
  /** The prefix of node wake-up queue names the stream consumer rings (`skube-node-` unless the stack sets another). */
  nodeQueuePrefix: string;
}

/** Configuration of the scheduler function. */
export interface SchedulerFunctionConfig extends CommonConfig {
  /** Pods with this `spec.schedulerName` are scheduled (default `default-scheduler`). */
  schedulerName: string;
}

/** Thrown when the environment does not hold a valid configuration; the message lists every problem. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The environment as the loaders read it. */
export type Environment = Record<string, string | undefined>;

/** Names a missing variable "required" instead of zod's type message. */
const missing = { error: (issue: { input: unknown }) => (issue.input === undefined ? 'required' : undefined) };
const nonEmpty = z.string(missing).trim().min(1, 'required');
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.url().optional());
const cidr = z.string().refine((v) => {
  try {
    parseCidr(v);
    return true;
  } catch {
    return false;
  }
}, 'must be an IPv4 CIDR with a prefix of /8 to /30, such as 10.96.0.0/12');
const portRange = z
  .string()
  .regex(/^\d+-\d+$/, 'must be <min>-<max>, such as 30000-32767')
  .transform((v) => {
    const [min, max] = v.split('-').map(Number);
    return { min, max };
  })
  .refine((r) => r.min >= 1 && r.min <= r.max && r.max <= 65535, 'must satisfy 1 <= min <= max <= 65535');
const integer = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const sha256List = z
  .string(missing)
  .trim()
  .min(1, 'required')
  .transform((v) => v.split(',').map((h) => h.trim().toLowerCase()))
  .refine((hashes) => hashes.every((h) => /^[0-9a-f]{64}$/.test(h)), 'must be comma-separated SHA-256 hex digests');

const common = {
  AWS_REGION: nonEmpty,
  SKUBE_TABLE_PREFIX: nonEmpty,
  SKUBE_DYNAMODB_ENDPOINT: optionalUrl,
  SKUBE_SQS_ENDPOINT: optionalUrl,
  SKUBE_SERVICE_CIDR: cidr.default('10.96.0.0/12'),
  SKUBE_NODE_PORT_RANGE: portRange.default({ min: 30000, max: 32767 }),
  SKUBE_METRICS_NAMESPACE: nonEmpty.default('skube'),
};

const apiserverSchema = z.object({
  ...common,
  SKUBE_ADMIN_TOKEN_SHA256: sha256List,
  SKUBE_SERVER_ADDRESS: nonEmpty.default('kubernetes.default.svc:443'),
  SKUBE_WATCH_CAP_SECONDS: integer(1, 900, 25),
  SKUBE_WATCH_BATCH_WINDOW_MS: integer(0, 900_000, 1000),
});

const controllerSchema = z.object({
  ...common,
  SKUBE_WORK_QUEUE_URL: z.url(missing),
  SKUBE_NODE_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,60}$/, 'must be 1-60 letters, digits, - or _')
    .default('skube-node-'),
});

const schedulerSchema = z.object({ ...common, SKUBE_SCHEDULER_NAME: nonEmpty.default('default-scheduler') });

function commonOf(
  env: z.infer<typeof apiserverSchema> | z.infer<typeof controllerSchema> | z.infer<typeof schedulerSchema>,
): CommonConfig {
  return {
    region: env.AWS_REGION,
    tablePrefix: env.SKUBE_TABLE_PREFIX,
    dynamodbEndpoint: env.SKUBE_DYNAMODB_ENDPOINT,
    sqsEndpoint: env.SKUBE_SQS_ENDPOINT,
    serviceCidr: env.SKUBE_SERVICE_CIDR,
    nodePortRange: env.SKUBE_NODE_PORT_RANGE,
    metricsNamespace: env.SKUBE_METRICS_NAMESPACE,
  };
}

function parse<T extends z.ZodType>(schema: T, env: Environment, what: string): z.infer<T> {
  const out = schema.safeParse(env);
  if (out.success) return out.data;
  const problems = out.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`);
  throw new ConfigError(`invalid ${what} configuration: ${problems.join('; ')}`);
}

/** Reads the API server function's configuration from `env`. Throws ConfigError naming every bad variable. */
export function loadApiserverConfig(env: Environment = process.env): ApiserverConfig {
  const e = parse(apiserverSchema, env, 'apiserver');
  return {
    ...commonOf(e),
    adminTokenHashes: e.SKUBE_ADMIN_TOKEN_SHA256,
    serverAddress: e.SKUBE_SERVER_ADDRESS,
    watch: { capSeconds: e.SKUBE_WATCH_CAP_SECONDS, batchWindowMs: e.SKUBE_WATCH_BATCH_WINDOW_MS },
  };
}

/** Reads a controller function's configuration from `env`. Throws ConfigError naming every bad variable. */
export function loadControllerConfig(env: Environment = process.env): ControllerConfig {
  const e = parse(controllerSchema, env, 'controller');
  return { ...commonOf(e), workQueueUrl: e.SKUBE_WORK_QUEUE_URL, nodeQueuePrefix: e.SKUBE_NODE_QUEUE_PREFIX };
}

/** Reads the scheduler function's configuration from `env`. Throws ConfigError naming every bad variable. */
export function loadSchedulerConfig(env: Environment = process.env): SchedulerFunctionConfig {
  const e = parse(schedulerSchema, env, 'scheduler');
  return { ...commonOf(e), schedulerName: e.SKUBE_SCHEDULER_NAME };
}
