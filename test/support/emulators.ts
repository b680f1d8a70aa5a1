/**
 * AWS emulators for integration tests. DynamoDB: an endpoint from the
 * environment (`SKUBE_TEST_DYNAMODB_ENDPOINT`, or `SKUBE_TEST_AWS_ENDPOINT`
 * for a LocalStack/moto-style endpoint on :4566), else DynamoDB Local started
 * from the jar inside the `amplify-dynamodb-simulator` devDependency
 * (`java -jar DynamoDBLocal.jar -inMemory -port <free port>`), which needs a
 * Java runtime. Without Java the suite is skipped with a message naming what
 * to install, except under CI=true, where it fails.
 *
 * The JVM runs under a small `sh` guard in its own process group: `stop()`
 * kills the group, an exit hook does the same, and if this process dies
 * without either, the guard sees its stdin close and kills the JVM.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort, killGroup } from './processes.ts';

/** A DynamoDB endpoint for tests and how to release it. */
export interface DynamoEndpoint {
  endpoint: string;
  /** Where it came from: 'env' (left running) or 'dynamodb-local' (started here, stopped by `stop`). */
  source: 'env' | 'dynamodb-local';
  stop(): Promise<void>;
}

/** Either an endpoint, or why the DynamoDB tests are skipped. */
export type DynamoForTests = DynamoEndpoint | { skip: string };

/** Credentials DynamoDB Local accepts (letters and digits only); it keeps one database per key and region. */
export const TEST_AWS = { region: 'us-east-1', credentials: { accessKeyId: 'skube', secretAccessKey: 'skube' } };

const START_TIMEOUT_MS = 60_000;
const INSTALL_HINT =
  'DynamoDB tests need Java 11+ for DynamoDB Local (Debian: apt-get install default-jre-headless), or an ' +
  'endpoint in SKUBE_TEST_DYNAMODB_ENDPOINT / SKUBE_TEST_AWS_ENDPOINT';

/** The endpoint named by the environment, if any. */
export function dynamoEndpointFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.SKUBE_TEST_DYNAMODB_ENDPOINT || env.SKUBE_TEST_AWS_ENDPOINT || undefined;
}

/**
 * A DynamoDB endpoint for a test file: from the environment, else a fresh
 * DynamoDB Local. Returns `{ skip }` when it cannot start one and CI is not
 * set; throws under CI=true.
 */
export async function dynamoForTests(env: NodeJS.ProcessEnv = process.env): Promise<DynamoForTests> {
  const fromEnv = dynamoEndpointFromEnv(env);
  if (fromEnv) return { endpoint: fromEnv, source: 'env', stop: async () => {} };
  const unavailable = (why: string): DynamoForTests => {
    const message = `${why}. ${INSTALL_HINT}`;
    if (env.CI === 'true') throw new Error(message);
    return { skip: message };
  };
  if (spawnSync('java', ['-version'], { stdio: 'ignore', env }).status !== 0) {
    return unavailable('no `java` on PATH');
  }
  let failure: unknown;
  // The free port may be taken between choosing it and the JVM binding it; try again.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startDynamoDbLocal();
    } catch (e) {
      failure = e;
    }
  }
  return unavailable(`DynamoDB Local did not start: ${(failure as Error).message}`);
}

/** The directory holding DynamoDBLocal.jar and its native libraries. */
export function dynamoDbLocalDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

/** Starts DynamoDB Local in memory on a free port and waits until it answers. Throws when it exits or times out. */
export async function startDynamoDbLocal(): Promise<DynamoEndpoint> {
  const port = await freePort();
  const java = ['java', '-Djava.library.path=./DynamoDBLocal_lib', '-jar', 'DynamoDBLocal.jar'];
  const args = [...java, '-inMemory', '-disableTelemetry', '-port', String(port)];
  // `$@` is the java command line; the subshell kills it once our end of stdin closes. Background
  // jobs get /dev/null as stdin, so the pipe is handed to `cat` as fd 3.
  const guard = 'exec 3<&0; "$@" </dev/null 3<&- & pid=$!; (cat <&3 >/dev/null; kill $pid 2>/dev/null) & wait $pid';
  const child = spawn('sh', ['-c', guard, 'dynamodb-local', ...args], {
    cwd: dynamoDbLocalDir(),
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-4096);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const onExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', onExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.removeListener('exit', onExit);
    const pgid = child.pid;
    killGroup(child, 'SIGTERM');
    // The guard shell exits first; wait for the whole group (the JVM) to be gone.
    for (let waited = 0; pgid !== undefined && waited < 10_000 && groupAlive(pgid); waited += 50) {
      if (waited === 5_000) killGroup(child, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    await waitUntilServing(endpoint, child, () => output);
  } catch (e) {
    await stop();
    throw e;
  }
  return { endpoint, source: 'dynamodb-local', stop };
}

async function waitUntilServing(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, ...TEST_AWS, maxAttempts: 1 });
  const deadline = Date.now() + START_TIMEOUT_MS;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`it exited with code ${child.exitCode}: ${output().trim()}`);
      try {
        await client.send(new ListTablesCommand({}), { abortSignal: AbortSignal.timeout(2_000) });
        return;
      } catch {
        if (Date.now() > deadline)
          throw new Error(`no answer on ${endpoint} within ${START_TIMEOUT_MS} ms: ${output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
