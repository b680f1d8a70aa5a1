import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../../../../core/api/defaulting/index.ts';
import type { KubeObject } from '../../../../core/api/object.ts';
import { findByKind } from '../../../../core/api/resources.ts';
import { validateObject, validateObjectUpdate } from '../../../../core/api/validation/index.ts';
import { fieldErrorString } from '../../../../core/errors/field-errors.ts';
import {
  makeBinding,
  makeConfigMap,
  makeEndpoints,
  makeEvent,
  makeLease,
  makeNamespace,
  makeNode,
  makeResourceQuota,
  makeSecret,
} from '../../../fixtures/objects.ts';

const info = (kind: string, group = '') => findByKind(group, kind)!;
const check = (kind: string, obj: KubeObject, group = '') =>
  validateObject(info(kind, group), applyDefaults(info(kind, group), obj)).map((e) => [e.field, e.type]);

describe('validateObject (core kinds)', () => {
  it.each<[string, KubeObject, string?]>([
    ['Namespace', makeNamespace()],
    ['Secret', makeSecret()],
    ['ConfigMap', makeConfigMap()],
    ['Node', makeNode()],
    ['Endpoints', makeEndpoints()],
    ['Event', makeEvent()],
    ['Lease', makeLease(), 'coordination.k8s.io'],
    ['ResourceQuota', makeResourceQuota()],
    ['Binding', makeBinding()],
  ])('accepts a defaulted %s', (kind, obj, group) => {
    expect(check(kind, obj, group)).toEqual([]);
  });

  it.each<[string, string, KubeObject, string[][]]>([
    [
      'Namespace',
      'a bad spec finalizer',
      makeNamespace({ spec: { finalizers: ['cleanup'] } }),
      [['spec.finalizers[0]', 'FieldValueInvalid']],
    ],
    ['Secret', 'a bad key', makeSecret({ data: { 'bad key': 'eA==' } }), [['data[bad key]', 'FieldValueInvalid']]],
    [
      'Secret',
      'a TLS secret without a key',
      makeSecret({ type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }),
      [['data[tls.key]', 'FieldValueRequired']],
    ],
    [
      'Secret',
      'more than 1 MiB',
      makeSecret({ data: { big: 'A'.repeat(1_400_000) } }),
      [['data', 'FieldValueTooLong']],
    ],
    [
      'ConfigMap',
      'a key in data and binaryData',
      makeConfigMap({ binaryData: { 'log.level': 'eA==' } }),
      [['data[log.level]', 'FieldValueInvalid']],
    ],
    [
      'Node',
      'duplicate taints',
      makeNode({
        spec: {
          taints: [
            { key: 'a', effect: 'NoSchedule' },
            { key: 'a', effect: 'NoSchedule' },
          ],
        },
      }),
      [['metadata.taints[1]', 'FieldValueDuplicate']],
    ],
    [
      'Node',
      'a bad pod CIDR',
      makeNode({ spec: { podCIDR: '10.0.0.0/33' } }),
      [['spec.podCIDRs[0]', 'FieldValueInvalid']],
    ],
    [
      'Endpoints',
      'a subset without addresses',
      makeEndpoints({ subsets: [{ ports: [{ port: 80 }] }] }),
      [['subsets[0]', 'FieldValueRequired']],
    ],
    [
      'Endpoints',
      'a bad IP',
      makeEndpoints({ subsets: [{ addresses: [{ ip: 'node-1' }] }] }),
      [['subsets[0].addresses[0].ip', 'FieldValueInvalid']],
    ],
    [
      'Event',
      'a namespace other than its object',
      makeEvent({ involvedObject: { namespace: 'kube-system' } }),
      [['involvedObject.namespace', 'FieldValueInvalid']],
    ],
    [
      'ResourceQuota',
      'a negative quantity',
      makeResourceQuota({ spec: { hard: { pods: '-1' } } }),
      [['spec.hard[pods]', 'FieldValueInvalid']],
    ],
    [
      'Binding',
      'no target name',
      makeBinding({ target: { name: undefined } }),
      [['target.name', 'FieldValueRequired']],
    ],
  ])('rejects a %s with %s', (kind, _name, obj, expected) => {
    expect(check(kind, obj)).toEqual(expected);
  });

  it('allows loopback endpoint addresses, which skube node IPs are', () => {
    expect(
      check('Endpoints', makeEndpoints({ subsets: [{ addresses: [{ ip: '127.0.0.2' }], ports: [{ port: 80 }] }] })),
    ).toEqual([]);
  });

  it('rejects a Lease with a zero duration', () => {
    expect(check('Lease', makeLease({ spec: { leaseDurationSeconds: 0 } }), 'coordination.k8s.io')).toEqual([
      ['spec.leaseDurationSeconds', 'FieldValueInvalid'],
    ]);
  });
});

describe('validateObjectUpdate (core kinds)', () => {
  const update = (kind: string, stored: KubeObject, change: (o: any) => void) => {
    const before = applyDefaults(info(kind), stored);
    const next = structuredClone(before) as any;
    change(next);
    return validateObjectUpdate(info(kind), next, before).map(fieldErrorString);
  };

  it('freezes the data of an immutable Secret or ConfigMap', () => {
    expect(update('Secret', makeSecret({ immutable: true }), (s) => (s.data.password = 'eA=='))).toEqual([
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
    expect(update('ConfigMap', makeConfigMap({ immutable: true }), (c) => (c.immutable = false))).toEqual([
      'immutable: Forbidden: field is immutable when `immutable` is set',
    ]);
    expect(update('ConfigMap', makeConfigMap(), (c) => (c.data['log.level'] = 'debug'))).toEqual([]);
  });

  it('forbids changing a Secret type', () => {
    expect(update('Secret', makeSecret(), (s) => (s.type = 'kubernetes.io/tls'))).toEqual(
      expect.arrayContaining(['type: Invalid value: "kubernetes.io/tls": field is immutable']),
    );
  });

  it('sets a Node pod CIDR once', () => {
    expect(update('Node', makeNode(), (n) => (n.spec.podCIDR = '10.244.1.0/24'))).toEqual([]);
    expect(
      update('Node', makeNode({ spec: { podCIDR: '10.244.1.0/24' } }), (n) => (n.spec.podCIDR = '10.244.2.0/24')),
    ).toEqual(['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid']);
  });

  it('forbids renaming a Namespace', () => {
    expect(update('Namespace', makeNamespace(), (n) => (n.metadata.name = 'team-b'))).toEqual([
      'metadata.name: Invalid value: "team-b": field is immutable',
    ]);
  });
});
