/**
 * Pod volumes as host directories and files: what each volume source
 * becomes on the node (emptyDir and hostPath directories; configMap, secret
 * and downwardAPI files with Kubernetes' modes — `defaultMode` 0644 unless
 * set, an item's `mode` overriding it) and the bind mounts of a container.
 * Pure; `volume-writer.ts` puts the plan on disk.
 */
import type { Container, Pod, Volume } from 'kubernetes-types/core/v1.js';
import { ContainerConfigError, type ObjectLookup, fieldPathValue, resourceFieldValue } from './env.ts';

/** Kubernetes' default mode of projected files (0644). */
export const DEFAULT_FILE_MODE = 0o644;

/** One file of a volume, relative to the volume's directory. */
export interface VolumeFile {
  path: string;
  data: Buffer;
  mode: number;
}

/** What a volume is on the host. */
export type VolumePlan =
  | { kind: 'dir'; name: string; hostPath: string; create: boolean; mode?: number }
  | { kind: 'file'; name: string; hostPath: string; create: boolean }
  | { kind: 'files'; name: string; hostPath: string; files: VolumeFile[]; readOnly: true };

function itemsOf(
  data: Record<string, Buffer>,
  items: { key: string; path: string; mode?: number }[] | undefined,
  defaultMode: number,
  optional: boolean,
  what: string,
): VolumeFile[] {
  if (!items?.length) return Object.entries(data).map(([k, v]) => ({ path: k, data: v, mode: defaultMode }));
  const out: VolumeFile[] = [];
  for (const it of items) {
    const v = data[it.key];
    if (v === undefined) {
      if (optional) continue;
      throw new ContainerConfigError(
        `configmap references non-existent config key: ${it.key}`.replace('configmap', what),
      );
    }
    out.push({ path: it.path, data: v, mode: it.mode ?? defaultMode });
  }
  return out;
}

/** The plan of one volume of `pod`, with its host location under `podDir`. Throws ContainerConfigError for missing non-optional objects. */
export function planVolume(
  volume: Volume,
  pod: Pod,
  podDir: string,
  lookup: ObjectLookup,
  ctx: { hostIp: string; podIp?: string; nodeAllocatable: { cpu: string; memory: string } },
): VolumePlan {
  const name = volume.name;
  if (volume.hostPath) {
    const type = volume.hostPath.type ?? '';
    if (type === 'FileOrCreate' || type === 'File') {
      return { kind: 'file', name, hostPath: volume.hostPath.path, create: type === 'FileOrCreate' };
    }
    return { kind: 'dir', name, hostPath: volume.hostPath.path, create: type === 'DirectoryOrCreate' };
  }
  if (volume.configMap) {
    const cm = lookup.configMap(volume.configMap.name ?? '');
    const optional = volume.configMap.optional ?? false;
    if (!cm && !optional) throw new ContainerConfigError(`configmap "${volume.configMap.name}" not found`);
    const data: Record<string, Buffer> = {};
    for (const [k, v] of Object.entries(cm?.data ?? {})) data[k] = Buffer.from(v, 'utf8');
    for (const [k, v] of Object.entries(cm?.binaryData ?? {})) data[k] = Buffer.from(v, 'base64');
    const files = itemsOf(
      data,
      volume.configMap.items,
      volume.configMap.defaultMode ?? DEFAULT_FILE_MODE,
      optional,
      'configmap',
    );
    return { kind: 'files', name, hostPath: `${podDir}/volumes/configmap/${name}`, files, readOnly: true };
  }
  if (volume.secret) {
    const secret = lookup.secret(volume.secret.secretName ?? '');
    const optional = volume.secret.optional ?? false;
    if (!secret && !optional) throw new ContainerConfigError(`secret "${volume.secret.secretName}" not found`);
    const data: Record<string, Buffer> = {};
    // stringData is write-only in Kubernetes (merged into data); honour it should a server keep it.
    for (const [k, v] of Object.entries(secret?.stringData ?? {})) data[k] = Buffer.from(v, 'utf8');
    for (const [k, v] of Object.entries(secret?.data ?? {})) data[k] = Buffer.from(v, 'base64');
    const files = itemsOf(
      data,
      volume.secret.items,
      volume.secret.defaultMode ?? DEFAULT_FILE_MODE,
      optional,
      'secret',
    );
    return { kind: 'files', name, hostPath: `${podDir}/volumes/secret/${name}`, files, readOnly: true };
  }
  if (volume.downwardAPI) {
    const defaultMode = volume.downwardAPI.defaultMode ?? DEFAULT_FILE_MODE;
    const files: VolumeFile[] = [];
    for (const it of volume.downwardAPI.items ?? []) {
      let value = '';
      if (it.fieldRef) value = fieldPathValue(pod, it.fieldRef.fieldPath, ctx.hostIp, ctx.podIp);
      else if (it.resourceFieldRef) {
        const c =
          pod.spec?.containers.find((x) => x.name === it.resourceFieldRef!.containerName) ?? pod.spec?.containers[0];
        value = resourceFieldValue(c!, it.resourceFieldRef.resource, it.resourceFieldRef.divisor, ctx.nodeAllocatable);
      }
      files.push({ path: it.path, data: Buffer.from(value, 'utf8'), mode: it.mode ?? defaultMode });
    }
    return { kind: 'files', name, hostPath: `${podDir}/volumes/downward-api/${name}`, files, readOnly: true };
  }
  // emptyDir, and sources skube does not implement yet, are empty writable directories.
  return { kind: 'dir', name, hostPath: `${podDir}/volumes/empty-dir/${name}`, create: true, mode: 0o777 };
}

/** Docker bind mounts (`host:container[:ro]`) of `container`'s volumeMounts. Throws ContainerConfigError for unknown volumes. */
export function containerBinds(container: Container, plans: Map<string, VolumePlan>): string[] {
  const binds: string[] = [];
  for (const m of container.volumeMounts ?? []) {
    const plan = plans.get(m.name);
    if (!plan)
      throw new ContainerConfigError(`cannot find volume "${m.name}" to mount into container "${container.name}"`);
    const host = m.subPath ? `${plan.hostPath}/${m.subPath}` : plan.hostPath;
    const ro = m.readOnly || plan.kind === 'files';
    binds.push(`${host}:${m.mountPath}${ro ? ':ro' : ''}`);
  }
  return binds;
}
