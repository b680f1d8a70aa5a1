import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../core/api/object.ts';
import { parseDoorbell, planWakeups } from '../../../../core/controllers/dispatcher/plan.ts';
import type { StoreEvent } from '../../../../core/storage/store.ts';

const NODES = ['node-b', 'node-a', 'node-c'];

function pod(nodeName?: string, name = 'web-1'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', resourceVersion: '7' },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...(nodeName === undefined ? {} : { nodeName }) },
  };
}

function obj(kind: string, name: string, namespace?: string): KubeObject {
  return { apiVersion: 'v1', kind, metadata: { name, ...(namespace ? { namespace } : {}), resourceVersion: '7' } };
}

function event(type: StoreEvent['type'], object: KubeObject, prevObject?: KubeObject): StoreEvent {
  return { type, object, ...(prevObject ? { prevObject } : {}), revision: 7 };
}

describe('planWakeups', () => {
  it.each<[string, string, StoreEvent, string[]]>([
    ['a pod created unbound rings nobody', 'pods', event('ADDED', pod()), []],
    ['a pod created already bound rings its node', 'pods', event('ADDED', pod('node-a')), ['node-a']],
    ['a pod being bound rings the new node', 'pods', event('MODIFIED', pod('node-b'), pod()), ['node-b']],
    ['a bound pod changing rings its node once', 'pods', event('MODIFIED', pod('node-a'), pod('node-a')), ['node-a']],
    [
      'a pod moved between nodes rings both',
      'pods',
      event('MODIFIED', pod('node-c'), pod('node-a')),
      ['node-a', 'node-c'],
    ],
    ['a pod unbound again rings the node it left', 'pods', event('MODIFIED', pod(), pod('node-b')), ['node-b']],
    ['a deleted bound pod rings its node', 'pods', event('DELETED', pod('node-a'), pod('node-a')), ['node-a']],
    ['a pod bound to an unknown node still rings it', 'pods', event('ADDED', pod('node-z')), ['node-z']],
    ['an empty nodeName counts as unbound', 'pods', event('ADDED', pod('')), []],
    [
      'a service change rings every node',
      'services',
      event('ADDED', obj('Service', 'web', 'default')),
      ['node-a', 'node-b', 'node-c'],
    ],
    [
      'a deleted service rings every node',
      'services',
      event('DELETED', obj('Service', 'web', 'default')),
      ['node-a', 'node-b', 'node-c'],
    ],
    [
      'an endpoints change rings every node',
      'endpoints',
      event('MODIFIED', obj('Endpoints', 'web', 'default')),
      ['node-a', 'node-b', 'node-c'],
    ],
    ['a configmap rings nobody', 'configmaps', event('ADDED', obj('ConfigMap', 'cfg', 'default')), []],
    ['a deployment rings nobody', 'deployments.apps', event('ADDED', obj('Deployment', 'web', 'default')), []],
  ])('%s', (_name, resource, e, nodes) => {
    expect(planWakeups(resource, e, NODES).nodes).toEqual(nodes);
  });

  it('rings nobody for a service when no node is known', () => {
    expect(planWakeups('services', event('ADDED', obj('Service', 'web', 'default')), []).nodes).toEqual([]);
  });

  it('returns a doorbell naming the object and revision, without its content', () => {
    const plan = planWakeups('pods', { ...event('ADDED', pod('node-a', 'api-0')), revision: 42 }, NODES);
    expect(plan.doorbell).toEqual({ resource: 'pods', namespace: 'default', name: 'api-0', revision: 42 });
    expect(JSON.stringify(plan.doorbell)).not.toContain('busybox');
  });

  it('uses an empty namespace for cluster-scoped objects', () => {
    expect(planWakeups('nodes', event('ADDED', obj('Node', 'node-a')), NODES).doorbell.namespace).toBe('');
  });

  it('does not change the known-nodes list it was given', () => {
    const known = ['n2', 'n1'];
    planWakeups('services', event('ADDED', obj('Service', 'web', 'default')), known);
    expect(known).toEqual(['n2', 'n1']);
  });
});

describe('parseDoorbell', () => {
  const good = { resource: 'pods', namespace: 'default', name: 'web-1', revision: 3 };

  it('accepts a well-formed doorbell and drops unknown fields', () => {
    expect(parseDoorbell({ ...good, extra: 'x' })).toEqual(good);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'pods/web-1'],
    ['a missing resource', { ...good, resource: undefined }],
    ['an empty name', { ...good, name: '' }],
    ['a numeric namespace', { ...good, namespace: 1 }],
    ['a string revision', { ...good, revision: '3' }],
    ['a negative revision', { ...good, revision: -1 }],
    ['a fractional revision', { ...good, revision: 1.5 }],
  ])('rejects %s', (_name, value) => {
    expect(parseDoorbell(value)).toBeUndefined();
  });
});
