import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../core/api/object.ts';
import { endpointsPrinter, servicePrinter } from '../../../../core/apiserver/tables/services.ts';
import { makeEndpoints, makeService, type Overrides } from '../../../fixtures/objects.ts';

const NOW = new Date('2025-01-01T12:00:00Z');
const cells = (overrides: Overrides) => servicePrinter.cells(makeService(overrides) as KubeObject, NOW);

describe('servicePrinter', () => {
  it('prints a ClusterIP service', () => {
    const svc = {
      metadata: { creationTimestamp: '2025-01-01T11:50:00Z' },
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.10',
        clusterIPs: ['10.96.0.10'],
        ports: [{ port: 80, protocol: 'TCP' }],
      },
    };
    expect(cells(svc)).toEqual(['web', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP', '10m', 'app=web']);
  });

  it.each<[string, Overrides, string]>([
    ['a ClusterIP service with external IPs', { spec: { externalIPs: ['1.2.3.4', '5.6.7.8'] } }, '1.2.3.4,5.6.7.8'],
    ['a NodePort service', { spec: { type: 'NodePort' } }, '<none>'],
    ['a LoadBalancer without ingress', { spec: { type: 'LoadBalancer' } }, '<pending>'],
    [
      'a LoadBalancer with ingress, sorted and deduplicated',
      {
        spec: { type: 'LoadBalancer' },
        status: { loadBalancer: { ingress: [{ ip: '9.9.9.9' }, { hostname: 'lb.example.com' }, { ip: '9.9.9.9' }] } },
      },
      '9.9.9.9,lb.example.com',
    ],
    [
      'a LoadBalancer with ingress and external IPs',
      {
        spec: { type: 'LoadBalancer', externalIPs: ['1.2.3.4'] },
        status: { loadBalancer: { ingress: [{ ip: '9.9.9.9' }] } },
      },
      '9.9.9.9,1.2.3.4',
    ],
    ['an ExternalName service', { spec: { type: 'ExternalName', externalName: 'db.example.com' } }, 'db.example.com'],
    ['an unknown type', { spec: { type: 'Weird' } }, '<unknown>'],
  ])('prints the External-IP of %s', (_name, overrides, want) => {
    expect(cells(overrides)[3]).toBe(want);
  });

  it('prints node ports and defaults the protocol to TCP', () => {
    const svc = {
      spec: {
        type: 'NodePort',
        ports: [
          { port: 80, nodePort: 30080, protocol: 'TCP' },
          { port: 53, protocol: 'UDP' },
        ],
      },
    };
    expect(cells(svc)[4]).toBe('80:30080/TCP,53/UDP');
    expect(cells({ spec: { ports: [{ port: 8080 }] } })[4]).toBe('8080/TCP');
  });

  it('prints <none> for a service without ports, cluster IP or selector', () => {
    const svc = { spec: { type: 'ExternalName', externalName: 'x', ports: [], selector: undefined } };
    expect(cells(svc)).toEqual(['web', 'ExternalName', '<none>', 'x', '<none>', '<unknown>', '<none>']);
  });

  it('prints None for a headless service', () => {
    expect(cells({ spec: { clusterIP: 'None' } })[2]).toBe('None');
  });
});

describe('endpointsPrinter', () => {
  const endpoints = (subsets: unknown[]) => endpointsPrinter.cells(makeEndpoints({ subsets }) as KubeObject, NOW)[1];

  it('prints ip:port pairs', () => {
    expect(endpoints([{ addresses: [{ ip: '10.0.0.5' }, { ip: '10.0.0.6' }], ports: [{ port: 8080 }] }])).toBe(
      '10.0.0.5:8080,10.0.0.6:8080',
    );
  });

  it('lists three entries and counts the rest', () => {
    const addresses = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((ip) => ({ ip }));
    expect(endpoints([{ addresses, ports: [{ port: 80 }, { port: 443 }] }])).toBe(
      '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 5 more...',
    );
  });

  it('prints bare addresses for port-less subsets and brackets IPv6', () => {
    expect(
      endpoints([{ addresses: [{ ip: '10.0.0.9' }] }, { addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }]),
    ).toBe('10.0.0.9,[fd00::1]:80');
  });

  it('prints <none> without subsets', () => {
    expect(endpoints([])).toBe('<none>');
  });
});
