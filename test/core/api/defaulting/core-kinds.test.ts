import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../../../../core/api/defaulting/index.ts';
import { findByKind } from '../../../../core/api/resources.ts';
import {
  makeConfigMap,
  makeEndpoints,
  makeEvent,
  makeLease,
  makeNamespace,
  makeNode,
  makeSecret,
} from '../../../fixtures/objects.ts';

const info = (kind: string, group = '') => findByKind(group, kind)!;

describe('applyDefaults (core kinds)', () => {
  it('gives a new Namespace its finalizer, phase and name label', () => {
    const ns = applyDefaults(info('Namespace'), makeNamespace({ metadata: { labels: { team: 'a' } } })) as any;
    expect(ns.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(ns.status).toEqual({ phase: 'Active' });
    expect(ns.metadata.labels).toEqual({ team: 'a', 'kubernetes.io/metadata.name': 'team-a' });
  });

  it('does not bring back a finalizer the namespace controller removed', () => {
    const terminating = makeNamespace({
      metadata: { deletionTimestamp: '2025-01-01T00:00:00Z' },
      spec: {},
      status: { phase: 'Terminating' },
    });
    const ns = applyDefaults(info('Namespace'), terminating) as any;
    expect(ns.spec.finalizers).toBeUndefined();
    expect(ns.status.phase).toBe('Terminating');
    const emptied = applyDefaults(info('Namespace'), makeNamespace({ spec: { finalizers: [] } })) as any;
    expect(emptied.spec.finalizers).toEqual([]);
  });

  it('types a Secret Opaque unless a type is set', () => {
    expect((applyDefaults(info('Secret'), makeSecret()) as any).type).toBe('Opaque');
    const tls = makeSecret({ type: 'kubernetes.io/tls' });
    expect((applyDefaults(info('Secret'), tls) as any).type).toBe('kubernetes.io/tls');
  });

  it('defaults Endpoints port protocols', () => {
    expect((applyDefaults(info('Endpoints'), makeEndpoints()) as any).subsets[0].ports[0].protocol).toBe('TCP');
  });

  it('defaults Node allocatable to capacity but keeps one that is set', () => {
    expect((applyDefaults(info('Node'), makeNode()) as any).status.allocatable).toEqual({
      cpu: '4',
      memory: '8Gi',
      pods: '110',
    });
    const node = makeNode({ status: { allocatable: { cpu: '3' } } });
    expect((applyDefaults(info('Node'), node) as any).status.allocatable).toEqual({ cpu: '3' });
  });

  it.each([
    ['ConfigMap', '', makeConfigMap()],
    ['Event', '', makeEvent()],
    ['Lease', 'coordination.k8s.io', makeLease()],
  ])('returns an unchanged copy of a %s', (kind, group, obj) => {
    const out = applyDefaults(info(kind, group), obj);
    expect(out).toEqual(obj);
    expect(out).not.toBe(obj);
  });
});
