import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { planEndpoints, publishedPorts, reachOf, resolvePort } from '../../../../core/controllers/endpoints/plan.ts';
import { makePod, makeService, type Overrides } from '../../../fixtures/objects.ts';

const svc = (o: Overrides = {}) => makeService(o) as unknown as Service;

interface P {
  name: string;
  ip?: string;
  ready?: boolean;
  labels?: Record<string, string>;
  phase?: string;
  deleting?: boolean;
  httpPort?: number;
  hostIP?: string;
  published?: string;
}
const pod = (p: P): Pod =>
  makePod({
    metadata: {
      name: p.name,
      uid: `uid-${p.name}`,
      labels: p.labels ?? { app: 'web' },
      ...(p.published ? { annotations: { 'skube.io/published-ports': p.published } } : {}),
      ...(p.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}),
    },
    spec: {
      nodeName: 'node-1',
      containers: [{ name: 'c', image: 'i', ports: p.httpPort ? [{ name: 'http', containerPort: p.httpPort }] : [] }],
    },
    status: {
      phase: p.phase ?? 'Running',
      ...(p.hostIP ? { hostIP: p.hostIP } : {}),
      ...(p.ip === undefined ? { podIP: `10.0.0.${p.name.length}` } : p.ip ? { podIP: p.ip } : {}),
      conditions: [{ type: 'Ready', status: p.ready === false ? 'False' : 'True' }],
    },
  }) as unknown as Pod;

