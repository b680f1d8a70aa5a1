/**
 * A vitest globalSetup that starts one DynamoDB Local for the whole run and
 * hands its endpoint to every test file through SKUBE_TEST_DYNAMODB_ENDPOINT
 * (which `dynamoForTests` honours), instead of one JVM per test file. Wire it
 * with `test.globalSetup: ['test/support/dynamodb-global-setup.ts']`. Without
 * Java it does nothing and each file skips (or fails under CI) on its own.
 */
import { dynamoForTests } from './emulators.ts';

/** Starts the emulator (unless an endpoint is already configured); returns the teardown that stops it. */
export async function setup(): Promise<() => Promise<void>> {
  const dynamo = await dynamoForTests();
  if ('skip' in dynamo) return async () => {};
  process.env.SKUBE_TEST_DYNAMODB_ENDPOINT = dynamo.endpoint;
  return () => dynamo.stop();
}
