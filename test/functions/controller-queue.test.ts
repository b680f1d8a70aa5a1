/**
 * The controller queue function with real parts: messages sent to and
 * received from an SQS queue on moto, delivered as the event source mapping
 * delivers them, synced against the DynamoDB store on DynamoDB Local.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, expect, it } from 'vitest';
import { findResource } from '../../core/api/resources.ts';
import { MASTERS_GROUP } from '../../core/apiserver/auth.ts';
import type { ControllerSpec } from '../../core/controllers/runtime/controller.ts';
import { isNotFound } from '../../core/errors/index.ts';
import { deleteObject } from '../../core/registry/delete.ts';
import type { RequestContext } from '../../core/registry/strategy.ts';
import { createHandler } from '../../functions/controller-queue.ts';
import { CONTROLLER_FACTORIES } from '../../functions/lib/controllers.ts';
import { encodeWorkBody } from '../../functions/lib/work-message.ts';
import { dynamoForTests } from '../support/emulators.ts';
import { motoForTests } from '../support/moto.ts';
import { describeWithControllerEnv } from './support/controller-env.ts';
import { lambdaContext, sqsEvent } from './support/lambda-events.ts';

const dynamo = await dynamoForTests();
const moto = await motoForTests();
afterAll(async () => {
  if ('stop' in dynamo) await dynamo.stop();
  if ('stop' in moto) await moto.stop();
});

const ctx = (): RequestContext => ({ user: { name: 'test', groups: [MASTERS_GROUP] }, now: new Date(), dryRun: false });
const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;

/** A controller that fails to sync the keys it is told to. */
const flaky = (failing: Set<string>): ControllerSpec => ({
  name: 'flaky',
  watches: [],
  sync: async (key) => {
    if (failing.has(key)) throw new Error(`cannot sync ${key}`);
    return undefined;
  },
  initialKeys: async () => [],
});

describeWithControllerEnv('controller queue function', dynamo, moto, (t) => {
  const send = (body: string) =>
    t.env.sqs.send(new SendMessageCommand({ QueueUrl: t.env.queueUrl, MessageBody: body }));
  const work = (key: string) => encodeWorkBody({ key, token: `t-${key}` });

  it('reports exactly the messageIds whose sync threw, whose key is unknown or whose body is malformed', async () => {
    const handler = createHandler(
      t.env.deps({ factories: { ...CONTROLLER_FACTORIES, flaky: () => flaky(new Set(['bad-1', 'bad-2'])) } }),
    );
    const bodies = [
      work('flaky:good'),
      work('flaky:bad-1'),
      work('namespace:absent'),
      work('nope:x'),
      'not a work message',
      work('flaky:bad-2'),
    ];
    for (const body of bodies) await send(body);
    const messages = await t.env.receive(bodies.length);
    expect(messages).toHaveLength(bodies.length);
    const expectedFailures = messages
      .filter((m) => !/flaky:good|namespace:absent/.test(m.Body ?? ''))
      .map((m) => m.MessageId);

    const out = await handler(sqsEvent(messages, t.env.queueName), lambdaContext('skube-controller-queue'));

    expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(expectedFailures.sort());
    expect(out.batchItemFailures).toHaveLength(4);
    expect(t.output.metrics()).toMatchObject({ WorkItems: [6], WorkItemFailures: [4] });
  });

  it('reconciles a terminating namespace, requeues it while content remains, then finalizes it', async () => {
    const handler = createHandler(t.env.deps());
    await t.env.registry.create(ctx(), NAMESPACES, '', {
      metadata: { name: 'team-a' },
      spec: { finalizers: ['kubernetes'] },
    });
    await t.env.registry.create(ctx(), CONFIGMAPS, 'team-a', { metadata: { name: 'settings' }, data: { a: '1' } });
    await deleteObject(t.env.registry, { garbageCollector: false }, ctx(), NAMESPACES, '', 'team-a', {});

    await send(work('namespace:team-a'));
    const first = await t.env.receive(1);
    expect(await handler(sqsEvent(first, t.env.queueName), lambdaContext('q'))).toEqual({ batchItemFailures: [] });
    await expect(t.env.registry.get(CONFIGMAPS, 'team-a', 'settings')).rejects.toSatisfy(isNotFound);
    expect((await t.env.registry.get(NAMESPACES, '', 'team-a')).metadata.deletionTimestamp).toBeTruthy();

    // The sync asked to look again in 1 s: the work queue sent the key again, delayed.
    const requeued = await t.env.receive(1, 5_000);
    expect(requeued.map((m) => JSON.parse(m.Body ?? '{}').key)).toEqual(['namespace:team-a']);
    expect(await handler(sqsEvent(requeued, t.env.queueName), lambdaContext('q'))).toEqual({ batchItemFailures: [] });
    await expect(t.env.registry.get(NAMESPACES, '', 'team-a')).rejects.toSatisfy(isNotFound);
  });
});
