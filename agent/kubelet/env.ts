/**
 * Container environment as the kubelet builds it: service variables first
 * (lowest priority), then `envFrom` sources in order, then `env` entries,
 * each later one overriding; `valueFrom` (fieldRef, resourceFieldRef,
 * configMapKeyRef, secretKeyRef) resolved against the objects the caller
 * fetched; `$(VAR)` references expanded against variables defined before,
 * `$$` escaping. Pure.
 */
import type { ConfigMap, Container, EnvVar, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { quantityMilliValue, quantityValue } from '../../core/api/quantity.ts';

/** A reason the container cannot be configured (`CreateContainerConfigError`). */
export class ContainerConfigError extends Error {}

/** Objects env and volumes may refer to, fetched by the caller; `undefined` means not found. */
export interface ObjectLookup {
  configMap(name: string): ConfigMap | undefined;
  secret(name: string): Secret | undefined;
}

/** Node facts env may refer to (resource limits default to the node's allocatable). */
export interface EnvContext {
  pod: Pod;
  hostIp: string;
  podIp?: string;
  nodeAllocatable: { cpu: string; memory: string; 'ephemeral-storage'?: string };
  serviceEnv?: Record<string, string>;
}

const NAME_IN_BRACKETS = /^metadata\.(labels|annotations)\['(.+)'\]$/;

/** The value of a downward-API field path of `pod` (throws ContainerConfigError for unsupported paths). */
export function fieldPathValue(pod: Pod, path: string, hostIp: string, podIp?: string): string {
  const m = NAME_IN_BRACKETS.exec(path);
  if (m) return (m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2]] ?? '';
  switch (path) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata?.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata?.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return hostIp;
    case 'status.podIP':
    case 'status.podIPs':
      return podIp ?? '';
    default:
      throw new ContainerConfigError(`unsupported fieldPath: ${path}`);
  }
}

/** Downward API `key="value"` lines, sorted, as Kubernetes writes label and annotation files. */
export function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(map![k])}`)
    .join('\n');
}

/** The value of a resourceFieldRef (limits default to node allocatable), divided and rounded up as Kubernetes does. */
export function resourceFieldValue(
  container: Container,
  resource: string,
  divisor: string | number | undefined,
  allocatable: EnvContext['nodeAllocatable'],
): string {
  const [kind, name] = resource.split('.') as ['limits' | 'requests', string];
  let value = container.resources?.[kind]?.[name] as string | number | undefined;
  if (value === undefined && kind === 'limits') value = allocatable[name as keyof typeof allocatable];
  if (value === undefined) value = 0;
  if (name === 'cpu') {
    const milli = quantityMilliValue(value);
    const div = divisor === undefined || divisor === '0' ? 1000 : quantityMilliValue(divisor);
    return String(Math.ceil(milli / div));
  }
  const v = quantityValue(value);
  const div = divisor === undefined || divisor === '0' ? 1 : quantityValue(divisor);
  return String(Math.ceil(v / div));
}

/** Expands `$(NAME)` from `vars`; unknown references stay as they are; `$$` is a literal `$`. */
export function expandVars(input: string, vars: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      out += name in vars ? vars[name] : `$(${name})`;
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

function decodeSecret(secret: Secret, key: string): string | undefined {
  const v = secret.data?.[key];
  if (v !== undefined) return Buffer.from(v, 'base64').toString('utf8');
  return secret.stringData?.[key];
}

function resolveValueFrom(e: EnvVar, container: Container, ctx: EnvContext, lookup: ObjectLookup): string | undefined {
  const from = e.valueFrom!;
  if (from.fieldRef) return fieldPathValue(ctx.pod, from.fieldRef.fieldPath, ctx.hostIp, ctx.podIp);
  if (from.resourceFieldRef) {
    const target = from.resourceFieldRef.containerName
      ? [...(ctx.pod.spec?.containers ?? []), ...(ctx.pod.spec?.initContainers ?? [])].find(
          (c) => c.name === from.resourceFieldRef!.containerName,
        )
      : container;
    if (!target) throw new ContainerConfigError(`container ${from.resourceFieldRef.containerName} not found`);
    return resourceFieldValue(
      target,
      from.resourceFieldRef.resource,
      from.resourceFieldRef.divisor,
      ctx.nodeAllocatable,
    );
  }
  if (from.configMapKeyRef) {
    const ref = from.configMapKeyRef;
    const cm = lookup.configMap(ref.name ?? '');
    if (!cm) {
      if (ref.optional) return undefined;
      throw new ContainerConfigError(`configmap "${ref.name}" not found`);
    }
    const v = cm.data?.[ref.key];
    if (v === undefined && !ref.optional) {
      throw new ContainerConfigError(
        `couldn't find key ${ref.key} in ConfigMap ${ctx.pod.metadata?.namespace}/${ref.name}`,
      );
    }
    return v;
  }
  if (from.secretKeyRef) {
    const ref = from.secretKeyRef;
    const secret = lookup.secret(ref.name ?? '');
    if (!secret) {
      if (ref.optional) return undefined;
      throw new ContainerConfigError(`secret "${ref.name}" not found`);
    }
    const v = decodeSecret(secret, ref.key);
    if (v === undefined && !ref.optional) {
      throw new ContainerConfigError(
        `couldn't find key ${ref.key} in Secret ${ctx.pod.metadata?.namespace}/${ref.name}`,
      );
    }
    return v;
  }
  return undefined;
}

/**
 * The environment of `container` as ordered `[name, value]` pairs (a later
 * duplicate replaced in place). Throws ContainerConfigError when a
 * non-optional reference is missing.
 */
export function containerEnv(container: Container, ctx: EnvContext, lookup: ObjectLookup): [string, string][] {
  const vars = new Map<string, string>();
  for (const [k, v] of Object.entries(ctx.serviceEnv ?? {})) vars.set(k, v);
  for (const src of container.envFrom ?? []) {
    const prefix = src.prefix ?? '';
    if (src.configMapRef) {
      const cm = lookup.configMap(src.configMapRef.name ?? '');
      if (!cm) {
        if (src.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${src.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) vars.set(prefix + k, v);
    } else if (src.secretRef) {
      const secret = lookup.secret(src.secretRef.name ?? '');
      if (!secret) {
        if (src.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${src.secretRef.name}" not found`);
      }
      const keys = new Set([...Object.keys(secret.stringData ?? {}), ...Object.keys(secret.data ?? {})]);
      for (const k of keys) vars.set(prefix + k, decodeSecret(secret, k)!);
    }
  }
  for (const e of container.env ?? []) {
    const own = Object.fromEntries(vars);
    const value = e.valueFrom ? resolveValueFrom(e, container, ctx, lookup) : expandVars(e.value ?? '', own);
    if (value === undefined) continue;
    vars.set(e.name, value);
  }
  return [...vars];
}

/** `command`/`args` with `$(VAR)` expanded against the container's environment. */
export function expandCommand(words: string[] | undefined, env: [string, string][]): string[] | undefined {
  if (!words) return undefined;
  const vars = Object.fromEntries(env);
  return words.map((w) => expandVars(w, vars));
}
