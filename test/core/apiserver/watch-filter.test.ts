import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/api/object.ts';
import { filterEvent } from '../../../core/apiserver/watch.ts';
import type { StoreEvent } from '../../../core/storage/store.ts';

const obj = (app: string): KubeObject => ({ metadata: { name: 'x', labels: { app } } });
const isWeb = (o: KubeObject) => o.metadata.labels?.app === 'web';
const ev = (type: StoreEvent['type'], object: KubeObject, prevObject?: KubeObject): StoreEvent => ({
  type,
  object,
  prevObject,
  revision: 1,
});

describe('filterEvent', () => {
  it.each([
    ['ADDED matching', ev('ADDED', obj('web')), 'ADDED'],
    ['ADDED not matching', ev('ADDED', obj('db')), undefined],
    ['MODIFIED still matching', ev('MODIFIED', obj('web'), obj('web')), 'MODIFIED'],
    ['MODIFIED starts matching', ev('MODIFIED', obj('web'), obj('db')), 'ADDED'],
    ['MODIFIED stops matching', ev('MODIFIED', obj('db'), obj('web')), 'DELETED'],
    ['MODIFIED never matching', ev('MODIFIED', obj('db'), obj('db')), undefined],
    ['DELETED matching', ev('DELETED', obj('web'), obj('web')), 'DELETED'],
    ['DELETED not matching', ev('DELETED', obj('db'), obj('db')), undefined],
  ])('%s → %s', (_name, e, expected) => {
    expect(filterEvent(e, isWeb)?.type).toBe(expected);
  });
});
