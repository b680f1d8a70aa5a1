import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Service } from 'kubernetes-types/core/v1.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandRunner } from '../../../agent/proxy/exec.ts';
import { NetnsPodNetwork } from '../../../agent/proxy/pod-network.ts';
import { podNatRestore } from '../../../agent/proxy/pod-rules.ts';
import type { PodRoute } from '../../../agent/proxy/proxier.ts';
import { silentLogger } from '../../../core/apiserver/types.ts';
import { makeService } from '../../fixtures/objects.ts';

const route = (clusterIP: string, port: number, protocol: 'TCP' | 'UDP', gatewayPort: number): PodRoute => ({
  clusterIP,
  port,
  protocol,
  gatewayIp: '172.17.0.1',
  gatewayPort,
});

describe('podNatRestore', () => {
  it('replaces both chains with one DNAT per route and the loopback MASQUERADE', () => {
    expect(podNatRestore([route('127.96.0.10', 80, 'TCP', 40001), route('127.96.0.10', 53, 'UDP', 40002)])).toBe(
      [
        '*nat',
        ':SKUBE-SERVICES - [0:0]',
        ':SKUBE-POSTROUTING - [0:0]',
        '-A SKUBE-SERVICES -d 127.96.0.10/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 172.17.0.1:40001',
        '-A SKUBE-SERVICES -d 127.96.0.10/32 -p udp -m udp --dport 53 -j DNAT --to-destination 172.17.0.1:40002',
        '-A SKUBE-POSTROUTING -s 127.0.0.0/8 -o eth0 -j MASQUERADE',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  it('still declares (and so empties) the chains when there are no routes', () => {
    expect(podNatRestore([])).toContain(':SKUBE-SERVICES - [0:0]\n:SKUBE-POSTROUTING - [0:0]\n-A SKUBE-POSTROUTING');
  });
});

/** A runner that records commands (never touches the host); `iptables -C` answers "missing" until added. */
function recorder(fail: RegExp[] = []) {
  const calls: { line: string; input?: string }[] = [];
  const added = new Set<string>();
  const run: CommandRunner = async (cmd, args, input) => {
    const line = [cmd, ...args].join(' ');
    calls.push({ line, ...(input !== undefined ? { input } : {}) });
    if (fail.some((f) => f.test(line))) return { code: 1, stdout: '', stderr: 'nsenter: No such file or directory' };
    const jump = line.match(/iptables -t nat -[CA] (.*)$/)?.[1];
    if (jump && line.includes(' -C ')) return { code: added.has(jump) ? 0 : 1, stdout: '', stderr: 'Bad rule' };
    if (jump) added.add(jump);
    return { code: 0, stdout: '', stderr: '' };
  };
  return { calls, run };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function hostsDir() {
  const dir = mkdtempSync(join(tmpdir(), 'skube-hosts-'));
  dirs.push(dir);
  return (pid: number) => join(dir, `hosts-${pid}`);
}

describe('NetnsPodNetwork', () => {
  it('sets up a pod once: route_localnet, the chains, the jumps — and is idempotent when started again', async () => {
    const r = recorder();
    const net = new NetnsPodNetwork({ logger: silentLogger, run: r.run });
    await net.update({ routes: [route('127.96.0.10', 80, 'TCP', 40001)] });
    await net.podStarted('default/a', 4242);
    await net.podStarted('default/a', 4242);
    const lines = r.calls.map((c) => c.line);
    expect(lines.slice(0, 5)).toEqual([
      'nsenter --net=/proc/4242/ns/net sysctl -w net.ipv4.conf.all.route_localnet=1',
      'nsenter --net=/proc/4242/ns/net iptables-restore --noflush',
      'nsenter --net=/proc/4242/ns/net iptables -t nat -C OUTPUT -j SKUBE-SERVICES',
      'nsenter --net=/proc/4242/ns/net iptables -t nat -A OUTPUT -j SKUBE-SERVICES',
      'nsenter --net=/proc/4242/ns/net iptables -t nat -C POSTROUTING -j SKUBE-POSTROUTING',
    ]);
    expect(lines.filter((l) => l.includes(' -A '))).toHaveLength(2);
    expect(r.calls[1]?.input).toContain('--dport 80 -j DNAT --to-destination 172.17.0.1:40001');
    expect(net.attached()).toEqual(new Map([['default/a', 4242]]));
  });

  it('rewrites the rules of every attached pod when routes change, and none after a pod stopped', async () => {
    const r = recorder();
    const net = new NetnsPodNetwork({ logger: silentLogger, run: r.run });
    await net.podStarted('default/a', 1);
    await net.podStarted('team-a/b', 2);
    r.calls.length = 0;
    await net.update({ routes: [route('127.96.0.11', 8080, 'TCP', 40005)] });
    expect(r.calls.map((c) => c.line).sort()).toEqual([
      'nsenter --net=/proc/1/ns/net iptables-restore --noflush',
      'nsenter --net=/proc/2/ns/net iptables-restore --noflush',
    ]);
    expect(r.calls.every((c) => c.input?.includes('-d 127.96.0.11/32 -p tcp -m tcp --dport 8080'))).toBe(true);
    net.podStopped('default/a');
    r.calls.length = 0;
    await net.update({ routes: [] });
    expect(r.calls.map((c) => c.line)).toEqual(['nsenter --net=/proc/2/ns/net iptables-restore --noflush']);
  });

  it("leaves an adopted pod's rules alone until the proxy has told its routes", async () => {
    const r = recorder();
    const net = new NetnsPodNetwork({ logger: silentLogger, run: r.run });
    await net.podStarted('default/a', 5);
    expect(r.calls.some((c) => c.line.includes('iptables-restore'))).toBe(false);
    await net.update({ routes: [] });
    expect(r.calls.filter((c) => c.line.includes('iptables-restore'))).toHaveLength(1);
  });

  it('forgets a pod whose namespace is gone and rejects a start it cannot set up', async () => {
    const r = recorder([/proc\/9\//]);
    const net = new NetnsPodNetwork({ logger: silentLogger, run: r.run });
    await expect(net.podStarted('default/gone', 9)).rejects.toThrow(/route_localnet/);
    await net.update({ routes: [] });
    expect(net.attached().has('default/gone')).toBe(false);
  });

  it("keeps each pod's /etc/hosts Service lines in step with its namespace's Services", async () => {
    const path = hostsDir();
    const r = recorder();
    const net = new NetnsPodNetwork({ logger: silentLogger, run: r.run, hostsPath: path });
    const docker = '127.0.0.1\tlocalhost\n172.17.0.5\tpod-a\n';
    writeFileSync(path(7), `${docker}127.96.0.10\tweb web.default web.default.svc web.default.svc.cluster.local\n`);
    await net.podStarted('default/a', 7);
    const web = makeService({ spec: { clusterIP: '127.96.0.12' } }) as unknown as Service;
    await net.update({ services: [web] });
    expect(readFileSync(path(7), 'utf8')).toBe(
      `${docker}127.96.0.12\tweb web.default web.default.svc web.default.svc.cluster.local\t# skube-service\n`,
    );
    await net.update({ services: [] });
    expect(readFileSync(path(7), 'utf8')).toBe(docker);
  });
});
