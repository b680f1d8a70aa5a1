/**
 * ClusterIP and NodePort allocation. Each allocated value is a small record
 * in the store (`create` fails if it exists), so two API servers (two Lambda
 * invocations) can never hand out the same IP or port: the store's
 * conditional create is the lock.
 */
import { field, invalid } from '../errors/index.ts';
import { isStorageError } from '../storage/errors.ts';
import type { Store } from '../storage/store.ts';

/** Internal storage types (never served) holding one record per allocated value. */
export const IP_ALLOCATIONS = 'serviceipallocations.skube.internal';
export const PORT_ALLOCATIONS = 'servicenodeportallocations.skube.internal';

/** Parses `a.b.c.d/n` into its first address and size. Throws on malformed input. */
export function parseCidr(cidr: string): { base: number; size: number } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) throw new Error(`invalid CIDR ${cidr}`);
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 30 || bits < 8) throw new Error(`invalid or unsupported CIDR ${cidr}`);
  const addr = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  return { base: addr - (addr % size), size };
}

/** Dotted form of a 32-bit address. */
export function ipString(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

function ipNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((a, p) => a * 256 + Number(p), 0);
}

async function claim(store: Store, resource: string, name: string, owner: string): Promise<boolean> {
  try {
    await store.create({ resource, namespace: '', name }, { metadata: { name, annotations: { owner } } });
    return true;
  } catch (e) {
    if (isStorageError(e, 'KeyExists')) return false;
    throw e;
  }
}

/** Frees an allocation record; missing records are ignored (release is idempotent). */
export async function releaseValue(store: Store, resource: string, name: string): Promise<void> {
  try {
    await store.delete({ resource, namespace: '', name });
  } catch (e) {
    if (!isStorageError(e, 'KeyNotFound')) throw e;
  }
}

/**
 * Claims `requested` if given (422 if taken or outside the CIDR), else a free
 * address scanning from a random offset (the network and broadcast addresses
 * are skipped). Throws 422-style errors via `onError` naming `fieldPath`.
 */
export async function allocateClusterIp(
  store: Store,
  cidr: string,
  owner: string,
  requested: string | undefined,
  random: () => number,
  errorContext: { kind: string; name: string; fieldPath: string },
): Promise<string> {
  const { base, size } = parseCidr(cidr);
  const fail = (value: unknown, detail: string) =>
    invalid({ group: '', kind: errorContext.kind }, errorContext.name, [
      field.invalid(errorContext.fieldPath, value, detail),
    ]);
  if (requested) {
    const n = ipNumber(requested);
    if (n === undefined || n <= base || n >= base + size - 1) {
      throw fail(requested, `provided IP is not in the valid range. The range of valid IPs is ${cidr}`);
    }
    if (!(await claim(store, IP_ALLOCATIONS, requested, owner)))
      throw fail(requested, 'provided IP is already allocated');
    return requested;
  }
  const usable = size - 2;
  const start = Math.floor(random() * usable);
  for (let i = 0; i < usable; i++) {
    const ip = ipString(base + 1 + ((start + i) % usable));
    if (await claim(store, IP_ALLOCATIONS, ip, owner)) return ip;
  }
  throw fail(requested ?? '', `range is full`);
}

/** Claims a NodePort: the requested one (422 if taken or out of range), or a free one from a random offset. */
export async function allocateNodePort(
  store: Store,
  range: { min: number; max: number },
  owner: string,
  requested: number | undefined,
  random: () => number,
  errorContext: { kind: string; name: string; fieldPath: string },
): Promise<number> {
  const fail = (value: unknown, detail: string) =>
    invalid({ group: '', kind: errorContext.kind }, errorContext.name, [
      field.invalid(errorContext.fieldPath, value, detail),
    ]);
  if (requested) {
    if (requested < range.min || requested > range.max) {
      throw fail(
        requested,
        `provided port is not in the valid range. The range of valid ports is ${range.min}-${range.max}`,
      );
    }
    if (!(await claim(store, PORT_ALLOCATIONS, String(requested), owner)))
      throw fail(requested, 'provided port is already allocated');
    return requested;
  }
  const span = range.max - range.min + 1;
  const start = Math.floor(random() * span);
  for (let i = 0; i < span; i++) {
    const port = range.min + ((start + i) % span);
    if (await claim(store, PORT_ALLOCATIONS, String(port), owner)) return port;
  }
  throw fail(0, 'range is full');
}
