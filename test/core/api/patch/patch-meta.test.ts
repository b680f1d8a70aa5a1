import * as models from '@kubernetes/client-node/dist/gen/models/all.js';
import { describe, expect, it } from 'vitest';
import {
  isStrategicMergePatchSupported,
  lookupField,
  PATCH_STRATEGIES,
  strategicMergePatchUnsupported,
  strategicMergeSchemaFor,
} from '../../../../core/api/patch/patch-meta.ts';
import { RESOURCES } from '../../../../core/api/resources.ts';

type Attribute = { baseName: string; type: string };
type Model = { getAttributeTypeMap(): Attribute[] };
const MODELS = models as unknown as Record<string, Model | undefined>;

const arrayOf = (t: string) => /^Array<(.+)>$/.exec(t)?.[1];
const mapOf = (t: string) => /^\{ \[key: string\]: (.+); \}$/.exec(t)?.[1];
const attributes = (type: string) => MODELS[type]?.getAttributeTypeMap() ?? [];

/** Every group/version/kind skube serves that can be patched, subresource kinds included. */
function patchableKinds(): { group: string; version: string; kind: string }[] {
  const out = new Map<string, { group: string; version: string; kind: string }>();
  for (const r of RESOURCES) {
    if (r.verbs.includes('patch')) out.set(`${r.group}/${r.version}/${r.kind}`, r);
    for (const s of r.subresources) {
      if (!s.verbs.includes('patch')) continue;
      const gvk = { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind };
      out.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, gvk);
    }
  }
  return [...out.values()];
}

/** client-node names models `V1Pod`, qualifying the group only when two groups share a kind (`CoreV1Event`). */
function modelName(gvk: { group: string; version: string; kind: string }): string {
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const groupPrefix = gvk.group ? cap(gvk.group.split('.')[0]) : 'Core';
  const candidates = [`${groupPrefix}${cap(gvk.version)}${gvk.kind}`, `${cap(gvk.version)}${gvk.kind}`];
  const found = candidates.find((c) => MODELS[c]);
  if (!found) throw new Error(`no client-node model for ${JSON.stringify(gvk)}`);
  return found;
}

/** Rebuilds `model-fields.json`: kind roots and, per reachable model, the fields holding another model. */
function buildModelFields(): string {
  const roots: Record<string, string> = {};
  const types: Record<string, Record<string, string>> = {};
  const visit = (type: string) => {
    if (types[type]) return;
    const fields: Record<string, string> = {};
    types[type] = fields;
    for (const a of attributes(type)) {
      if (mapOf(a.type) && MODELS[mapOf(a.type) ?? '']) {
        throw new Error(`${type}.${a.baseName}: maps of API types need a format for model-fields.json`);
      }
      const inner = arrayOf(a.type) ?? a.type;
      if (!MODELS[inner]) continue;
      fields[a.baseName] = inner;
      visit(inner);
    }
  };
  for (const gvk of patchableKinds()) {
    const name = modelName(gvk);
    roots[`${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`] = name;
    visit(name);
  }
  const sorted = <T>(o: Record<string, T>) =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  const data = {
    roots: sorted(roots),
    types: sorted(Object.fromEntries(Object.entries(types).map(([k, v]) => [k, sorted(v)]))),
  };
  return `${JSON.stringify(data, null, 2)}\n`;
}

