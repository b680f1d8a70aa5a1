/**
 * A local cluster on the DynamoDB store (DynamoDB Local, or the endpoint in
 * SKUBE_TEST_DYNAMODB_ENDPOINT), driven by the real kubectl: apply, get,
 * label, scale, `get -w`, namespace deletion through the namespace
 * controller (fed by the store's watch), a restart that keeps everything,
 * and the same changes arriving on the log table's stream as StoreEvents.
 */
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StreamStoreEvent, toStoreEvents } from '../../core/storage/dynamodb/stream-events.ts';
import { tableNames } from '../../core/storage/dynamodb/tables.ts';
import { createStreamPoller, latestStreamArn, type StreamPoller } from '../../functions/lib/stream-poller.ts';
import { dynamoForTests, TEST_AWS } from '../support/emulators.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/local-cluster.ts';

const MANIFEST = `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: shop
data:
  greeting: hello
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: registry.local/web:1.0
`;

const dynamo = await dynamoForTests();

if ('skip' in dynamo) {
  console.warn(`skipping the local cluster on DynamoDB: ${dynamo.skip}`);
  describe.skip(`local cluster on DynamoDB (${dynamo.skip})`, () => {
    it('needs DynamoDB', () => {});
  });
} else {
  describe('local cluster on DynamoDB', () => {
    const prefix = `skube-it-${randomBytes(6).toString('hex')}`;
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, ...TEST_AWS });
    const streams = new DynamoDBStreamsClient({ endpoint: dynamo.endpoint, ...TEST_AWS });
    const streamed: StreamStoreEvent[] = [];
    let poller: StreamPoller;
    let t: TestCluster;

    beforeAll(async () => {
      t = await startTestCluster({
        store: { kind: 'dynamodb', endpoint: dynamo.endpoint, ...TEST_AWS, tablePrefix: prefix },
      });
      poller = createStreamPoller({
        client: streams,
        streamArn: await latestStreamArn(client, tableNames(prefix).log),
        pollIntervalMs: 50,
        handler: async (records) => {
          const out = await toStoreEvents(records);
          if (out.failed.length > 0) throw out.failed[0].error;
          streamed.push(...out.events);
        },
        onPoison: (record, error) => {
          throw new Error(`record ${record.eventID} failed: ${(error as Error).message}`);
        },
      });
      await poller.start();
    });
    afterAll(async () => {
      await poller?.stop();
      await t?.cleanup();
      for (const TableName of Object.values(tableNames(prefix))) {
        await client.send(new DeleteTableCommand({ TableName })).catch(() => {});
      }
      client.destroy();
      streams.destroy();
      await dynamo.stop();
    });

    it('created its tables and the system namespaces', async () => {
      const out = await t.kubectlOk(['get', 'namespaces', '-o', 'name']);
      expect(out.split('\n')).toEqual(
        expect.arrayContaining(['namespace/default', 'namespace/kube-system', 'namespace/kube-public']),
      );
    });

    it('applies a manifest and gets it back', async () => {
      const applied = await t.kubectlOk(['apply', '-f', '-'], { input: MANIFEST });
      expect(applied).toContain('namespace/shop created');
      expect(applied).toContain('configmap/web-config created');
      expect(applied).toContain('deployment.apps/web created');
      const cm = JSON.parse(await t.kubectlOk(['get', 'cm', 'web-config', '-n', 'shop', '-o', 'json']));
      expect(cm.data).toEqual({ greeting: 'hello' });
      expect(Number(cm.metadata.resourceVersion)).toBeGreaterThan(0);
      const again = await t.kubectlOk(['apply', '-f', '-'], { input: MANIFEST });
      expect(again).toContain('configmap/web-config unchanged');
    });

    it('labels and scales', async () => {
      expect(await t.kubectlOk(['label', 'cm', 'web-config', '-n', 'shop', 'tier=frontend'])).toContain('labeled');
      const labels = await t.kubectlOk(['get', 'cm', 'web-config', '-n', 'shop', '-o', 'jsonpath={.metadata.labels}']);
      expect(JSON.parse(labels)).toEqual({ tier: 'frontend' });
      expect(await t.kubectlOk(['scale', 'deploy', 'web', '-n', 'shop', '--replicas=3'])).toContain('scaled');
      const replicas = await t.kubectlOk(['get', 'deploy', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.replicas}']);
      expect(replicas).toBe('3');
    });

    it('streams changes to kubectl get -w', async () => {
      const w = t.kubectlStream(['get', 'cm', '-n', 'shop', '-w', '--output-watch-events']);
      await eventually(() => w.output().includes('web-config'));
      await t.kubectlOk(['create', 'configmap', 'extra', '-n', 'shop', '--from-literal=k=v']);
      await t.kubectlOk(['label', 'cm', 'extra', '-n', 'shop', 'step=2']);
      await t.kubectlOk(['delete', 'cm', 'extra', '-n', 'shop']);
      await eventually(() => /DELETED\s+extra/.test(w.output()));
      await w.stop();
      expect(w.output()).toMatch(/ADDED\s+extra/);
      expect(w.output()).toMatch(/MODIFIED\s+extra/);
    });

    it('keeps everything across a restart', async () => {
      await t.stop();
      await t.restart();
      const cm = JSON.parse(await t.kubectlOk(['get', 'cm', 'web-config', '-n', 'shop', '-o', 'json']));
      expect(cm.metadata.labels).toEqual({ tier: 'frontend' });
    });

    it('deletes a namespace and everything in it', async () => {
      const r = await t.kubectl(['delete', 'namespace', 'shop', '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 });
      expect(r.code, r.stderr).toBe(0);
      const gone = await t.kubectl(['get', 'namespace', 'shop']);
      expect(gone.stderr).toContain('namespaces "shop" not found');
      const cms = await t.kubectl(['get', 'cm', '-n', 'shop', '-o', 'name']);
      expect(cms.stdout).toBe('');
    }, 90_000);

    it('puts every change on the log stream as a StoreEvent', async () => {
      const of = (resource: string, name: string) =>
        streamed
          .filter((e) => e.resource === resource && e.event.object.metadata.name === name)
          .map((e) => e.event.type);
      await eventually(() => of('namespaces', 'shop').includes('DELETED'), 10_000);
      expect(of('configmaps', 'extra')).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
      expect(of('configmaps', 'web-config')[0]).toBe('ADDED');
      expect(of('configmaps', 'web-config').at(-1)).toBe('DELETED');
      expect(of('deployments.apps', 'web')).toContain('MODIFIED');
      const revisions = streamed.filter((e) => e.resource === 'configmaps').map((e) => e.event.revision);
      expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    });
  });
}
