/**
 * Tables of configuration and policy resources: config maps, secrets and
 * resource quotas.
 */
import type { ConfigMap, ResourceQuota, Secret } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { timestampSince } from './duration.ts';
import { ageColumn, column, fieldDoc, nameColumn } from './format.ts';
import type { RowPrinter } from './types.ts';

/** The config maps printer: Data counts `data` and `binaryData` keys. */
export const configMapPrinter: RowPrinter = {
  columns: [nameColumn(), column('Data', 'string', fieldDoc('io.k8s.api.core.v1.ConfigMap', 'data')), ageColumn()],
  cells(obj: KubeObject, now: Date): unknown[] {
    const cm = obj as unknown as ConfigMap;
    const keys = Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length;
    return [cm.metadata?.name ?? '', keys, timestampSince(cm.metadata?.creationTimestamp, now)];
  },
};

/** The secrets printer. */
export const secretPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    column('Type', 'string', fieldDoc('io.k8s.api.core.v1.Secret', 'type')),
    column('Data', 'string', fieldDoc('io.k8s.api.core.v1.Secret', 'data')),
    ageColumn(),
  ],
  cells(obj: KubeObject, now: Date): unknown[] {
    const secret = obj as unknown as Secret;
    return [
      secret.metadata?.name ?? '',
      secret.type ?? '',
      Object.keys(secret.data ?? {}).length,
      timestampSince(secret.metadata?.creationTimestamp, now),
    ];
  },
};

/**
 * The Request and Limit cells of a quota: `resource: used/hard` for every
 * resource in `status.hard`, sorted by name; `limits.*` resources go to the
 * Limit cell, all others to Request. Quantities print as stored.
 */
export function quotaUsage(quota: ResourceQuota): { request: string; limit: string } {
  const hard = quota.status?.hard ?? {};
  const used = quota.status?.used ?? {};
  const request: string[] = [];
  const limit: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const entry = `${name}: ${used[name] ?? '0'}/${hard[name]}`;
    const parts = name.split('.');
    (parts.length > 1 && parts[0] === 'limits' ? limit : request).push(entry);
  }
  return { request: request.join(', '), limit: limit.join(', ') };
}

/** The resource quotas printer. */
export const resourceQuotaPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    column('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    column(
      'Limit',
      'string',
      'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
    ),
    ageColumn(),
  ],
  cells(obj: KubeObject, now: Date): unknown[] {
    const quota = obj as unknown as ResourceQuota;
    const { request, limit } = quotaUsage(quota);
    return [quota.metadata?.name ?? '', request, limit, timestampSince(quota.metadata?.creationTimestamp, now)];
  },
};
