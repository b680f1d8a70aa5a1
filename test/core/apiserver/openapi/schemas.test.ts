import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RESOURCES } from '../../../../core/api/resources.ts';
import { SCHEMAS, schemaClosure, schemaDescription, schemaNameForKind } from '../../../../core/api/schema/schemas.ts';
import { generateSchemas, renderSchemas, SCHEMAS_FILE } from '../../../../scripts/gen-openapi.ts';

const props = (name: string) => SCHEMAS[name].properties as Record<string, Record<string, unknown>>;

describe('generated schemas', () => {
  it('match what scripts/gen-openapi.ts generates now (rerun it when this fails)', async () => {
    expect(readFileSync(SCHEMAS_FILE, 'utf8')).toBe(renderSchemas(await generateSchemas()));
  });

  it.each(RESOURCES.map((r) => [r.kind, r] as const))('name %s as Kubernetes does, with its GVK', (_kind, info) => {
    const pkg = info.group ? info.group.split('.')[0] : 'core';
    const name = schemaNameForKind(info);
    expect(name).toBe(`io.k8s.api.${pkg}.${info.version}.${info.kind}`);
    const list = schemaNameForKind({ ...info, kind: `${info.kind}List` });
    expect(list).toBe(info.verbs.includes('list') ? `${name}List` : undefined);
  });

  it('put meta types under apimachinery and subresource kinds under their own groups', () => {
    for (const name of [
      'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta',
      'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
      'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
      'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
      'io.k8s.api.autoscaling.v1.Scale',
      'io.k8s.api.policy.v1.Eviction',
      'io.k8s.api.core.v1.PodTemplateSpec',
      'io.k8s.api.apps.v1.DeploymentSpec',
    ]) {
      expect(SCHEMAS[name], name).toBeDefined();
    }
    expect(schemaNameForKind({ group: 'autoscaling', version: 'v1', kind: 'Scale' })).toBe(
      'io.k8s.api.autoscaling.v1.Scale',
    );
  });

  it('describe IntOrString and Quantity as Kubernetes publishes them in v3', () => {
    expect(SCHEMAS['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({
      format: 'int-or-string',
      oneOf: [{ type: 'integer' }, { type: 'string' }],
    });
    expect(SCHEMAS['io.k8s.apimachinery.pkg.api.resource.Quantity']).toMatchObject({
      oneOf: [{ type: 'string' }, { type: 'number' }],
    });
  });

  it('reference special string types from the fields that hold them', () => {
    const ref = (s: string) => ({ $ref: `#/components/schemas/${s}` });
    expect(props('io.k8s.api.core.v1.ContainerPort').containerPort).toMatchObject({ type: 'integer', format: 'int32' });
    expect(props('io.k8s.api.core.v1.ServicePort').targetPort).toMatchObject({
      allOf: [ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString')],
    });
    expect(props('io.k8s.api.core.v1.ResourceRequirements').limits).toMatchObject({
      type: 'object',
      additionalProperties: ref('io.k8s.apimachinery.pkg.api.resource.Quantity'),
    });
    expect(props('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta').creationTimestamp).toMatchObject({
      allOf: [ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time')],
    });
    expect(props('io.k8s.api.coordination.v1.LeaseSpec').renewTime).toMatchObject({
      allOf: [ref('io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime')],
      description: expect.stringContaining('renewTime'),
    });
    expect(props('io.k8s.api.core.v1.PodSpec').containers).toMatchObject({
      type: 'array',
      items: ref('io.k8s.api.core.v1.Container'),
    });
  });

  it('list required fields', () => {
    expect(SCHEMAS['io.k8s.api.core.v1.Container'].required).toEqual(['name']);
    expect(SCHEMAS['io.k8s.api.apps.v1.DeploymentSpec'].required).toEqual(['selector', 'template']);
    expect(SCHEMAS['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].required).toBeUndefined();
  });

  it('describe every schema and every field', () => {
    for (const [name, schema] of Object.entries(SCHEMAS)) {
      expect(schema.description, name).toBeTruthy();
      for (const [field, prop] of Object.entries(
        (schema.properties ?? {}) as Record<string, { description?: string }>,
      )) {
        expect(prop.description, `${name}.${field}`).toBeTruthy();
      }
    }
  });

  it('resolve every reference', () => {
    expect(Object.keys(schemaClosure(Object.keys(SCHEMAS)))).toHaveLength(Object.keys(SCHEMAS).length);
  });
});

describe('schemaClosure', () => {
  it('collects a schema and everything it references, and nothing else', () => {
    const closure = schemaClosure(['io.k8s.api.coordination.v1.Lease']);
    expect(Object.keys(closure)).toContain('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    expect(Object.keys(closure)).toContain('io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime');
    expect(Object.keys(closure)).not.toContain('io.k8s.api.core.v1.Pod');
  });

  it('throws for a schema that was not generated', () => {
    expect(() => schemaClosure(['io.k8s.api.batch.v1.Job'])).toThrow(/not generated/);
  });
});

describe('schemaDescription', () => {
  it('returns a field description, a schema description, or an empty string', () => {
    expect(schemaDescription('io.k8s.api.apps.v1.DeploymentSpec', 'replicas')).toMatch(/^Number of desired pods/);
    expect(schemaDescription('io.k8s.api.core.v1.Pod')).toMatch(/^Pod is a collection of containers/);
    expect(schemaDescription('io.k8s.api.core.v1.Pod', 'nope')).toBe('');
    expect(schemaDescription('nope')).toBe('');
  });
});
