/**
 * WATCH through the API: synthetic ADDED events for the current state, only
 * later events from a given resourceVersion, selector transitions (ADDED when
 * an object starts to match, DELETED when it stops), timeoutSeconds,
 * bookmarks, 410 Expired after compaction, and Table events.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BOOKMARK_INTERVAL_MS } from '../../../core/apiserver/watch.ts';
import { makeConfigMap, makePod } from '../../fixtures/objects.ts';
import { useApiHarness, type WatchEvent } from '../../support/api-harness.ts';

const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
const PODS = '/api/v1/namespaces/default/pods';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

const summary = (events: WatchEvent[]) =>
  events.map((e) => `${e.type} ${e.object?.metadata?.name ?? '-'}@${e.object?.metadata?.resourceVersion ?? '-'}`);

describe('API handler watch', () => {
  const api = useApiHarness();

  async function seed(...names: string[]) {
    const out = [];
    for (const name of names)
      out.push(await api().ok('POST', CONFIGMAPS, { body: makeConfigMap({ metadata: { name } }) }));
    return out;
  }

  it.each([
    ['unset', {}],
    ['0', { resourceVersion: '0' }],
  ])('starts with synthetic ADDED events when resourceVersion is %s, then streams changes', async (_, query) => {
    await seed('a', 'b');
    const watch = await api().openWatch(CONFIGMAPS, { query });
    try {
      expect(watch.status).toBe(200);
      expect(watch.headers['content-type']).toBe('application/json');
      const initial = await watch.next(2);
      expect(summary(initial)).toEqual(['ADDED a@1', 'ADDED b@2']);
      expect(initial[0].object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });

      await api().ok('PATCH', `${CONFIGMAPS}/a`, { body: { data: { x: 'y' } } });
      await api().ok('DELETE', `${CONFIGMAPS}/b`);
      expect(summary(await watch.next(4))).toEqual(['ADDED a@1', 'ADDED b@2', 'MODIFIED a@3', 'DELETED b@4']);
    } finally {
      watch.stop();
    }
  });

  it('sends only events after a given resourceVersion, in order', async () => {
    await seed('a', 'b', 'c');
    await api().ok('PATCH', `${CONFIGMAPS}/a`, { body: { data: { x: 'y' } } });
    await api().ok('DELETE', `${CONFIGMAPS}/c`);
    const events = await api().watchEvents(CONFIGMAPS, 3, 300, { query: { resourceVersion: '2' } });
    expect(summary(events)).toEqual(['ADDED c@3', 'MODIFIED a@4', 'DELETED c@5']);
    expect(events[1].object.data).toEqual({ 'log.level': 'info', x: 'y' });
  });

  it('turns label-selector transitions into ADDED and DELETED', async () => {
    await seed('a');
    const watch = await api().openWatch(CONFIGMAPS, { query: { labelSelector: 'tier=web' } });
    try {
      await api().ok('PATCH', `${CONFIGMAPS}/a`, { body: { metadata: { labels: { tier: 'web' } } } });
      await api().ok('PATCH', `${CONFIGMAPS}/a`, { body: { data: { touched: 'yes' } } });
      await api().ok('PATCH', `${CONFIGMAPS}/a`, { body: { metadata: { labels: { tier: 'db' } } } });
      await api().ok('PATCH', `${CONFIGMAPS}/a`, { body: { data: { touched: 'again' } } });
      await api().ok('DELETE', `${CONFIGMAPS}/a`);
      const events = await watch.next(4, 200);
      expect(summary(events)).toEqual(['ADDED a@2', 'MODIFIED a@3', 'DELETED a@4']);
      expect(events[2].object.metadata.labels).toEqual({ tier: 'db' });
    } finally {
      watch.stop();
    }
  });

  it('filters by fieldSelector=metadata.name', async () => {
    await seed('a', 'b');
    const watch = await api().openWatch(CONFIGMAPS, { query: { fieldSelector: 'metadata.name=b' } });
    try {
      await api().ok('PATCH', `${CONFIGMAPS}/a`, { body: { data: { x: '1' } } });
      await api().ok('PATCH', `${CONFIGMAPS}/b`, { body: { data: { x: '1' } } });
      expect(summary(await watch.next(3, 200))).toEqual(['ADDED b@2', 'MODIFIED b@4']);
    } finally {
      watch.stop();
    }
  });

  it('sees only its own namespace', async () => {
    await seed('a');
    const watch = await api().openWatch(CONFIGMAPS, { query: { resourceVersion: '1' } });
    try {
      await api().ok('POST', '/api/v1/namespaces/kube-system/configmaps', {
        body: makeConfigMap({ metadata: { name: 'elsewhere', namespace: 'kube-system' } }),
      });
      await api().ok('POST', CONFIGMAPS, { body: makeConfigMap({ metadata: { name: 'here' } }) });
      expect(summary(await watch.next(2, 200))).toEqual(['ADDED here@3']);
    } finally {
      watch.stop();
    }
  });

  it('ends the stream after timeoutSeconds', async () => {
    await seed('a');
    const started = Date.now();
    const watch = await api().openWatch(CONFIGMAPS, { query: { timeoutSeconds: 1 } });
    const events = await watch.next(100, 3000);
    expect(watch.ended).toBe(true);
    expect(summary(events)).toEqual(['ADDED a@1']);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  describe('bookmarks', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('sends a BOOKMARK carrying only kind, apiVersion and the latest resourceVersion', async () => {
      await seed('a', 'b');
      // Only the interval timer is faked, so the bookmark arrives without waiting a minute.
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const watch = await api().openWatch(CONFIGMAPS, { query: { allowWatchBookmarks: 'true', resourceVersion: '1' } });
      try {
        expect(summary(await watch.next(1))).toEqual(['ADDED b@2']);
        vi.advanceTimersByTime(BOOKMARK_INTERVAL_MS);
        const events = await watch.next(2);
        expect(events[1]).toEqual({
          type: 'BOOKMARK',
          object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '2' } },
        });
      } finally {
        watch.stop();
      }
    });

    it('sends no BOOKMARK unless the client allows them', async () => {
      await seed('a');
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const watch = await api().openWatch(CONFIGMAPS);
      try {
        await watch.next(1);
        vi.advanceTimersByTime(BOOKMARK_INTERVAL_MS * 2);
        expect(summary(await watch.next(2, 100))).toEqual(['ADDED a@1']);
      } finally {
        watch.stop();
      }
    });
  });

  it('answers an ERROR event with 410 Expired for a compacted resourceVersion', async () => {
    await seed('a', 'b', 'c', 'd');
    await api().store.compact('configmaps', 3);
    const watch = await api().openWatch(CONFIGMAPS, { query: { resourceVersion: '1' } });
    const events = await watch.next(2, 500);
    expect(watch.status).toBe(200);
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe('ERROR');
    expect(events[0].object).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      code: 410,
      reason: 'Expired',
    });
    expect(events[0].object.message).toMatch(/^too old resource version: 1 \(\d+\)$/);
    expect(watch.ended).toBe(true);
  });

  it('refuses a malformed resourceVersion with 400', async () => {
    const res = await api().call('GET', CONFIGMAPS, { query: { watch: 'true', resourceVersion: 'abc' } });
    expect(res.status).toBe(400);
    expect(res.json.reason).toBe('BadRequest');
  });

  describe('Table events', () => {
    it('carries columnDefinitions on the first event only', async () => {
      await api().ok('POST', PODS, { body: makePod({ metadata: { name: 'a' } }) });
      const watch = await api().openWatch(PODS, { accept: TABLE });
      try {
        await watch.next(1);
        await api().ok('POST', PODS, { body: makePod({ metadata: { name: 'b' } }) });
        const [first, second] = await watch.next(2);
        expect(first.type).toBe('ADDED');
        expect(first.object).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
        expect(first.object.columnDefinitions.map((c: { name: string }) => c.name)).toContain('Ready');
        expect(first.object.rows[0].cells[0]).toBe('a');
        expect(second.object.kind).toBe('Table');
        expect(second.object.columnDefinitions).toBeUndefined();
        expect(second.object.rows[0].cells[0]).toBe('b');
        expect(second.object.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'b' } });
      } finally {
        watch.stop();
      }
    });

    it('computes the Age column from the injected clock', async () => {
      await api().ok('POST', PODS, { body: makePod() });
      api().clock.advance(90_000);
      const [event] = await api().watchEvents(PODS, 1, 500, { accept: TABLE });
      expect(event.object.rows[0].cells[4]).toBe('90s');
    });
  });
});
