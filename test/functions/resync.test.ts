/**
 * The resync function with real parts: a scheduled event → every namespace
 * in the DynamoDB store (DynamoDB Local) queued for the namespace controller
 * on an SQS queue (moto).
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findResource } from '../../core/api/resources.ts';
import { MASTERS_GROUP } from '../../core/apiserver/auth.ts';
import type { RequestContext } from '../../core/registry/strategy.ts';
import { createHandler } from '../../functions/resync.ts';
import { dynamoForTests } from '../support/emulators.ts';
import { motoForTests } from '../support/moto.ts';
import { type ControllerEnv, controllerEnv } from './support/controller-env.ts';
import { lambdaContext, scheduledEvent } from './support/lambda-events.ts';
import { type CapturedOutput, captureOutput } from './support/observe.ts';

const dynamo = await dynamoForTests();
const moto = await motoForTests();
afterAll(async () => {
  if ('stop' in dynamo) await dynamo.stop();
  if ('stop' in moto) await moto.stop();
});

const ctx = (): RequestContext => ({ user: { name: 'test', groups: [MASTERS_GROUP] }, now: new Date(), dryRun: false });
const NAMESPACES = findResource('', 'v1', 'namespaces')!;

if ('skip' in dynamo || 'skip' in moto) {
  const why = 'skip' in dynamo ? dynamo.skip : 'skip' in moto ? moto.skip : '';
  console.warn(`skipping the resync function tests: ${why}`);
  describe.skip(`resync function (${why})`, () => {
    it('needs DynamoDB and SQS emulators', () => {});
  });
} else {
  describe('resync function', () => {
    let env: ControllerEnv;
    let output: CapturedOutput;
    beforeEach(async () => {
      env = await controllerEnv(dynamo.endpoint, moto.endpoint);
      output = captureOutput();
    });
    afterEach(async () => {
      output.restore();
      await env.cleanup();
    });

    it('queues every namespace for the namespace controller once', async () => {
      for (const name of ['default', 'team-a', 'team-b']) {
        await env.registry.create(ctx(), NAMESPACES, '', { metadata: { name } });
      }
      const handler = createHandler(env.deps());

      const out = await handler(scheduledEvent(), lambdaContext('skube-resync'));

      expect(out).toEqual({ keys: 3, queued: 3 });
      const messages = await env.receive(3);
      expect(messages.map((m) => JSON.parse(m.Body ?? '{}').key).sort()).toEqual([
        'namespace:default',
        'namespace:team-a',
        'namespace:team-b',
      ]);
      expect(output.logs('resync queued')).toEqual([expect.objectContaining({ keys: 3, queued: 3 })]);
      expect(output.metrics().ResyncKeys).toEqual([3]);
    });

    it('fails the invocation when the queue cannot take the keys', async () => {
      await env.registry.create(ctx(), NAMESPACES, '', { metadata: { name: 'default' } });
      const handler = createHandler(env.deps({ queueUrl: `${env.queueUrl}-missing` }));
      await expect(handler(scheduledEvent(), lambdaContext('skube-resync'))).rejects.toThrow();
    });
  });
}
