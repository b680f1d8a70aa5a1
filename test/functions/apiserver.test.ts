/**
 * The API server function end to end: REST API proxy events as API Gateway
 * sends them → the middy handler → the core API → the DynamoDB store on
 * DynamoDB Local (fresh tables per file), with Powertools output captured.
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { PROTOBUF_CONTENT_TYPE, PROTOBUF_MAGIC } from '../../core/api/protobuf/decode.ts';
import { MESSAGES, protoRoot } from '../../core/api/protobuf/schema.ts';
import type { Store, StoreWatch } from '../../core/storage/store.ts';
import { createHandler, handler as exportedHandler } from '../../functions/apiserver.ts';
import { createApiAssembly } from '../../functions/lib/cluster.ts';
import { loadApiserverConfig } from '../../functions/lib/config.ts';
import { coreLogger } from '../../functions/lib/observability.ts';
import { type DynamoHarness, dynamoHarness } from '../core/storage/dynamodb-harness.ts';
import { dynamoForTests, TEST_AWS } from '../support/emulators.ts';
import { type ApiEventInput, apiGatewayEvent, lambdaContext } from './support/lambda-events.ts';
import { type CapturedOutput, captureOutput, testObservability } from './support/observe.ts';

const dynamo = await dynamoForTests();
afterAll(() => ('stop' in dynamo ? dynamo.stop() : undefined));

const TOKEN = 'lambda-admin-token';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const CM = '/api/v1/namespaces/default/configmaps';
const CAP_SECONDS = 5;

/** The store, recording every watch opened through it and whether it was stopped. */
function trackWatches(store: Store): { store: Store; watches: { stopped: boolean }[] } {
  const watches: { stopped: boolean }[] = [];
  const tracked = new Proxy(store, {
    get(target, prop) {
      if (prop === 'watch') {
        return async (...args: Parameters<Store['watch']>): Promise<StoreWatch> => {
          const w = await target.watch(...args);
          const record = { stopped: false };
          watches.push(record);
          return {
            [Symbol.asyncIterator]: () => w[Symbol.asyncIterator](),
            stop: () => {
              record.stopped = true;
              w.stop();
            },
          };
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: tracked, watches };
}

/** A kubectl-style protobuf body for a ConfigMap, as `kubectl create configmap` sends it. */
function protobufConfigMap(name: string, data: Record<string, string>): Uint8Array {
  const raw = protoRoot.lookupType('k8s.io.api.core.v1.ConfigMap').encode({ metadata: { name }, data }).finish();
  const envelope = protoRoot
    .lookupType(MESSAGES.unknown)
    .encode({ typeMeta: { apiVersion: 'v1', kind: 'ConfigMap' }, raw, contentEncoding: '', contentType: '' })
    .finish();
  return Buffer.concat([PROTOBUF_MAGIC, envelope]);
}

const configMap = (name: string, data: Record<string, string> = { k: 'v' }) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

const bodyOf = (r: APIGatewayProxyResult): any => JSON.parse(r.body);

if ('skip' in dynamo) {
  console.warn(`skipping the apiserver function tests: ${dynamo.skip}`);
  describe.skip(`apiserver function (${dynamo.skip})`, () => {
    it('needs DynamoDB', () => {});
  });
} else {
  const endpoint = dynamo.endpoint;

  describe('apiserver function', () => {
    let harness: DynamoHarness;
    let watches: { stopped: boolean }[];
    let handler: ReturnType<typeof createHandler>;
    let output: CapturedOutput;

    beforeAll(async () => {
      harness = await dynamoHarness(endpoint);
      const config = loadApiserverConfig({
        AWS_REGION: 'us-east-1',
        SKUBE_TABLE_PREFIX: harness.prefix,
        SKUBE_DYNAMODB_ENDPOINT: endpoint,
        SKUBE_ADMIN_TOKEN_SHA256: sha256(TOKEN),
        SKUBE_WATCH_CAP_SECONDS: String(CAP_SECONDS),
        SKUBE_WATCH_BATCH_WINDOW_MS: '200',
      });
      const obs = testObservability('skube-apiserver');
      const tracked = trackWatches(harness.store);
      watches = tracked.watches;
      const { api } = createApiAssembly(config, coreLogger(obs.logger), tracked.store);
      handler = createHandler({ api, watch: config.watch, obs });
    });
    afterAll(() => harness?.cleanup());
    beforeEach(() => {
      output = captureOutput();
    });
    afterEach(() => output.restore());

    const invoke = (input: ApiEventInput & { token?: string | null }, remainingMs = 30_000) => {
      const headers: Record<string, string | string[]> = { Accept: 'application/json', ...input.headers };
      if (input.token !== null) headers.Authorization = `Bearer ${input.token ?? TOKEN}`;
      if (input.body !== undefined && !headers['Content-Type']) headers['Content-Type'] = 'application/json';
      return handler(apiGatewayEvent({ ...input, headers }), lambdaContext('skube-apiserver', remainingMs));
    };

    it('answers 401 Unauthorized without a token, and with an unknown one', async () => {
      for (const token of [null, 'not-the-token']) {
        const r = await invoke({ method: 'GET', url: CM, token });
        expect(r.statusCode).toBe(401);
        expect(bodyOf(r)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
      }
    });

    it.each(['/apis/example.com/v1/widgets', '/no/such/path'])('answers 404 for the unknown path %s', async (url) => {
      const r = await invoke({ method: 'GET', url });
      expect(r.statusCode).toBe(404);
      expect(bodyOf(r)).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
    });

    it('creates, gets and lists an object in the bootstrapped default namespace', async () => {
      const created = await invoke({
        method: 'POST',
        url: `${CM}?fieldManager=kubectl-create`,
        body: configMap('web'),
      });
      expect(created.statusCode).toBe(201);
      expect(bodyOf(created)).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'web', namespace: 'default' } });

      const got = await invoke({ method: 'GET', url: `${CM}/web` });
      expect(got.statusCode).toBe(200);
      expect(bodyOf(got)).toMatchObject({ data: { k: 'v' }, metadata: { uid: bodyOf(created).metadata.uid } });

      const listed = await invoke({ method: 'GET', url: `${CM}?limit=500` });
      expect(listed.statusCode).toBe(200);
      expect(bodyOf(listed).items.map((i: { metadata: { name: string } }) => i.metadata.name)).toContain('web');
    });

    it('decodes a base64 protobuf body as kubectl create sends it', async () => {
      const r = await invoke({
        method: 'POST',
        url: `${CM}?fieldManager=kubectl-create&fieldValidation=Strict`,
        headers: {
          'Content-Type': PROTOBUF_CONTENT_TYPE,
          Accept: `${PROTOBUF_CONTENT_TYPE}, application/json`,
        },
        body: protobufConfigMap('from-proto', { greeting: 'hello' }),
      });
      expect(r.statusCode).toBe(201);
      expect(r.headers?.['content-type']).toMatch(/^application\/json/);
      expect(bodyOf(r)).toMatchObject({
        kind: 'ConfigMap',
        metadata: { name: 'from-proto' },
        data: { greeting: 'hello' },
      });
      expect(bodyOf(await invoke({ method: 'GET', url: `${CM}/from-proto` })).data).toEqual({ greeting: 'hello' });
    });

    it.each<[string, ApiEventInput, number, string]>([
      ['an object that exists', { method: 'POST', url: CM, body: configMap('dup') }, 409, 'AlreadyExists'],
      ['an invalid name', { method: 'POST', url: CM, body: configMap('Not_Valid') }, 422, 'Invalid'],
      ['a missing object', { method: 'GET', url: `${CM}/absent` }, 404, 'NotFound'],
      ['a missing namespace', { method: 'GET', url: '/api/v1/namespaces/nowhere/configmaps/x' }, 404, 'NotFound'],
    ])('passes the Status for %s through with its code', async (_case, input, code, reason) => {
      await invoke({ method: 'POST', url: CM, body: configMap('dup') });
      const r = await invoke(input);
      expect(r.statusCode).toBe(code);
      expect(bodyOf(r)).toMatchObject({ kind: 'Status', status: 'Failure', code, reason });
    });

    it('answers a watch with an event created while it waits, within the cap, and stops the watch', async () => {
      const list = bodyOf(await invoke({ method: 'GET', url: CM }));
      const opened = watches.length;
      const started = Date.now();
      const watch = invoke({ method: 'GET', url: `${CM}?watch=true&resourceVersion=${list.metadata.resourceVersion}` });
      await vi.waitFor(() => expect(watches.length).toBe(opened + 1));
      await invoke({ method: 'POST', url: CM, body: configMap('while-watching') });
      const r = await watch;
      expect(Date.now() - started).toBeLessThan(CAP_SECONDS * 1000);
      expect(r.statusCode).toBe(200);
      expect(r.headers?.['content-type']).toBe('application/json');
      const events = r.body
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(events).toEqual([
        expect.objectContaining({ type: 'ADDED', object: expect.objectContaining({ kind: 'ConfigMap' }) }),
      ]);
      expect(events[0].object.metadata.name).toBe('while-watching');
      expect(watches[opened].stopped).toBe(true);
    });

    it('answers a quiet watch with an empty body once timeoutSeconds passes', async () => {
      const list = bodyOf(await invoke({ method: 'GET', url: CM }));
      const started = Date.now();
      const r = await invoke({
        method: 'GET',
        url: `${CM}?watch=1&timeoutSeconds=1&resourceVersion=${list.metadata.resourceVersion}`,
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(r).toMatchObject({ statusCode: 200, body: '' });
      expect(watches.at(-1)?.stopped).toBe(true);
    });

    it('sends a binary document base64-encoded', async () => {
      const r = await invoke({
        method: 'GET',
        url: '/openapi/v2',
        headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' },
      });
      expect(r.statusCode).toBe(200);
      expect(r.isBase64Encoded).toBe(true);
      // gnostic openapi_v2.Document { swagger: "2.0" }
      expect([...Buffer.from(r.body, 'base64')]).toEqual([0x0a, 0x03, 0x32, 0x2e, 0x30]);
    });

    it('logs one request line with verb, path and status and records count and latency metrics', async () => {
      await invoke({ method: 'GET', url: `${CM}/absent` });
      const [line] = output.logs('request');
      expect(line).toMatchObject({
        level: 'INFO',
        service: 'skube-apiserver',
        verb: 'GET',
        path: `${CM}/absent`,
        status: 404,
        function_name: 'skube-apiserver',
        cold_start: expect.any(Boolean),
      });
      const metrics = output.metrics();
      expect(metrics.ApiRequests).toEqual([1]);
      expect(metrics.ApiLatency).toHaveLength(1);
      expect(metrics.ApiServerErrors).toBeUndefined();
    });
  });

  describe('apiserver function entry point', () => {
    let harness: DynamoHarness;
    beforeAll(async () => {
      harness = await dynamoHarness(endpoint);
    });
    afterAll(() => harness?.cleanup());
    afterEach(() => vi.unstubAllEnvs());

    it('fails with the configuration problem until the environment is valid, then serves from it', async () => {
      const event = apiGatewayEvent({
        method: 'GET',
        url: '/api/v1/namespaces',
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      const context = lambdaContext('skube-apiserver');
      vi.stubEnv('SKUBE_TABLE_PREFIX', '');
      await expect(exportedHandler(event, context)).rejects.toThrow(
        /invalid apiserver configuration: .*SKUBE_TABLE_PREFIX/,
      );

      vi.stubEnv('AWS_REGION', TEST_AWS.region);
      vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_AWS.credentials.accessKeyId);
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_AWS.credentials.secretAccessKey);
      vi.stubEnv('SKUBE_TABLE_PREFIX', harness.prefix);
      vi.stubEnv('SKUBE_DYNAMODB_ENDPOINT', endpoint);
      vi.stubEnv('SKUBE_ADMIN_TOKEN_SHA256', sha256(TOKEN));
      vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
      const output = captureOutput();
      try {
        const r = await exportedHandler(event, context);
        expect(r.statusCode).toBe(200);
        const names = bodyOf(r).items.map((n: { metadata: { name: string } }) => n.metadata.name);
        expect(names).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public', 'kube-node-lease']));
      } finally {
        output.restore();
      }
    });
  });
}
