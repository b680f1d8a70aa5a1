import { createConnection } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend, ServicePortPlan } from '../../../agent/proxy/plan.ts';
import { type PodRoute, Proxier } from '../../../agent/proxy/proxier.ts';
import { silentLogger } from '../../../core/apiserver/types.ts';
import { connect, deadBackend, randomLoopbackIp, tcpBackend, udpAsk, udpBackend, whoAnswers } from './sockets.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// A node IP of this file's own, so its NodePorts never meet another test's.
const nodeIp = randomLoopbackIp();

function plan(clusterIP: string, backends: Backend[], extra: Partial<ServicePortPlan> = {}): ServicePortPlan {
  return {
    id: 'default/web:/TCP',
    namespace: 'default',
    name: 'web',
    portName: '',
    protocol: 'TCP',
    clusterIP,
    port: 8080,
    backends,
    mode: 'round-robin',
    ...extra,
  };
}

async function proxier(opts: Partial<ConstructorParameters<typeof Proxier>[0]> = {}) {
  const p = new Proxier({ node: { nodeIp }, logger: silentLogger, ...opts });
  cleanups.push(() => p.close());
  return p;
}

async function backends(n: number) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const b = await tcpBackend(`b${i}`);
    cleanups.push(b.close);
    out.push(b);
  }
  return out;
}

describe('Proxier (TCP over loopback)', () => {
  it('forwards ClusterIP connections round-robin across the backends', async () => {
    const bs = await backends(3);
    const ip = randomLoopbackIp();
    const p = await proxier();
    await p.apply([
      plan(
        ip,
        bs.map((b) => b.backend),
      ),
    ]);
    const seen = [];
    for (let i = 0; i < 6; i++) seen.push(await whoAnswers(ip, 8080));
    expect(seen).toEqual(['b0', 'b1', 'b2', 'b0', 'b1', 'b2']);
  });

  it('picks with the random source in random mode', async () => {
    const bs = await backends(3);
    const ip = randomLoopbackIp();
    const seq = [0.7, 0.7, 0.1, 0.4];
    let i = 0;
    const p = await proxier({ balancing: { random: () => seq[i++ % seq.length] as number } });
    await p.apply([
      plan(
        ip,
        bs.map((b) => b.backend),
        { mode: 'random' },
      ),
    ]);
    const seen = [];
    for (let k = 0; k < 4; k++) seen.push(await whoAnswers(ip, 8080));
    expect(seen).toEqual(['b2', 'b2', 'b0', 'b1']);
  });

  it('keeps each client IP on one backend with ClientIP affinity', async () => {
    const bs = await backends(3);
    const ip = randomLoopbackIp();
    const p = await proxier();
    await p.apply([
      plan(
        ip,
        bs.map((b) => b.backend),
        { affinitySeconds: 60 },
      ),
    ]);
    const a = [];
    const b = [];
    for (let k = 0; k < 3; k++) {
      a.push(await whoAnswers(ip, 8080, '127.0.0.2'));
      b.push(await whoAnswers(ip, 8080, '127.0.0.3'));
    }
    expect(new Set(a).size).toBe(1);
    expect(new Set(b).size).toBe(1);
    expect(a[0]).not.toBe(b[0]);
  });

  it('serves a NodePort on the node IP', async () => {
    const [b] = await backends(1);
    const nodePort = 30000 + Math.floor(Math.random() * 2700);
    const p = await proxier();
    await p.apply([plan(randomLoopbackIp(), [b!.backend], { nodePort })]);
    expect(p.unbound()).toEqual(new Map());
    expect(await whoAnswers(nodeIp, nodePort)).toBe('b0');
  });

  it('skips a backend that refuses: the connection goes to the next one and later ones avoid it', async () => {
    const [b0, b1] = await backends(2);
    const dead = await deadBackend();
    const ip = randomLoopbackIp();
    const p = await proxier();
    await p.apply([
      plan(
        ip,
        [dead, b0!.backend, b1!.backend].sort((x, y) => x.port - y.port),
      ),
    ]);
    const seen = [];
    for (let k = 0; k < 6; k++) seen.push(await whoAnswers(ip, 8080));
    expect(seen).not.toContain('dead');
    expect(seen.filter((s) => s === 'b0')).toHaveLength(3);
    expect(seen.filter((s) => s === 'b1')).toHaveLength(3);
  });

  it('carries a half-close through: the client ends its side and still reads the whole answer', async () => {
    const [b0] = await backends(1);
    const ip = randomLoopbackIp();
    const p = await proxier();
    await p.apply([plan(ip, [b0!.backend])]);
    const socket = createConnection({ host: ip, port: 8080 });
    let got = '';
    socket.on('data', (d) => (got += d));
    socket.end('x'.repeat(200_000));
    await new Promise((r) => socket.once('end', r));
    expect(got).toBe(`b0\n${'x'.repeat(200_000)}`);
    socket.destroy();
  });

  it('refuses the connection when no backend is left', async () => {
    const ip = randomLoopbackIp();
    const p = await proxier();
    await p.apply([plan(ip, [await deadBackend()])]);
    await expect(whoAnswers(ip, 8080)).rejects.toThrow();
    await p.apply([plan(ip, [])]);
    await expect(whoAnswers(ip, 8080)).rejects.toThrow();
  });

  it('follows backend changes without dropping established connections to backends that remain', async () => {
    const [b0, b1, b2] = await backends(3);
    const ip = randomLoopbackIp();
    const p = await proxier();
    await p.apply([plan(ip, [b0!.backend])]);
    const held = await connect(ip, 8080);
    expect(held.greeting).toBe('b0');
    await p.apply([plan(ip, [b0!.backend, b1!.backend])]);
    expect(await held.echo('still-there')).toBe('still-there');
    const seen = new Set<string>();
    for (let k = 0; k < 4; k++) seen.add(await whoAnswers(ip, 8080));
    expect(seen).toEqual(new Set(['b0', 'b1']));
    await p.apply([plan(ip, [b0!.backend, b2!.backend])]);
    expect(await held.echo('and-again')).toBe('and-again');
    for (let k = 0; k < 4; k++) expect(await whoAnswers(ip, 8080)).not.toBe('b1');
    held.socket.destroy();
  });

  it('closes a listener and its connections when the Service port goes away, freeing the address', async () => {
    const [b0] = await backends(1);
    const ip = randomLoopbackIp();
    const p = await proxier();
    await p.apply([plan(ip, [b0!.backend])]);
    const held = await connect(ip, 8080);
    const closed = new Promise((r) => held.socket.once('close', r));
    await p.apply([]);
    await closed;
    await expect(whoAnswers(ip, 8080)).rejects.toThrow();
    expect(p.listening()).toEqual(new Map());
  });

  it('retries an address it could not bind on the next apply', async () => {
    const [b0] = await backends(1);
    const ip = randomLoopbackIp();
    const squatter = await proxier();
    await squatter.apply([plan(ip, [b0!.backend])]);
    const p = await proxier();
    const wanted = plan(ip, [b0!.backend]);
    await p.apply([wanted]);
    expect([...p.unbound().values()][0]).toMatch(/EADDRINUSE/);
    await squatter.close();
    await p.apply([wanted]);
    expect(p.unbound()).toEqual(new Map());
    expect(await whoAnswers(ip, 8080)).toBe('b0');
  });

  it('opens a gateway listener per ClusterIP port for pods and reports its route', async () => {
    const [b0] = await backends(1);
    const ip = randomLoopbackIp();
    const routes: PodRoute[][] = [];
    const p = await proxier({ node: { nodeIp, podGatewayIp: '127.0.0.1' }, onPodRoutes: (r) => routes.push(r) });
    await p.apply([plan(ip, [b0!.backend])]);
    await p.apply([plan(ip, [b0!.backend])]);
    expect(routes).toHaveLength(1);
    const [route] = routes[0]!;
    expect(route).toMatchObject({ clusterIP: ip, port: 8080, protocol: 'TCP', gatewayIp: '127.0.0.1' });
    expect(await whoAnswers('127.0.0.1', route!.gatewayPort)).toBe('b0');
    await p.apply([]);
    expect(routes.at(-1)).toEqual([]);
  });
});

