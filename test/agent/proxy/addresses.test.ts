import { describe, expect, it } from 'vitest';
import { ClusterIpAddresses, isLoopback } from '../../../agent/proxy/addresses.ts';
import type { CommandRunner } from '../../../agent/proxy/exec.ts';
import { silentLogger } from '../../../core/apiserver/types.ts';

/** A runner that records commands and answers from a table (never touches the host). */
function recorder(answers: Record<string, { code: number; stderr?: string }> = {}) {
  const calls: string[] = [];
  const run: CommandRunner = async (cmd, args) => {
    const line = [cmd, ...args].join(' ');
    calls.push(line);
    const a = answers[line] ?? { code: 0 };
    return { code: a.code, stdout: '', stderr: a.stderr ?? '' };
  };
  return { calls, run };
}

describe('isLoopback', () => {
  it.each([
    ['127.96.0.10', true],
    ['127.0.0.1', true],
    ['::1', true],
    ['10.96.0.10', false],
    ['172.17.0.1', false],
  ])('%s → %s', (ip, want) => expect(isLoopback(ip)).toBe(want));
});

describe('ClusterIpAddresses', () => {
  it('does nothing for loopback ClusterIPs', async () => {
    const r = recorder();
    await new ClusterIpAddresses(r.run, silentLogger).ensure('127.96.0.10');
    expect(r.calls).toEqual([]);
  });

  it('creates the dummy interface once and adds and removes /32 addresses', async () => {
    const r = recorder({ 'ip link add skube0 type dummy': { code: 2, stderr: 'RTNETLINK answers: File exists' } });
    const a = new ClusterIpAddresses(r.run, silentLogger);
    await a.ensure('10.96.0.10');
    await a.ensure('10.96.0.11');
    await a.ensure('10.96.0.10');
    await a.release('10.96.0.10');
    await a.release('10.96.0.99');
    expect(r.calls).toEqual([
      'ip link add skube0 type dummy',
      'ip link set skube0 up',
      'ip addr add 10.96.0.10/32 dev skube0',
      'ip addr add 10.96.0.11/32 dev skube0',
      'ip addr del 10.96.0.10/32 dev skube0',
    ]);
  });

  it('throws when an address cannot be added for another reason than being there', async () => {
    const r = recorder({ 'ip addr add 10.96.0.10/32 dev skube0': { code: 2, stderr: 'Operation not permitted' } });
    await expect(new ClusterIpAddresses(r.run, silentLogger).ensure('10.96.0.10')).rejects.toThrow(/not permitted/);
  });
});
