/**
 * The resync function with real parts: a scheduled event → every namespace
 * in the DynamoDB store (DynamoDB Local) queued for the namespace controller
 * on an SQS queue (moto).
 */
import { afterAll, expect, it } from 'vitest';
import { findResource } from '../../core/api/resources.ts';
import { MASTERS_GROUP } from '../../core/apiserver/auth.ts';
import type { RequestContext } from '../../core/registry/strategy.ts';
import { createHandler } from '../../functions/resync.ts';
import { dynamoForTests } from '../support/emulators.ts';
import { motoForTests } from '../support/moto.ts';
import { describeWithControllerEnv } from './support/controller-env.ts';
import { lambdaContext, scheduledEvent } from './support/lambda-events.ts';

const dynamo = await dynamoForTests();
const moto = await motoForTests();
afterAll(async () => {
  if ('stop' in dynamo) await dynamo.stop();
  if ('stop' in moto) await moto.stop();
});

const ctx = (): RequestContext => ({ user: { name: 'test', groups: [MASTERS_GROUP] }, now: new Date(), dryRun: false });
const NAMESPACES = findResource('', 'v1', 'namespaces')!;

describeWithControllerEnv('resync function', dynamo, moto, (t) => {
  it('queues every namespace for the namespace controller once', async () => {
    for (const name of ['default', 'team-a', 'team-b']) {
      await t.env.registry.create(ctx(), NAMESPACES, '', { metadata: { name } });
    }
    const handler = createHandler(t.env.deps());

    const out = await handler(scheduledEvent(), lambdaContext('skube-resync'));

    expect(out).toEqual({ keys: 3, queued: 3 });
    const messages = await t.env.receive(3);
    expect(messages.map((m) => JSON.parse(m.Body ?? '{}').key).sort()).toEqual([
      'namespace:default',
      'namespace:team-a',
      'namespace:team-b',
    ]);
    expect(t.output.logs('resync queued')).toEqual([expect.objectContaining({ keys: 3, queued: 3 })]);
    expect(t.output.metrics().ResyncKeys).toEqual([3]);
  });

  it('fails the invocation when the queue cannot take the keys', async () => {
    await t.env.registry.create(ctx(), NAMESPACES, '', { metadata: { name: 'default' } });
    const handler = createHandler(t.env.deps({ queueUrl: `${t.env.queueUrl}-missing` }));
    await expect(handler(scheduledEvent(), lambdaContext('skube-resync'))).rejects.toThrow();
  });
});