describe('Proxier (UDP over loopback)', () => {
  it('forwards datagrams both ways, one backend per client session, round-robin across sessions', async () => {
    const bs = [];
    for (let i = 0; i < 2; i++) {
      const b = await udpBackend(`u${i}`);
      cleanups.push(b.close);
      bs.push(b);
    }
    const ip = randomLoopbackIp();
    const p = await proxier();
    await p.apply([
      plan(
        ip,
        bs.map((b) => b.backend),
        { id: 'default/dns:/UDP', protocol: 'UDP', port: 5353 },
      ),
    ]);
    const answers = [];
    for (let k = 0; k < 4; k++) answers.push(await udpAsk(ip, 5353, `q${k}`));
    expect(answers).toEqual(['u0:q0', 'u1:q1', 'u0:q2', 'u1:q3']);
  });

  it('marks a UDP backend that answers with port unreachable and sends later sessions elsewhere', async () => {
    const live = await udpBackend('u0');
    cleanups.push(live.close);
    const gone = await udpBackend('gone');
    await gone.close();
    const ip = randomLoopbackIp();
    const p = await proxier();
    const udp = { id: 'default/dns:/UDP', protocol: 'UDP' as const, port: 5353 };
    await p.apply([plan(ip, [gone.backend, live.backend], udp)]);
    await expect(udpAsk(ip, 5353, 'first', 1000)).rejects.toThrow(/timeout/);
    const answers = [];
    for (let k = 0; k < 3; k++) answers.push(await udpAsk(ip, 5353, `q${k}`));
    expect(answers).toEqual(['u0:q0', 'u0:q1', 'u0:q2']);
  });

  it('serves a UDP NodePort on the node IP', async () => {
    const live = await udpBackend('u0');
    cleanups.push(live.close);
    const nodePort = 30000 + Math.floor(Math.random() * 2700);
    const p = await proxier();
    await p.apply([
      plan(randomLoopbackIp(), [live.backend], { id: 'default/dns:/UDP', protocol: 'UDP', port: 53, nodePort }),
    ]);
    expect(await udpAsk(nodeIp, nodePort, 'hi')).toBe('u0:hi');
  });
});
