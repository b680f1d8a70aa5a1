/**
 * Reads `HostFacts` from this host (os module, /proc, statfs) and, only
 * when explicitly enabled, the availability zone from the EC2 instance
 * metadata service (IMDSv2 at 169.254.169.254).
 */
import { readFileSync, readdirSync, statfsSync } from 'node:fs';
import os from 'node:os';
import type { HostFacts } from './node-status.ts';

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function memAvailable(): number {
  const m = /MemAvailable:\s+(\d+) kB/.exec(read('/proc/meminfo'));
  return m ? Number(m[1]) * 1024 : os.freemem();
}

function osImage(): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(read('/etc/os-release'));
  return m ? m[1] : `${os.type()} ${os.release()}`;
}

function pidsUsed(): number {
  try {
    return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).length;
  } catch {
    return 0;
  }
}

const ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  s390x: 's390x',
  ppc64: 'ppc64le',
};

/** Measures the host; `diskPath` is the filesystem pods write to. Never throws. */
export function readHostFacts(diskPath: string, containerRuntimeVersion: string): HostFacts {
  let diskBytes = 0;
  let diskAvailableBytes = 0;
  try {
    const s = statfsSync(diskPath);
    diskBytes = s.blocks * s.bsize;
    diskAvailableBytes = s.bavail * s.bsize;
  } catch {
    // Unknown disk: no DiskPressure.
  }
  return {
    hostname: os.hostname(),
    cpus: os.availableParallelism?.() ?? os.cpus().length,
    memoryBytes: os.totalmem(),
    memoryAvailableBytes: memAvailable(),
    diskBytes,
    diskAvailableBytes,
    pidsUsed: pidsUsed(),
    pidMax: Number(read('/proc/sys/kernel/pid_max')) || 0,
    os: os.platform(),
    arch: ARCH[os.arch()] ?? os.arch(),
    kernelVersion: os.release(),
    osImage: osImage(),
    machineID: read('/etc/machine-id') || read('/var/lib/dbus/machine-id'),
    bootID: read('/proc/sys/kernel/random/boot_id'),
    containerRuntimeVersion,
  };
}

/** The EC2 metadata address (link-local). Only contacted when `--ec2-metadata` is given. */
export const IMDS = 'http://169.254.169.254';

/** The availability zone from IMDSv2, or undefined if it does not answer within 2 s. */
export async function ec2Zone(): Promise<string | undefined> {
  try {
    const token = await fetch(`${IMDS}/latest/api/token`, {
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
      signal: AbortSignal.timeout(2000),
    });
    if (!token.ok) return undefined;
    const res = await fetch(`${IMDS}/latest/meta-data/placement/availability-zone`, {
      headers: { 'x-aws-ec2-metadata-token': await token.text() },
      signal: AbortSignal.timeout(2000),
    });
    return res.ok ? (await res.text()).trim() : undefined;
  } catch {
    return undefined;
  }
}