describe('patch-meta', () => {
  it('matches the type graph client-node models describe (run vitest -u to regenerate)', async () => {
    await expect(buildModelFields()).toMatchFileSnapshot('../../../../core/api/patch/model-fields.json');
  });

  it.each(patchableKinds())('supports strategic merge patch for $group/$version $kind', (gvk) => {
    expect(isStrategicMergePatchSupported(gvk)).toBe(true);
  });

  it.each([
    { group: 'stable.example.com', version: 'v1', kind: 'CronTab' },
    { group: 'apps', version: 'v1beta1', kind: 'Deployment' },
    { group: '', version: 'v1', kind: 'Binding' },
  ])('does not support strategic merge patch for $group/$version $kind', (gvk) => {
    expect(isStrategicMergePatchSupported(gvk)).toBe(false);
    expect(strategicMergePatchUnsupported(gvk).code).toBe(415);
  });

  const entries = Object.entries(PATCH_STRATEGIES).flatMap(([type, fields]) =>
    Object.entries(fields).map(([field, meta]) => ({ type, field, meta })),
  );

  it.each(entries)('names a real list or struct field: $type.$field', ({ type, field, meta }) => {
    const attr = attributes(type).find((a) => a.baseName === field);
    expect(attr, `${type}.${field} is not in client-node's model`).toBeDefined();
    const element = arrayOf(attr?.type ?? '');
    if (meta.strategies.includes('merge')) expect(element, 'merge strategies apply to lists').toBeDefined();
    if (meta.mergeKey) {
      expect(attributes(element ?? '').map((a) => a.baseName)).toContain(meta.mergeKey);
    } else if (meta.strategies.includes('merge')) {
      expect(MODELS[element ?? ''], 'a merge list without a merge key holds primitives').toBeUndefined();
    }
  });

  it('lists only types reachable from a served kind', () => {
    const reachable = new Set<string>();
    for (const gvk of patchableKinds()) {
      const walk = (type: string) => {
        if (reachable.has(type)) return;
        reachable.add(type);
        for (const a of attributes(type)) if (MODELS[arrayOf(a.type) ?? a.type]) walk(arrayOf(a.type) ?? a.type);
      };
      walk(modelName(gvk));
    }
    expect(Object.keys(PATCH_STRATEGIES).filter((t) => !reachable.has(t))).toEqual([]);
  });

  it.each([
    { path: ['spec', 'template', 'spec', 'containers'], type: 'V1Container', key: 'name' },
    { path: ['spec', 'template', 'spec', 'containers', 'ports'], type: 'V1ContainerPort', key: 'containerPort' },
    { path: ['spec', 'template', 'spec', 'containers', 'env'], type: 'V1EnvVar', key: 'name' },
    { path: ['spec', 'template', 'spec', 'containers', 'volumeMounts'], type: 'V1VolumeMount', key: 'mountPath' },
    { path: ['spec', 'template', 'spec', 'containers', 'envFrom'], type: 'V1EnvFromSource', key: undefined },
    { path: ['spec', 'template', 'metadata', 'ownerReferences'], type: 'V1OwnerReference', key: 'uid' },
    { path: ['status', 'conditions'], type: 'V1DeploymentCondition', key: 'type' },
    { path: ['spec', 'strategy'], type: 'V1DeploymentStrategy', key: undefined },
  ])('walks a Deployment to $type ($path.length levels)', ({ path, type, key }) => {
    let schema = strategicMergeSchemaFor({ group: 'apps', version: 'v1', kind: 'Deployment' });
    let last = lookupField(schema, path[0]);
    for (const field of path) {
      last = lookupField(schema, field);
      schema = last.schema;
    }
    expect(schema).toBe(type);
    expect(last.meta.mergeKey).toBe(key);
  });

  it('looks up Service ports by port and node addresses by type', () => {
    const svc = strategicMergeSchemaFor({ group: '', version: 'v1', kind: 'Service' });
    expect(lookupField(lookupField(svc, 'spec').schema, 'ports').meta.mergeKey).toBe('port');
    const node = strategicMergeSchemaFor({ group: '', version: 'v1', kind: 'Node' });
    expect(lookupField(lookupField(node, 'status').schema, 'addresses').meta.mergeKey).toBe('type');
  });

  it('treats unknown fields and free-form maps as having no strategy', () => {
    const pod = strategicMergeSchemaFor({ group: '', version: 'v1', kind: 'Pod' });
    const labels = lookupField(lookupField(pod, 'metadata').schema, 'labels');
    expect(labels).toEqual({ meta: { strategies: [] }, schema: undefined });
    expect(lookupField(pod, 'nonsense')).toEqual({ meta: { strategies: [] }, schema: undefined });
  });
});
