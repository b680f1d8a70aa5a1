/**
 * The `skube` command line: `skube up` starts a local cluster, `skube
 * kubeconfig` tells where its kubeconfig is. Entry point only — the work is
 * in `cluster.ts`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { agentCommand } from '../agent/command.ts';
import { startUpAgent } from '../agent/up.ts';
import { createLogger } from './logger.ts';
import type { LocalStoreOptions } from './store.ts';

const DEFAULT_DATA_DIR = process.env.SKUBE_DATA_DIR ?? join(homedir(), '.skube');

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

const program = new Command('skube')
  .description('A Kubernetes-compatible orchestrator whose control plane is AWS serverless')
  .version('0.1.0');

program
  .command('up')
  .description('start a local cluster: API server with an embedded SQLite store on 127.0.0.1')
  .option('--data-dir <dir>', 'where the store, certificates and kubeconfig live', DEFAULT_DATA_DIR)
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'API port (0 picks a free one)', port, 6443)
  .option('--http', 'serve plain HTTP instead of HTTPS', false)
  .option('--service-cidr <cidr>', 'range ClusterIPs are allocated from', '10.96.0.0/12')
  .addOption(new Option('--store <store>', 'where objects live').choices(['sqlite', 'dynamodb']).default('sqlite'))
  .option('--dynamodb-endpoint <url>', 'DynamoDB endpoint (DynamoDB Local, LocalStack); default: AWS')
  .option('--dynamodb-table-prefix <prefix>', 'DynamoDB tables <prefix>-objects and <prefix>-log (default: skube)')
  .option('--region <region>', 'AWS region of the DynamoDB tables (default: AWS_REGION)')
  .option('--create-tables', 'create the DynamoDB tables if missing (always done on an emulator endpoint)')
  .option('--no-scheduler', 'do not run the scheduler (pods stay unbound)')
  .option('--no-controllers', 'run no workload controllers (replica sets, deployments, endpoints)')
  .option('--no-agent', 'do not start a node agent (one starts when a Docker engine is reachable)')
  .option('--agent-node-ip <address>', "the in-process node agent's node IP", '127.0.0.1')
  .option('--agent-pause-image <image>', "the in-process node agent's sandbox image (see `skube agent --help`)")
  .addOption(new Option('--log-format <format>', 'log output').choices(['json', 'text']).default('text'))
  .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
  .action(async (opts, command: Command) => {
    const logger = createLogger(opts.logFormat, opts.logLevel);
    // Loaded here so `skube agent` does not load the control plane (it keeps the agent's memory small).
    const { startLocalCluster } = await import('./cluster.ts');
    const { storeFromFlags } = await import('./store.ts');
    let store: LocalStoreOptions;
    try {
      store = storeFromFlags(opts, process.env);
    } catch (e) {
      command.error(`error: ${(e as Error).message}`);
    }
    const cluster = await startLocalCluster({
      store,
      dataDir: opts.dataDir,
      host: opts.host,
      port: opts.port,
      tls: !opts.http,
      serviceCidr: opts.serviceCidr,
      scheduler: opts.scheduler,
      controllers: opts.controllers,
      logger,
    });
    logger.info({ url: cluster.url, kubeconfig: cluster.kubeconfigPath }, 'skube is up');
    process.stdout.write(
      `skube API server: ${cluster.url}\nkubeconfig: ${cluster.kubeconfigPath}\ntry: kubectl --kubeconfig ${cluster.kubeconfigPath} get namespaces\n`,
    );
    const agent = opts.agent
      ? await startUpAgent({
          kubeconfig: cluster.kubeconfigPath,
          nodeIp: opts.agentNodeIp,
          pauseImage: opts.agentPauseImage,
          logger,
        })
      : undefined;
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      await agent?.stop();
      await cluster.stop();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  });

program
  .command('kubeconfig')
  .description("print the path of the local cluster's admin kubeconfig (or its contents with --show)")
  .option('--data-dir <dir>', 'the data directory of `skube up`', DEFAULT_DATA_DIR)
  .option('--show', 'print the kubeconfig itself (it contains the admin token)', false)
  .action((opts) => {
    const path = join(opts.dataDir, 'kubeconfig');
    if (!existsSync(path)) {
      process.stderr.write(`no kubeconfig at ${path}: run \`skube up --data-dir ${opts.dataDir}\` first\n`);
      process.exit(1);
    }
    process.stdout.write(opts.show ? readFileSync(path, 'utf8') : `${path}\n`);
  });

program.addCommand(agentCommand());

await program.parseAsync(process.argv);
