import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../core/api/object.ts';
import { configMapPrinter, resourceQuotaPrinter, secretPrinter } from '../../../../core/apiserver/tables/config.ts';
import { makeConfigMap, makeResourceQuota, makeSecret } from '../../../fixtures/objects.ts';

const NOW = new Date('2025-01-01T12:00:00Z');
const created = { creationTimestamp: '2024-12-29T12:00:00Z' };

describe('configMapPrinter', () => {
  it('counts data and binaryData keys', () => {
    // The fixture already holds `log.level`; with `extra` and one binary key that makes three.
    const cm = makeConfigMap({ metadata: created, data: { extra: '2' }, binaryData: { c: 'AA==' } });
    expect(configMapPrinter.cells(cm as KubeObject, NOW)).toEqual(['settings', 3, '3d']);
  });
});

describe('secretPrinter', () => {
  it('prints the type and the number of keys', () => {
    const secret = makeSecret({ metadata: created, type: 'Opaque' });
    expect(secretPrinter.cells(secret as KubeObject, NOW)).toEqual(['creds', 'Opaque', 1, '3d']);
  });
});

describe('resourceQuotaPrinter', () => {
  it('splits usage into requests and limits, sorted by resource', () => {
    const quota = makeResourceQuota({
      metadata: created,
      status: {
        hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '2Gi', 'limits.cpu': '4' },
        used: { pods: '3', 'requests.cpu': '500m', 'limits.cpu': '1' },
      },
    });
    expect(resourceQuotaPrinter.cells(quota as KubeObject, NOW)).toEqual([
      'quota',
      'pods: 3/10, requests.cpu: 500m/2',
      'limits.cpu: 1/4, limits.memory: 0/2Gi',
      '3d',
    ]);
  });

  it('prints empty usage before the quota controller reports status', () => {
    expect(resourceQuotaPrinter.cells(makeResourceQuota() as KubeObject, NOW).slice(1, 3)).toEqual(['', '']);
  });
});
