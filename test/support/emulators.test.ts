/**
 * How tests find a DynamoDB endpoint: the environment first, then DynamoDB
 * Local, and a skip (or, under CI, a failure) naming what to install.
 */
import { describe, expect, it } from 'vitest';
import { dynamoEndpointFromEnv, dynamoForTests } from './emulators.ts';

describe('dynamoForTests', () => {
  it.each([
    [{ SKUBE_TEST_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' }, 'http://127.0.0.1:8000'],
    [{ SKUBE_TEST_AWS_ENDPOINT: 'http://127.0.0.1:4566' }, 'http://127.0.0.1:4566'],
    [{ SKUBE_TEST_DYNAMODB_ENDPOINT: 'http://a:1', SKUBE_TEST_AWS_ENDPOINT: 'http://b:2' }, 'http://a:1'],
  ])('uses the endpoint from %j without starting anything', async (env, endpoint) => {
    expect(dynamoEndpointFromEnv(env)).toBe(endpoint);
    expect(await dynamoForTests(env)).toMatchObject({ endpoint, source: 'env' });
  });

  it('skips with an install hint when java is missing', async () => {
    const out = await dynamoForTests({ PATH: '/nonexistent' });
    expect(out).toEqual({ skip: expect.stringMatching(/no `java` on PATH.*default-jre-headless/) });
  });

  it('fails instead of skipping when CI=true', async () => {
    await expect(dynamoForTests({ PATH: '/nonexistent', CI: 'true' })).rejects.toThrow(/default-jre-headless/);
  });
});
