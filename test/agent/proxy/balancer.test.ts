import { describe, expect, it } from 'vitest';
import { Balancer, backendKey } from '../../../agent/proxy/balancer.ts';
import type { Backend } from '../../../agent/proxy/plan.ts';

const b = (n: number): Backend => ({ ip: `127.0.0.${n}`, port: 30000 + n });
const three = [b(1), b(2), b(3)];

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const picks = (bal: Balancer, n: number, client?: string) =>
  Array.from({ length: n }, () => bal.pick(client)?.ip.split('.')[3]).join('');

describe('Balancer', () => {
  it('goes round-robin over the backends', () => {
    expect(picks(new Balancer(three, { mode: 'round-robin' }), 7)).toBe('1231231');
  });

  it('picks by the random source in random mode', () => {
    const seq = [0.9, 0.1, 0.5, 0.0];
    let i = 0;
    const bal = new Balancer(three, { mode: 'random', random: () => seq[i++ % seq.length] as number });
    expect(picks(bal, 4)).toBe('3121');
  });

  it('returns undefined without backends or when all are excluded', () => {
    expect(new Balancer([], { mode: 'round-robin' }).pick()).toBeUndefined();
    const bal = new Balancer([b(1)], { mode: 'round-robin' });
    expect(bal.pick(undefined, new Set([backendKey(b(1))]))).toBeUndefined();
  });

  it('skips a failed backend until its penalty ends, or until it is the only one left', () => {
    const c = clock();
    const bal = new Balancer(three, { mode: 'round-robin', now: c.now, failurePenaltyMs: 1000 });
    bal.reportFailure(b(2));
    expect(picks(bal, 4)).toBe('1313');
    c.advance(1000);
    expect(picks(bal, 3)).toBe('123');
    bal.reportFailure(b(1));
    bal.reportFailure(b(3));
    bal.reportFailure(b(2));
    expect(bal.pick()).toBeDefined();
    bal.reportSuccess(b(2));
    expect(picks(bal, 2)).toBe('22');
  });

  it('skips excluded backends, as a retried connection does', () => {
    const bal = new Balancer(three, { mode: 'round-robin' });
    expect(bal.pick(undefined, new Set([backendKey(b(1))]))?.ip).toBe('127.0.0.2');
  });

  it('keeps a client on its backend for the affinity timeout, then picks again', () => {
    const c = clock();
    const bal = new Balancer(three, { mode: 'round-robin', affinitySeconds: 10, now: c.now });
    expect(picks(bal, 3, '10.1.1.1')).toBe('111');
    expect(picks(bal, 2, '10.1.1.2')).toBe('22');
    c.advance(9_999);
    expect(picks(bal, 1, '10.1.1.1')).toBe('1');
    c.advance(10_000);
    expect(picks(bal, 1, '10.1.1.1')).toBe('3');
  });

  it('moves a sticky client off a backend that failed or was removed', () => {
    const bal = new Balancer(three, { mode: 'round-robin', affinitySeconds: 100 });
    expect(bal.pick('c')?.ip).toBe('127.0.0.1');
    bal.reportFailure(b(1));
    expect(bal.pick('c')?.ip).toBe('127.0.0.2');
    bal.update([b(1), b(3)], 'round-robin', 100);
    expect(bal.pick('c')?.ip).toBe('127.0.0.3');
    expect(bal.pick('c')?.ip).toBe('127.0.0.3');
  });

  it('keeps its place and its sticky clients across an update that keeps their backends', () => {
    const bal = new Balancer(three, { mode: 'round-robin', affinitySeconds: 100 });
    expect(bal.pick('a')?.ip).toBe('127.0.0.1');
    bal.update([...three, b(4)], 'round-robin', 100);
    expect(bal.pick('a')?.ip).toBe('127.0.0.1');
    expect(picks(bal, 4)).toBe('2341');
    bal.update(three, 'round-robin', undefined);
    expect(bal.list()).toEqual(three);
  });
});
