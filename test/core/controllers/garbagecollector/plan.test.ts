import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../core/api/object.ts';
import {
  type OwnerState,
  planDependent,
  planOwner,
  withoutFinalizer,
  withoutReferences,
} from '../../../../core/controllers/garbagecollector/plan.ts';

const ref = (uid: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  name: `rs-${uid}`,
  uid,
  ...extra,
});

function obj(meta: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'dep', ...meta } };
}

describe('planDependent', () => {
  it.each<[string, Record<string, unknown>, OwnerState[], boolean, ReturnType<typeof planDependent>]>([
    ['has no ownerReferences', {}, [], false, { type: 'none', reason: 'no-owners' }],
    [
      'is already being deleted',
      { ownerReferences: [ref('a')], deletionTimestamp: '2025-01-01T00:00:00Z' },
      ['absent'],
      false,
      { type: 'none', reason: 'being-deleted' },
    ],
    ['has a live owner', { ownerReferences: [ref('a')] }, ['solid'], false, { type: 'none', reason: 'solid' }],
    [
      'names an owner kind that is not served',
      { ownerReferences: [ref('a'), ref('b')] },
      ['absent', 'unresolvable'],
      false,
      { type: 'none', reason: 'unresolvable' },
    ],
    [
      'is cluster-scoped and names a namespaced owner kind',
      { ownerReferences: [ref('a')] },
      ['invalid'],
      false,
      { type: 'none', reason: 'invalid-owner-namespace' },
    ],
    [
      'has a live owner and a gone one',
      { ownerReferences: [ref('a'), ref('b')] },
      ['solid', 'absent'],
      false,
      { type: 'remove-references', uids: ['b'] },
    ],
    [
      'has a live owner and one deleting in the foreground',
      { ownerReferences: [ref('a'), ref('b'), ref('c')] },
      ['waiting', 'solid', 'absent'],
      true,
      { type: 'remove-references', uids: ['c', 'a'] },
    ],
    [
      'has only gone owners',
      { ownerReferences: [ref('a'), ref('b')] },
      ['absent', 'absent'],
      false,
      { type: 'delete', policy: 'Background' },
    ],
    [
      'waits with dependents of its own on a foreground owner',
      { ownerReferences: [ref('a')] },
      ['waiting'],
      true,
      { type: 'delete', policy: 'Foreground' },
    ],
    [
      'has no dependents and a foreground owner',
      { ownerReferences: [ref('a')] },
      ['waiting'],
      false,
      { type: 'delete', policy: 'Background' },
    ],
    [
      'has gone owners and an orphan finalizer',
      { ownerReferences: [ref('a')], finalizers: ['orphan'] },
      ['absent'],
      false,
      { type: 'delete', policy: 'Orphan' },
    ],
    [
      'has gone owners and a foregroundDeletion finalizer',
      { ownerReferences: [ref('a')], finalizers: ['foregroundDeletion'] },
      ['absent'],
      false,
      { type: 'delete', policy: 'Foreground' },
    ],
  ])('when the dependent %s', (_, meta, owners, hasDependents, want) => {
    expect(planDependent(obj(meta), owners, hasDependents)).toEqual(want);
  });
});

describe('planOwner', () => {
  const dep = (name: string, refs: unknown[], extra: Record<string, unknown> = {}) =>
    obj({ name, uid: `uid-${name}`, ownerReferences: refs, ...extra });
  const deleting = (finalizers: string[]) =>
    obj({ name: 'owner', uid: 'o', deletionTimestamp: '2025-01-01T00:00:00Z', finalizers });

  it('has nothing to do for an owner that is not being deleted', () => {
    expect(planOwner(obj({ uid: 'o' }), [dep('a', [ref('o')])])).toEqual({ type: 'none' });
  });

  it('has nothing to do for an owner deleted with other finalizers only', () => {
    expect(planOwner(deleting(['example.com/x']), [dep('a', [ref('o')])])).toEqual({ type: 'none' });
  });

  it('strips its references from every dependent naming its uid when orphaning', () => {
    const a = dep('a', [ref('o')]);
    const other = dep('b', [ref('someone-else')]);
    expect(planOwner(deleting(['orphan']), [a, other])).toEqual({ type: 'orphan', strip: [a] });
  });

  it('collects dependents not yet deleting and is blocked by those with blockOwnerDeletion', () => {
    const blocking = dep('a', [ref('o', { blockOwnerDeletion: true })]);
    const loose = dep('b', [ref('o', { blockOwnerDeletion: false })]);
    const going = dep('c', [ref('o', { blockOwnerDeletion: true })], { deletionTimestamp: '2025-01-01T00:00:00Z' });
    expect(planOwner(deleting(['foregroundDeletion']), [blocking, loose, going])).toEqual({
      type: 'foreground',
      attempt: [blocking, loose],
      blocking: [blocking, going],
    });
  });

  it('is not blocked once no dependent remains', () => {
    expect(planOwner(deleting(['foregroundDeletion']), [])).toEqual({ type: 'foreground', attempt: [], blocking: [] });
  });
});

describe('metadata edits', () => {
  it('drops the references to the given uids and the field when none remain', () => {
    const o = obj({ ownerReferences: [ref('a'), ref('b')] });
    expect(withoutReferences(o, ['a']).metadata.ownerReferences).toEqual([ref('b')]);
    expect('ownerReferences' in withoutReferences(o, ['a', 'b']).metadata).toBe(false);
    expect(o.metadata.ownerReferences).toHaveLength(2);
  });

  it('drops one finalizer and keeps the others', () => {
    const o = obj({ finalizers: ['example.com/x', 'foregroundDeletion'] });
    expect(withoutFinalizer(o, 'foregroundDeletion').metadata.finalizers).toEqual(['example.com/x']);
  });
});
