/**
 * moto's server for tests that need AWS services beyond DynamoDB (SQS first).
 * `startMoto()` returns the endpoint in `SKUBE_TEST_AWS_ENDPOINT` when set (a
 * LocalStack or shared moto on :4566, left running), else starts
 * `moto_server -H 127.0.0.1 -p <free port>` (or `python3 -m moto.server`) and
 * waits until SQS answers with the JSON protocol the current SDK speaks.
 * Install it with `pip install "moto[server]"`.
 *
 * The server runs under a small `sh` guard in its own process group: `stop()`
 * kills the group, an exit hook does the same, and if this process dies
 * without either, the guard sees its stdin close and kills the server.
 * Tests share one server per file, so they name their queues uniquely.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { freePort, killGroup } from './processes.ts';

/** A running AWS emulator endpoint and how to release it. */
export interface MotoServer {
  endpoint: string;
  /** Stops the server if this process started it; a no-op for an endpoint from the environment. */
  stop(): Promise<void>;
}

/** Either a server, or why the tests that need it are skipped. */
export type MotoForTests = MotoServer | { skip: string };

/** Region and static credentials the emulators accept. */
export const TEST_AWS_SQS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
};

/** The pip command CI runs to install the emulator. */
export const MOTO_INSTALL = 'pip install "moto[server]"';

const START_TIMEOUT_MS = 30_000;

/** Thrown by `startMoto` when moto is not installed or did not come up. */
export class MotoUnavailableError extends Error {
  override name = 'MotoUnavailableError';
}

/** A test-unique name: `<base>-<random hex>` (queues outlive a test on a shared endpoint). */
export function uniqueName(base: string): string {
  return `${base}-${randomBytes(4).toString('hex')}`;
}

/**
 * Starts moto on 127.0.0.1 with a free port (or uses SKUBE_TEST_AWS_ENDPOINT)
 * and resolves once SQS answers. Throws MotoUnavailableError when moto is not
 * installed, exits, or does not answer within 30 s.
 */
export async function startMoto(env: NodeJS.ProcessEnv = process.env): Promise<MotoServer> {
  const fromEnv = env.SKUBE_TEST_AWS_ENDPOINT;
  if (fromEnv) {
    await waitUntilServing(fromEnv, undefined, () => '');
    return { endpoint: fromEnv, stop: async () => {} };
  }
  const command = motoCommand();
  if (!command) throw new MotoUnavailableError('neither `moto_server` nor `python3 -m moto.server` runs');
  const port = await freePort();
  const args = [...command, '-H', '127.0.0.1', '-p', String(port)];
  // `$@` is the server command line; the subshell kills it once our end of stdin closes. Background
  // jobs get /dev/null as stdin, so the pipe is handed to `cat` as fd 3.
  const guard = 'exec 3<&0; "$@" </dev/null 3<&- & pid=$!; (cat <&3 >/dev/null; kill $pid 2>/dev/null) & wait $pid';
  const child = spawn('sh', ['-c', guard, 'moto', ...args], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
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
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilServing(endpoint, child, () => output);
  } catch (e) {
    await stop();
    throw e;
  }
  return { endpoint, stop };
}

/**
 * moto for a test file: a server, or `{ skip }` naming what to install when
 * it cannot start. Under CI=true it throws instead of skipping.
 */
export async function motoForTests(env: NodeJS.ProcessEnv = process.env): Promise<MotoForTests> {
  try {
    return await startMoto(env);
  } catch (e) {
    const message = `${(e as Error).message}. Install moto's server with \`${MOTO_INSTALL}\`, or point SKUBE_TEST_AWS_ENDPOINT at LocalStack`;
    if (env.CI === 'true') throw new Error(message, { cause: e });
    return { skip: message };
  }
}

/** The command line that starts moto's server here, or undefined when none runs. */
function motoCommand(): string[] | undefined {
  const candidates = [['moto_server'], ['python3', '-m', 'moto.server']];
  return candidates.find(([cmd, ...rest]) => spawnSync(cmd, [...rest, '--help'], { stdio: 'ignore' }).status === 0);
}

async function waitUntilServing(
  endpoint: string,
  child: ChildProcess | undefined,
  output: () => string,
): Promise<void> {
  const client = new SQSClient({ endpoint, ...TEST_AWS_SQS, maxAttempts: 1 });
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last: string;
  try {
    for (;;) {
      if (child && child.exitCode !== null) {
        throw new MotoUnavailableError(`moto exited with code ${child.exitCode}: ${output().trim()}`);
      }
      try {
        await client.send(new ListQueuesCommand({}), { abortSignal: AbortSignal.timeout(2_000) });
        return;
      } catch (e) {
        last = (e as Error).message;
        if (Date.now() > deadline) {
          throw new MotoUnavailableError(
            `no SQS answer on ${endpoint} within ${START_TIMEOUT_MS} ms (${last}) ${output()}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.destroy();
  }
}