const addr = (name: string, ip: string) => ({
  ip,
  nodeName: 'node-1',
  targetRef: { kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` },
});

describe('planEndpoints', () => {
  it('leaves Services without a selector alone', () => {
    expect(planEndpoints(svc({ spec: { selector: undefined } }), [pod({ name: 'a' })])).toBeUndefined();
  });

  it('splits ready and unready pods and skips pods without IP, terminating, finished or unselected', () => {
    const pods = [
      pod({ name: 'a', ip: '10.0.0.2' }),
      pod({ name: 'b', ip: '10.0.0.1' }),
      pod({ name: 'c', ip: '10.0.0.3', ready: false }),
      pod({ name: 'noip', ip: '' }),
      pod({ name: 'gone', deleting: true }),
      pod({ name: 'done', phase: 'Succeeded' }),
      pod({ name: 'fail', phase: 'Failed' }),
      pod({ name: 'db', labels: { app: 'db' } }),
    ];
    expect(planEndpoints(svc(), pods)?.subsets).toEqual([
      {
        addresses: [addr('b', '10.0.0.1'), addr('a', '10.0.0.2')],
        notReadyAddresses: [addr('c', '10.0.0.3')],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  it('resolves a named targetPort per pod, one subset per port set, skipping pods without the port', () => {
    const service = svc({ spec: { ports: [{ name: 'web', port: 80, targetPort: 'http' }] } });
    const pods = [
      pod({ name: 'a', ip: '10.0.0.1', httpPort: 8080 }),
      pod({ name: 'b', ip: '10.0.0.2', httpPort: 9090 }),
      pod({ name: 'c', ip: '10.0.0.3', httpPort: 8080 }),
      pod({ name: 'd', ip: '10.0.0.4' }),
    ];
    expect(planEndpoints(service, pods)?.subsets).toEqual([
      {
        addresses: [addr('a', '10.0.0.1'), addr('c', '10.0.0.3')],
        ports: [{ name: 'web', port: 8080, protocol: 'TCP' }],
      },
      { addresses: [addr('b', '10.0.0.2')], ports: [{ name: 'web', port: 9090, protocol: 'TCP' }] },
    ]);
  });

  it('publishes unready pods as ready with publishNotReadyAddresses and copies the Service labels', () => {
    const service = svc({ metadata: { labels: { team: 'x' } }, spec: { publishNotReadyAddresses: true } });
    const plan = planEndpoints(service, [pod({ name: 'a', ip: '10.0.0.1', ready: false })]);
    expect(plan).toEqual({
      labels: { team: 'x' },
      subsets: [{ addresses: [addr('a', '10.0.0.1')], ports: [{ port: 8080, protocol: 'TCP' }] }],
    });
  });

  it('is the same for pods in any order', () => {
    const pods = [
      pod({ name: 'a', ip: '10.0.0.9' }),
      pod({ name: 'b', ip: '10.0.0.1', ready: false }),
      pod({ name: 'c', ip: '10.0.0.5' }),
    ];
    expect(planEndpoints(svc(), [...pods].reverse())).toEqual(planEndpoints(svc(), pods));
  });
});

describe('planEndpoints with published ports', () => {
  it('addresses agent-run pods by node IP and published port, one subset per port set', () => {
    const pods = [
      pod({ name: 'a', ip: '172.17.0.2', hostIP: '127.0.0.2', published: '{"8080/TCP":32771}' }),
      pod({ name: 'b', ip: '172.17.0.3', hostIP: '127.0.0.3', published: '{"8080/TCP":32771}' }),
      pod({ name: 'c', ip: '172.17.0.4', hostIP: '127.0.0.3', published: '{"8080/TCP":32772}', ready: false }),
      pod({ name: 'sim', ip: '10.0.0.9' }),
    ];
    expect(planEndpoints(svc(), pods)?.subsets).toEqual([
      {
        addresses: [addr('a', '127.0.0.2'), addr('b', '127.0.0.3')],
        ports: [{ port: 32771, protocol: 'TCP' }],
      },
      { notReadyAddresses: [addr('c', '127.0.0.3')], ports: [{ port: 32772, protocol: 'TCP' }] },
      {
        addresses: [addr('sim', '10.0.0.9')],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  it('resolves a named targetPort per pod before looking up its published port', () => {
    const service = svc({ spec: { ports: [{ name: 'web', port: 80, targetPort: 'http' }] } });
    const pods = [
      pod({ name: 'a', ip: '172.17.0.2', httpPort: 7000, hostIP: '127.0.0.2', published: '{"7000/TCP":31000}' }),
      pod({ name: 'b', ip: '172.17.0.3', httpPort: 9000, hostIP: '127.0.0.2', published: '{"9000/TCP":31001}' }),
    ];
    expect(planEndpoints(service, pods)?.subsets).toEqual([
      { addresses: [addr('a', '127.0.0.2')], ports: [{ name: 'web', port: 31000, protocol: 'TCP' }] },
      { addresses: [addr('b', '127.0.0.2')], ports: [{ name: 'web', port: 31001, protocol: 'TCP' }] },
    ]);
  });
});

describe('reachOf', () => {
  const tcp = (port: number, name?: string) => ({ ...(name ? { name } : {}), port, protocol: 'TCP' });
  it.each([
    {
      case: 'all ports published',
      published: '{"80/TCP":30001,"81/TCP":30002}',
      hostIP: '127.0.0.2',
      want: { ip: '127.0.0.2', ports: [tcp(30001, 'a'), tcp(30002, 'b')] },
    },
    {
      case: 'one port not published',
      published: '{"80/TCP":30001}',
      hostIP: '127.0.0.2',
      want: { ip: '172.17.0.2', ports: [tcp(80, 'a'), tcp(81, 'b')] },
    },
    {
      case: 'a UDP port published only for TCP',
      published: '{"80/UDP":30001,"81/TCP":30002}',
      hostIP: '127.0.0.2',
      want: { ip: '172.17.0.2', ports: [tcp(80, 'a'), tcp(81, 'b')] },
    },
    {
      case: 'no hostIP',
      published: '{"80/TCP":30001,"81/TCP":30002}',
      hostIP: undefined,
      want: { ip: '172.17.0.2', ports: [tcp(80, 'a'), tcp(81, 'b')] },
    },
    {
      case: 'a malformed annotation',
      published: '{nope',
      hostIP: '127.0.0.2',
      want: { ip: '172.17.0.2', ports: [tcp(80, 'a'), tcp(81, 'b')] },
    },
  ])('uses the right address when $case', ({ published, hostIP, want }) => {
    const p = pod({ name: 'a', ip: '172.17.0.2', published, ...(hostIP ? { hostIP } : {}) });
    expect(reachOf(p, [tcp(80, 'a'), tcp(81, 'b')])).toEqual(want);
  });

  it('keeps the pod IP for a Service without ports', () => {
    const p = pod({ name: 'a', ip: '172.17.0.2', hostIP: '127.0.0.2', published: '{"80/TCP":30001}' });
    expect(reachOf(p, [])).toEqual({ ip: '172.17.0.2', ports: [] });
  });
});

describe('publishedPorts', () => {
  it.each([
    {
      raw: '{"8080/TCP":32771,"53/UDP":31000}',
      want: [
        ['8080/TCP', 32771],
        ['53/UDP', 31000],
      ],
    },
    { raw: '{"8080/TCP":"32771","x":0,"y":70000,"z":1.5}', want: [] },
    { raw: '[1,2]', want: [] },
    { raw: 'null', want: [] },
    { raw: '', want: [] },
  ])('reads $raw', ({ raw, want }) => {
    const p = pod({ name: 'a', ...(raw ? { published: raw } : {}) });
    expect([...publishedPorts(p)]).toEqual(want);
  });
});

describe('resolvePort', () => {
  it.each([
    { targetPort: 8080, want: 8080 },
    { targetPort: '8081', want: 8081 },
    { targetPort: undefined, want: 80 },
    { targetPort: 'http', want: 7000 },
    { targetPort: 'missing', want: undefined },
  ])('resolves targetPort $targetPort to $want', ({ targetPort, want }) => {
    const p = pod({ name: 'a', httpPort: 7000 });
    expect(resolvePort({ port: 80, targetPort }, p)?.port).toBe(want);
  });
});
