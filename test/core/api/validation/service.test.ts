import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../../../../core/api/defaulting/index.ts';
import { findByKind } from '../../../../core/api/resources.ts';
import { validateObject, validateObjectUpdate } from '../../../../core/api/validation/index.ts';
import { fieldErrorString } from '../../../../core/errors/field-errors.ts';
import { makeService, type Overrides } from '../../../fixtures/objects.ts';

const SVC = findByKind('', 'Service')!;
const check = (overrides: Overrides) =>
  validateObject(SVC, applyDefaults(SVC, makeService(overrides))).map((e) => [e.field, e.type]);

describe('validateObject (Service)', () => {
  it.each<[string, Overrides]>([
    ['a ClusterIP Service', {}],
    [
      'a NodePort Service with a chosen node port',
      { spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] } },
    ],
    ['a LoadBalancer Service', { spec: { type: 'LoadBalancer' } }],
    ['a headless Service without ports', { spec: { clusterIP: 'None', ports: [] } }],
    [
      'an ExternalName Service',
      { spec: { type: 'ExternalName', externalName: 'db.example.com.', ports: [], selector: undefined } },
    ],
    [
      'two named ports',
      {
        spec: {
          ports: [
            { name: 'http', port: 80 },
            { name: 'https', port: 443 },
          ],
        },
      },
    ],
    ['a requested cluster IP', { spec: { clusterIP: '10.96.0.10' } }],
  ])('accepts %s', (_name, overrides) => {
    expect(check(overrides)).toEqual([]);
  });

  it.each<[string, Overrides, string[][]]>([
    ['no ports', { spec: { ports: [] } }, [['spec.ports', 'FieldValueRequired']]],
    ['port 0', { spec: { ports: [{ port: 0, targetPort: 80 }] } }, [['spec.ports[0].port', 'FieldValueInvalid']]],
    [
      'port 65536',
      { spec: { ports: [{ port: 65536 }] } },
      [
        ['spec.ports[0].port', 'FieldValueInvalid'],
        ['spec.ports[0].targetPort', 'FieldValueInvalid'],
      ],
    ],
    [
      'a bad targetPort name',
      { spec: { ports: [{ port: 80, targetPort: 'web--port' }] } },
      [['spec.ports[0].targetPort', 'FieldValueInvalid']],
    ],
    [
      'unnamed ports',
      { spec: { ports: [{ port: 80 }, { port: 443 }] } },
      [
        ['spec.ports[0].name', 'FieldValueRequired'],
        ['spec.ports[1].name', 'FieldValueRequired'],
      ],
    ],
    [
      'duplicate port names',
      {
        spec: {
          ports: [
            { name: 'web', port: 80 },
            { name: 'web', port: 81 },
          ],
        },
      },
      [['spec.ports[1].name', 'FieldValueDuplicate']],
    ],
    [
      'duplicate port numbers',
      {
        spec: {
          ports: [
            { name: 'a', port: 80 },
            { name: 'b', port: 80 },
          ],
        },
      },
      [['spec.ports[1]', 'FieldValueDuplicate']],
    ],
    [
      'the same port over TCP and UDP',
      {
        spec: {
          ports: [
            { name: 'a', port: 53 },
            { name: 'b', port: 53, protocol: 'UDP' },
          ],
        },
      },
      [],
    ],
    [
      'a bad protocol',
      { spec: { ports: [{ port: 80, protocol: 'HTTP' }] } },
      [['spec.ports[0].protocol', 'FieldValueNotSupported']],
    ],
    ['a bad type', { spec: { type: 'Internal' } }, [['spec.type', 'FieldValueNotSupported']]],
    [
      'a bad session affinity',
      { spec: { sessionAffinity: 'Cookie' } },
      [['spec.sessionAffinity', 'FieldValueNotSupported']],
    ],
    [
      'a nodePort on a ClusterIP Service',
      { spec: { ports: [{ port: 80, nodePort: 30080 }] } },
      [['spec.ports[0].nodePort', 'FieldValueForbidden']],
    ],
    [
      'a headless NodePort Service',
      { spec: { type: 'NodePort', clusterIP: 'None' } },
      [['spec.clusterIPs[0]', 'FieldValueInvalid']],
    ],
    [
      'an ExternalName without a name',
      { spec: { type: 'ExternalName', ports: [] } },
      [['spec.externalName', 'FieldValueRequired']],
    ],
    [
      'an ExternalName with a cluster IP',
      { spec: { type: 'ExternalName', externalName: 'db.example.com', clusterIP: '10.0.0.1' } },
      [['spec.clusterIPs', 'FieldValueForbidden']],
    ],
    ['a bad cluster IP', { spec: { clusterIP: '10.0.0.256' } }, [['spec.clusterIPs[0]', 'FieldValueInvalid']]],
    [
      'externalTrafficPolicy on ClusterIP',
      { spec: { externalTrafficPolicy: 'Local' } },
      [['spec.externalTrafficPolicy', 'FieldValueInvalid']],
    ],
    ['a bad selector', { spec: { selector: { app: 'has space' } } }, [['spec.selector', 'FieldValueInvalid']]],
    [
      'a ClientIP timeout of 0',
      { spec: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } } } },
      [['spec.sessionAffinityConfig.clientIP.timeoutSeconds', 'FieldValueInvalid']],
    ],
  ])('rejects %s', (_name, overrides, expected) => {
    expect(check(overrides)).toEqual(expected);
  });

  it('reports Kubernetes’ supported values for a bad type', () => {
    const errs = validateObject(SVC, applyDefaults(SVC, makeService({ spec: { type: 'Internal' } })));
    expect(errs.map(fieldErrorString)).toEqual([
      'spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ]);
  });
});

describe('validateObjectUpdate (Service)', () => {
  const stored = applyDefaults(SVC, makeService({ spec: { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] } }));

  it('allows keeping or omitting the allocated cluster IP', () => {
    expect(validateObjectUpdate(SVC, stored, stored)).toEqual([]);
    const omitted = structuredClone(stored) as any;
    delete omitted.spec.clusterIP;
    delete omitted.spec.clusterIPs;
    expect(validateObjectUpdate(SVC, omitted, stored)).toEqual([]);
  });

  it('forbids changing the cluster IP once set', () => {
    const next = structuredClone(stored) as any;
    next.spec.clusterIP = '10.96.0.11';
    next.spec.clusterIPs = ['10.96.0.11'];
    expect(validateObjectUpdate(SVC, next, stored).map(fieldErrorString)).toEqual([
      'spec.clusterIPs[0]: Invalid value: ["10.96.0.11"]: may not change once set',
    ]);
  });

  it('accepts a type change that leaves node ports and traffic policy behind', () => {
    const nodePort = applyDefaults(
      SVC,
      makeService({ spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] } }),
    );
    const next = structuredClone(nodePort) as any;
    next.spec.type = 'ClusterIP';
    expect(validateObjectUpdate(SVC, next, nodePort)).toEqual([]);
  });

  it('accepts a change to ExternalName that leaves cluster IPs behind', () => {
    const next = structuredClone(stored) as any;
    next.spec.type = 'ExternalName';
    next.spec.externalName = 'db.example.com';
    expect(validateObjectUpdate(SVC, next, stored)).toEqual([]);
  });
});
