import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { backendsOf, listenerKey, listenersOf, planProxy } from '../../../agent/proxy/plan.ts';
import { makeEndpoints, makeService, type Overrides } from '../../fixtures/objects.ts';

const svc = (o: Overrides = {}) => makeService(o) as unknown as Service;
const eps = (o: Overrides = {}) => makeEndpoints(o) as unknown as Endpoints;

const web = svc({
  spec: {
    clusterIP: '127.96.0.10',
    type: 'NodePort',
    ports: [
      { name: 'http', port: 80, targetPort: 8080, nodePort: 30080 },
      { name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 },
      { name: 'sctp', port: 99, protocol: 'SCTP' },
    ],
  },
});
const webEndpoints = eps({
  subsets: [
    {
      addresses: [{ ip: '127.0.0.3' }, { ip: '127.0.0.2' }],
      notReadyAddresses: [{ ip: '127.0.0.9' }],
      ports: [
        { name: 'http', port: 32771, protocol: 'TCP' },
        { name: 'dns', port: 31000, protocol: 'UDP' },
      ],
    },
    { addresses: [{ ip: '127.0.0.2' }], ports: [{ name: 'http', port: 32772, protocol: 'TCP' }] },
  ],
});

describe('planProxy', () => {
  it('plans every TCP and UDP port with its ready backends, skipping SCTP', () => {
    expect(planProxy([web], [webEndpoints])).toEqual([
      {
        id: 'default/web:dns/UDP',
        namespace: 'default',
        name: 'web',
        portName: 'dns',
        protocol: 'UDP',
        clusterIP: '127.96.0.10',
        port: 53,
        nodePort: 30053,
        backends: [
          { ip: '127.0.0.2', port: 31000 },
          { ip: '127.0.0.3', port: 31000 },
        ],
        mode: 'round-robin',
      },
      {
        id: 'default/web:http/TCP',
        namespace: 'default',
        name: 'web',
        portName: 'http',
        protocol: 'TCP',
        clusterIP: '127.96.0.10',
        port: 80,
        nodePort: 30080,
        backends: [
          { ip: '127.0.0.2', port: 32771 },
          { ip: '127.0.0.2', port: 32772 },
          { ip: '127.0.0.3', port: 32771 },
        ],
        mode: 'round-robin',
      },
    ]);
  });

  it.each([
    { case: 'ClientIP with the default timeout', spec: { sessionAffinity: 'ClientIP' }, want: 10800 },
    {
      case: 'ClientIP with a timeout',
      spec: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 30 } } },
      want: 30,
    },
    { case: 'None', spec: { sessionAffinity: 'None' }, want: undefined },
  ])('takes session affinity $case', ({ spec, want }) => {
    const [plan] = planProxy([svc({ spec: { clusterIP: '127.96.0.10', ...spec } })], []);
    expect(plan?.affinitySeconds).toBe(want);
  });

  it.each([
    { annotation: 'random', fallback: 'round-robin' as const, want: 'random' },
    { annotation: 'round-robin', fallback: 'random' as const, want: 'round-robin' },
    { annotation: 'bogus', fallback: 'random' as const, want: 'random' },
    { annotation: undefined, fallback: 'round-robin' as const, want: 'round-robin' },
  ])('chooses mode $want from annotation $annotation over $fallback', ({ annotation, fallback, want }) => {
    const annotations = annotation ? { 'skube.io/load-balancing': annotation } : undefined;
    const s = svc({ metadata: { annotations }, spec: { clusterIP: '127.96.0.10' } });
    expect(planProxy([s], [], fallback)[0]?.mode).toBe(want);
  });

  it('skips ExternalName and headless Services but keeps an unnamed port', () => {
    const plans = planProxy(
      [
        svc({ metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.org' } }),
        svc({ metadata: { name: 'peers' }, spec: { clusterIP: 'None' } }),
        svc({ metadata: { name: 'web' }, spec: { clusterIP: '127.96.0.10' } }),
      ],
      [eps({ subsets: [{ addresses: [{ ip: '127.0.0.2' }], ports: [{ port: 32000, protocol: 'TCP' }] }] })],
    );
    expect(plans.map((p) => [p.id, p.backends])).toEqual([['default/web:/TCP', [{ ip: '127.0.0.2', port: 32000 }]]]);
  });

  it('gives no backends when the Endpoints are missing or of another namespace', () => {
    const other = eps({ metadata: { namespace: 'team-a' } });
    expect(planProxy([svc({ spec: { clusterIP: '127.96.0.10' } })], [other])[0]?.backends).toEqual([]);
  });
});

describe('backendsOf', () => {
  it('matches by port name and protocol and ignores not-ready addresses', () => {
    expect(backendsOf(webEndpoints, 'dns', 'TCP')).toEqual([]);
    expect(backendsOf(webEndpoints, 'http', 'TCP')).toHaveLength(3);
    expect(backendsOf(undefined, 'http', 'TCP')).toEqual([]);
  });
});

describe('listenersOf', () => {
  const [dns, http] = planProxy([web], [webEndpoints]);
  it('listens on the ClusterIP, the NodePort on the node IP and any port on the pod gateway', () => {
    expect(listenersOf(http!, { nodeIp: '127.0.0.2', podGatewayIp: '172.17.0.1' })).toEqual([
      { planId: 'default/web:http/TCP', kind: 'cluster-ip', host: '127.96.0.10', port: 80, protocol: 'TCP' },
      { planId: 'default/web:http/TCP', kind: 'node-port', host: '127.0.0.2', port: 30080, protocol: 'TCP' },
      { planId: 'default/web:http/TCP', kind: 'pod', host: '172.17.0.1', port: 0, protocol: 'TCP' },
    ]);
    expect(listenersOf(dns!, { nodeIp: '127.0.0.2' }).map(listenerKey)).toEqual([
      'default/web:dns/UDP|cluster-ip|127.96.0.10|53',
      'default/web:dns/UDP|node-port|127.0.0.2|30053',
    ]);
  });
});
