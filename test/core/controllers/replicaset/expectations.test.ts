import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { ReplicaExpectations } from '../../../../core/controllers/replicaset/expectations.ts';

const pod = (name: string, deleting = false): Pod => ({
  metadata: { name, ...(deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
});

describe('ReplicaExpectations', () => {
  it('is satisfied for an owner with nothing pending', () => {
    expect(new ReplicaExpectations().satisfied('ns/a', 0)).toBe(true);
  });

  it('waits for expected creates until the watch or a listing shows them', () => {
    const e = new ReplicaExpectations();
    e.expectCreate('ns/a', 'p1', 0);
    e.expectCreate('ns/a', 'p2', 0);
    e.observeListing('ns/a', [pod('p1')]);
    expect(e.satisfied('ns/a', 1)).toBe(false);
    e.observeCreate('ns/a', 'p2');
    expect(e.satisfied('ns/a', 1)).toBe(true);
  });

  it('counts a terminating or absent pod as an observed delete', () => {
    const e = new ReplicaExpectations();
    e.expectDelete('ns/a', 'p1', 0);
    e.expectDelete('ns/a', 'p2', 0);
    e.observeListing('ns/a', [pod('p1', true), pod('p2')]);
    expect(e.satisfied('ns/a', 1)).toBe(false);
    e.observeListing('ns/a', [pod('p1', true)]);
    expect(e.satisfied('ns/a', 1)).toBe(true);
  });

  it('gives up waiting after the TTL', () => {
    const e = new ReplicaExpectations(1000);
    e.expectCreate('ns/a', 'p1', 0);
    expect(e.satisfied('ns/a', 999)).toBe(false);
    expect(e.satisfied('ns/a', 1000)).toBe(true);
  });

  it('keeps owners apart', () => {
    const e = new ReplicaExpectations();
    e.expectCreate('ns/a', 'p1', 0);
    expect(e.satisfied('ns/b', 0)).toBe(true);
    e.forget('ns/a');
    expect(e.satisfied('ns/a', 0)).toBe(true);
  });
});
