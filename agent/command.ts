/**
 * The `skube agent` subcommand: flags → `startAgent`, signals → a clean
 * stop (pods keep running; a restarted agent adopts them).
 */
import { hostname } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createLogger } from '../local/logger.ts';
import { DEFAULT_KUBELET_PORT, DEFAULT_PAUSE_IMAGE, startAgent } from './main.ts';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

function ipv4(value: string): string {
  if (!/^(\d{1,3})(\.\d{1,3}){3}$/.test(value) || value.split('.').some((o) => Number(o) > 255)) {
    throw new InvalidArgumentError('must be an IPv4 address');
  }
  return value;
}

/** Builds the `agent` command. */
export function agentCommand(): Command {
  return new Command('agent')
    .description('run a node agent (kubelet + Service proxy) that runs the pods bound to this node in Docker')
    .requiredOption('--kubeconfig <file>', 'kubeconfig of the cluster (admin or bootstrap credential)')
    .option('--node-name <name>', 'name of the Node to register', hostname().toLowerCase())
    .option('--node-ip <address>', 'address of this node: ports of pods are published on it', ipv4, '127.0.0.1')
    .option('--zone <zone>', 'topology.kubernetes.io/zone label of the node')
    .option('--ec2-metadata', 'read the zone from the EC2 instance metadata service (IMDSv2)', false)
    .option('--kubelet-port <port>', 'port of the kubelet server (0 picks a free one)', port, DEFAULT_KUBELET_PORT)
    .option('--pause-image <image>', 'image of the pod sandbox container', DEFAULT_PAUSE_IMAGE)
    .option('--pause-command <words...>', 'command of the sandbox container, for images that are not a pause image')
    .option('--docker-socket <path>', 'Docker engine socket', '/var/run/docker.sock')
    .option('--root-dir <dir>', 'where pod volumes and termination logs live (default ~/.skube/agent/<node>)')
    .option('--no-proxy', 'do not run the Service proxy')
    .addOption(new Option('--log-format <format>', 'log output').choices(['json', 'text']).default('text'))
    .addOption(
      new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'),
    )
    .action(async (opts) => {
      const logger = createLogger(opts.logFormat, opts.logLevel);
      const agent = await startAgent({
        kubeconfig: opts.kubeconfig,
        nodeName: opts.nodeName,
        nodeIp: opts.nodeIp,
        zone: opts.zone,
        ec2Metadata: opts.ec2Metadata,
        kubeletPort: opts.kubeletPort,
        pauseImage: opts.pauseImage,
        pauseCommand: opts.pauseCommand,
        dockerSocket: opts.dockerSocket,
        rootDir: opts.rootDir,
        proxy: opts.proxy,
        logger,
      });
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'node agent shutting down (pods keep running)');
        await agent.stop();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    });
}
