import { describe, expect, it } from 'vitest';
import { applyDefaults, dropServiceTypeDependentFields } from '../../../../core/api/defaulting/index.ts';
import type { KubeObject } from '../../../../core/api/object.ts';
import { findByKind } from '../../../../core/api/resources.ts';
import { makeService } from '../../../fixtures/objects.ts';

const SERVICE = findByKind('', 'Service')!;
const spec = (svc: KubeObject) => (applyDefaults(SERVICE, svc) as any).spec;

describe('applyDefaults (Service)', () => {
  it('fills ClusterIP Service defaults without allocating an IP', () => {
    expect(spec(makeService({ spec: { ports: [{ port: 80 }] } }))).toEqual({
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
  });

  it.each([0, ''])('replaces a targetPort of %j with the port', (targetPort) => {
    expect(spec(makeService({ spec: { ports: [{ port: 80, targetPort }] } })).ports[0].targetPort).toBe(80);
  });

  it('keeps a named targetPort', () => {
    expect(spec(makeService({ spec: { ports: [{ port: 80, targetPort: 'http' }] } })).ports[0].targetPort).toBe('http');
  });

  it.each(['NodePort', 'LoadBalancer'])(
    'gives a %s Service externalTrafficPolicy Cluster and no node ports',
    (type) => {
      const s = spec(makeService({ spec: { type } }));
      expect(s.externalTrafficPolicy).toBe('Cluster');
      expect(s.ports[0].nodePort).toBeUndefined();
      expect(s.clusterIP).toBeUndefined();
    },
  );

  it('sets allocateLoadBalancerNodePorts only for LoadBalancer Services', () => {
    expect(spec(makeService({ spec: { type: 'LoadBalancer' } })).allocateLoadBalancerNodePorts).toBe(true);
    expect(spec(makeService()).allocateLoadBalancerNodePorts).toBeUndefined();
  });

  it('keeps an explicit externalTrafficPolicy Local', () => {
    expect(
      spec(makeService({ spec: { type: 'NodePort', externalTrafficPolicy: 'Local' } })).externalTrafficPolicy,
    ).toBe('Local');
  });

  it('gives ClientIP affinity a default timeout and drops config under None', () => {
    expect(spec(makeService({ spec: { sessionAffinity: 'ClientIP' } })).sessionAffinityConfig).toEqual({
      clientIP: { timeoutSeconds: 10800 },
    });
    const none = spec(makeService({ spec: { sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } } } }));
    expect(none.sessionAffinityConfig).toBeUndefined();
  });

  it('gives ExternalName Services no IP families or traffic policies', () => {
    const s = spec(
      makeService({ spec: { type: 'ExternalName', externalName: 'db.example.com', selector: undefined } }),
    );
    expect(s.ipFamilies).toBeUndefined();
    expect(s.ipFamilyPolicy).toBeUndefined();
    expect(s.internalTrafficPolicy).toBeUndefined();
  });

  it('makes a headless Service without selector RequireDualStack, as the registry does', () => {
    const s = spec(makeService({ spec: { clusterIP: 'None', selector: undefined } }));
    expect(s.ipFamilyPolicy).toBe('RequireDualStack');
    expect(s.ipFamilies).toEqual(['IPv4', 'IPv6']);
    expect(spec(makeService({ spec: { clusterIP: 'None' } })).ipFamilyPolicy).toBe('SingleStack');
  });
});

describe('dropServiceTypeDependentFields', () => {
  const old = makeService({
    spec: {
      type: 'NodePort',
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      externalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ port: 80, nodePort: 30080 }],
    },
  });

  it('drops node ports and externalTrafficPolicy left behind by a change to ClusterIP', () => {
    const updated = structuredClone(old) as any;
    updated.spec.type = 'ClusterIP';
    const s = (dropServiceTypeDependentFields(updated, old) as any).spec;
    expect(s.ports[0].nodePort).toBeUndefined();
    expect(s.externalTrafficPolicy).toBeUndefined();
    expect(s.clusterIP).toBe('10.96.0.10');
    expect(updated.spec.ports[0].nodePort).toBe(30080);
  });

  it('drops cluster IPs and families on a change to ExternalName but keeps values the user changed', () => {
    const updated = structuredClone(old) as any;
    updated.spec.type = 'ExternalName';
    updated.spec.clusterIP = '10.96.0.99';
    const s = (dropServiceTypeDependentFields(updated, old) as any).spec;
    expect(s.clusterIP).toBe('10.96.0.99');
    expect(s.ipFamilies).toBeUndefined();
    expect(s.ipFamilyPolicy).toBeUndefined();
  });
});
