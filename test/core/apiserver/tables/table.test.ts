import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../core/api/object.ts';
import { findResource, RESOURCES } from '../../../../core/api/resources.ts';
import { printerFor, toTable } from '../../../../core/apiserver/tables/index.ts';
import * as fixtures from '../../../fixtures/objects.ts';

const NOW = new Date('2025-01-01T12:00:00Z');
const pods = findResource('', 'v1', 'pods')!;
const bindings = findResource('', 'v1', 'bindings')!;
const pod = (name: string, rv: string) =>
  fixtures.makePod({
    metadata: { name, resourceVersion: rv, uid: `uid-${name}`, creationTimestamp: '2025-01-01T11:00:00Z' },
    status: { phase: 'Pending' },
  }) as KubeObject;

/** One fixture per served kind, for the checks every printer must pass. */
const SAMPLES: Record<string, () => KubeObject> = {
  Binding: () => fixtures.makeBinding() as KubeObject,
  ConfigMap: () => fixtures.makeConfigMap() as KubeObject,
  Endpoints: () => fixtures.makeEndpoints() as KubeObject,
  Event: () => fixtures.makeEvent() as KubeObject,
  Namespace: () => fixtures.makeNamespace() as KubeObject,
  Node: () => fixtures.makeNode() as KubeObject,
  Pod: () => fixtures.makePod() as KubeObject,
  ReplicationController: () => fixtures.makeReplicationController() as KubeObject,
  ResourceQuota: () => fixtures.makeResourceQuota() as KubeObject,
  Secret: () => fixtures.makeSecret() as KubeObject,
  Service: () => fixtures.makeService() as KubeObject,
  DaemonSet: () => fixtures.makeDaemonSet() as KubeObject,
  Deployment: () => fixtures.makeDeployment() as KubeObject,
  ReplicaSet: () => fixtures.makeReplicaSet() as KubeObject,
  Lease: () => fixtures.makeLease() as KubeObject,
};

describe('toTable', () => {
  it('builds a meta.k8s.io/v1 Table with list metadata, columns and one row per object', () => {
    const table = toTable(pods, [pod('a', '5'), pod('b', '6')], { now: NOW, resourceVersion: '9', continue: 'tok' });
    expect(table).toMatchObject({
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '9', continue: 'tok' },
    });
    expect(table.rows.map((r) => r.cells[0])).toEqual(['a', 'b']);
    expect(table.columnDefinitions?.[0]).toEqual({
      name: 'Name',
      type: 'string',
      format: 'name',
      description: expect.stringContaining('Name must be unique within a namespace'),
      priority: 0,
    });
  });

  it('defaults row objects to PartialObjectMetadata carrying the whole metadata', () => {
    const obj = pod('a', '5');
    obj.metadata.labels = { app: 'web' };
    const row = toTable(pods, [obj], { now: NOW }).rows[0];
    expect(row.object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata });
    expect(row.object).not.toHaveProperty('spec');
  });

  it('includes the full object, with its type meta, for includeObject=Object', () => {
    const obj = pod('a', '5');
    delete obj.kind;
    delete obj.apiVersion;
    const row = toTable(pods, [obj], { now: NOW, includeObject: 'Object' }).rows[0];
    expect(row.object).toEqual({ ...obj, kind: 'Pod', apiVersion: 'v1' });
  });

  it('leaves the object out for includeObject=None', () => {
    const row = toTable(pods, [pod('a', '5')], { now: NOW, includeObject: 'None' }).rows[0];
    expect(row).not.toHaveProperty('object');
  });

  it('does not share or change the objects it was given', () => {
    const obj = pod('a', '5');
    const before = structuredClone(obj);
    const row = toTable(pods, [obj], { now: NOW, includeObject: 'Object' }).rows[0];
    (row.object as KubeObject).metadata.name = 'changed';
    expect(obj).toEqual(before);
  });

  it('omits column definitions when asked for no headers', () => {
    const table = toTable(pods, [pod('a', '5')], { now: NOW, noHeaders: true });
    expect(table).not.toHaveProperty('columnDefinitions');
    expect(table.rows).toHaveLength(1);
  });

  it("takes a single object's resourceVersion when none is given", () => {
    expect(toTable(pods, [pod('a', '5')], { now: NOW }).metadata).toEqual({ resourceVersion: '5' });
    expect(toTable(pods, [], { now: NOW }).metadata).toEqual({});
  });

  it('prints Name and Age for a resource without its own printer', () => {
    const table = toTable(bindings, [pod('a', '5')], { now: NOW });
    expect(table.columnDefinitions?.map((c) => c.name)).toEqual(['Name', 'Age']);
    expect(table.rows[0].cells).toEqual(['a', '60m']);
  });

  it('marks finished pods Completed in the row conditions', () => {
    const done = fixtures.makePod({ status: { phase: 'Succeeded' } }) as KubeObject;
    expect(toTable(pods, [done], { now: NOW }).rows[0].conditions).toEqual([
      expect.objectContaining({ type: 'Completed', status: 'True' }),
    ]);
  });

  it.each(RESOURCES.map((info) => [`${info.resource}${info.group ? `.${info.group}` : ''}`, info] as const))(
    'gives %s one cell per column and a described, well-formed column set',
    (_name, info) => {
      const sample = SAMPLES[info.kind];
      expect(sample, `no sample for ${info.kind}`).toBeDefined();
      const table = toTable(info, [sample()], { now: NOW });
      const columns = table.columnDefinitions ?? [];
      expect(table.rows[0].cells).toHaveLength(columns.length);
      expect(columns.filter((c) => c.format === 'name')).toHaveLength(1);
      for (const c of columns) {
        expect(c.description, `${info.kind} column ${c.name}`).not.toBe('');
        expect(['string', 'integer', 'number', 'boolean', 'date']).toContain(c.type);
      }
      expect(printerFor(info).columns).toHaveLength(columns.length);
    },
  );
});
