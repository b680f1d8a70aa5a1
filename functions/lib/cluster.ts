/**
 * How the Lambda functions assemble their dependencies from configuration,
 * as `local/cluster.ts` does for `skube up`: the DynamoDB store, the registry
 * over it, the API handler behind the admin tokens, and the SQS work queue.
 * Built once per container; nothing here does I/O until first used, except
 * the API's one-time bootstrap of the system namespaces on its first request.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type Authenticator, MASTERS_GROUP, staticTokenAuthenticator } from '../../core/apiserver/auth.ts';
import { createApiHandler } from '../../core/apiserver/handler.ts';
import { clusterAuthorizer } from '../../core/apiserver/node-graph.ts';
import { nodeTokenAuthenticator } from '../../core/apiserver/node-tokens.ts';
import { errorResponse } from '../../core/apiserver/responses.ts';
import type { ApiHandler, Logger } from '../../core/apiserver/types.ts';
import { serviceUnavailable } from '../../core/errors/index.ts';
import { ensureSystemNamespaces } from '../../core/registry/bootstrap.ts';
import { Registry } from '../../core/registry/registry.ts';
import { createDynamoStore } from '../../core/storage/dynamodb/dynamo-store.ts';
import { type DynamoTableNames, tableNames } from '../../core/storage/dynamodb/tables.ts';
import type { Store } from '../../core/storage/store.ts';
import type { ApiserverConfig, CommonConfig, ControllerConfig } from './config.ts';
import { DynamoPendingMarks, pendingMarksTableName } from './dynamo-pending-marks.ts';
import { createSqsClient } from './sqs-client.ts';
import { SqsWorkQueue } from './sqs-work-queue.ts';

/** A DynamoDB client for `config`'s endpoint and region (credentials from the SDK's default chain). */
export function createDynamoClient(config: CommonConfig): DynamoDBClient {
  return new DynamoDBClient({
    region: config.region,
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
  });
}

/** The DynamoDB store of `config` (the container keeps it between invocations), over `client` when given. */
export function createStore(config: CommonConfig, logger?: Logger, client = createDynamoClient(config)): Store {
  return createDynamoStore({ client, tablePrefix: config.tablePrefix, logger });
}

/** The registry over `store` with the configured ClusterIP range and NodePort range. */
export function createRegistry(config: CommonConfig, store: Store): Registry {
  return new Registry({
    store,
    uid: randomUUID,
    random: Math.random,
    serviceCidr: config.serviceCidr,
    nodePortRange: config.nodePortRange,
  });
}

/** Authenticates the admin tokens whose SHA-256 digests are configured, as user `admin` in system:masters. */
export function adminAuthenticator(tokenHashes: readonly string[]): Authenticator {
  const user = { name: 'admin', groups: [MASTERS_GROUP, 'system:authenticated'] };
  return staticTokenAuthenticator(tokenHashes.map((tokenSha256) => ({ tokenSha256, user })));
}

/** What the API handler of a function is built from. */
export interface ApiAssembly {
  store: Store;
  registry: Registry;
  /** Answers every request; runs the bootstrap before the first one. */
  api: ApiHandler;
}

/**
 * The API handler for the Lambda function: the core handler with the admin
 * token authenticator. The system namespaces are ensured once per container,
 * before its first request; while that fails, requests are answered 503 and
 * the next one tries again.
 */
export function createApiAssembly(
  config: ApiserverConfig,
  logger: Logger,
  store = createStore(config, logger),
): ApiAssembly {
  const registry = createRegistry(config, store);
  const now = () => new Date();
  const core = createApiHandler({
    registry,
    authenticators: [adminAuthenticator(config.adminTokenHashes), nodeTokenAuthenticator({ registry })],
    authorizer: clusterAuthorizer(registry),
    logger,
    now,
    garbageCollector: true,
    serverAddress: config.serverAddress,
  });
  const bootstrap = once(() => ensureSystemNamespaces(registry, now));
  const api: ApiHandler = async (req) => {
    try {
      await bootstrap();
    } catch (e) {
      logger.error({ err: e }, 'bootstrap of the system namespaces failed');
      return errorResponse(serviceUnavailable('the API server is starting; please retry'));
    }
    return core(req);
  };
  return { store, registry, api };
}

/** What the controller functions are built from. */
export interface ControllerAssembly {
  dynamodb: DynamoDBClient;
  tables: DynamoTableNames;
  store: Store;
  registry: Registry;
  sqs: SQSClient;
  /**
   * A work queue for one invocation. Its pending marks live in the marks
   * table (`<prefix>-marks`), so a key is queued once while a message for it
   * waits, whichever container adds it.
   */
  workQueue(): SqsWorkQueue;
}

/** The store, registry and work queue of the controller functions. */
export function createControllerAssembly(config: ControllerConfig, logger: Logger): ControllerAssembly {
  const dynamodb = createDynamoClient(config);
  const store = createStore(config, logger, dynamodb);
  const sqs = createSqsClient({ region: config.region, endpoint: config.sqsEndpoint });
  const marks = new DynamoPendingMarks({
    client: dynamodb,
    tableName: pendingMarksTableName(config.tablePrefix),
    scope: queueNameOf(config.workQueueUrl),
  });
  return {
    dynamodb,
    tables: tableNames(config.tablePrefix),
    store,
    registry: createRegistry(config, store),
    sqs,
    workQueue: () => new SqsWorkQueue({ client: sqs, queueUrl: config.workQueueUrl, marks, logger }),
  };
}

/** The queue name at the end of an SQS queue URL. */
function queueNameOf(queueUrl: string): string {
  return queueUrl.slice(queueUrl.lastIndexOf('/') + 1);
}

/** Runs `fn` once; a failure is forgotten so the next call runs it again. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= fn().catch((e) => {
      running = undefined;
      throw e;
    });
    return running;
  };
}
