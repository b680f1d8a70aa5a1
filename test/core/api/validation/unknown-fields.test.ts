import { describe, expect, it } from 'vitest';
import {
  findUnknownFields,
  unknownFieldsError,
  unknownFieldsPatchError,
  unknownFieldWarnings,
} from '../../../../core/api/validation/unknown-fields.ts';
import { makeContainer, makeDeployment, makeEvent, makePod, makeService } from '../../../fixtures/objects.ts';

const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };

describe('findUnknownFields', () => {
  it('finds nothing in a valid object, whatever its label and annotation keys', () => {
    const d = makeDeployment({
      metadata: {
        labels: { 'any.key/x': 'y' },
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
      },
      spec: { replicas: 2, template: { metadata: { annotations: { whatever: 'x' } } } },
    });
    expect(findUnknownFields(DEPLOYMENT, d)).toEqual([]);
  });

  it('finds unknown fields at every depth, in document order', () => {
    const d = makeDeployment({
      spec: {
        replicas2: 3,
        template: {
          spec: {
            containers: [makeContainer({ imagePullPolicyx: 'Always', ports: [{ containerPort: 80, hostport: 1 }] })],
          },
        },
      },
    });
    expect(findUnknownFields(DEPLOYMENT, d)).toEqual([
      'spec.template.spec.containers[0].imagePullPolicyx',
      'spec.template.spec.containers[0].ports[0].hostport',
      'spec.replicas2',
    ]);
  });

  it('treats field names case-sensitively and checks the top level and metadata', () => {
    const pod = makePod({ Spec: {}, metadata: { Labels: {} } });
    expect(findUnknownFields({ group: '', version: 'v1', kind: 'Pod' }, pod)).toEqual(['metadata.Labels', 'Spec']);
  });

  it('accepts IntOrString and free-form values without looking inside', () => {
    const svc = makeService({ spec: { ports: [{ port: 80, targetPort: 'http' }] } });
    expect(findUnknownFields({ group: '', version: 'v1', kind: 'Service' }, svc)).toEqual([]);
  });

  it('uses the core/v1 Event schema (not events.k8s.io) for core Events', () => {
    expect(findUnknownFields({ group: '', version: 'v1', kind: 'Event' }, makeEvent({ note: 'x' }))).toEqual(['note']);
  });

  it('reports nothing for kinds it has no schema for', () => {
    expect(findUnknownFields({ group: 'example.com', version: 'v1', kind: 'Widget' }, { x: 1 })).toEqual([]);
  });
});

describe('unknownFieldsError', () => {
  it('builds the 400 Kubernetes returns for fieldValidation=Strict', () => {
    const err = unknownFieldsError(DEPLOYMENT, ['spec.replicas2', 'spec.foo']);
    expect(err.code).toBe(400);
    expect(err.reason).toBe('BadRequest');
    expect(err.status.message).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicas2", unknown field "spec.foo"',
    );
  });

  it('builds the 422 a strict PATCH gets', () => {
    const err = unknownFieldsPatchError(['spec.x'], { spec: { x: 1 } });
    expect(err.code).toBe(422);
    expect(err.status.details?.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'patch',
        message: 'Invalid value: "{\\"spec\\":{\\"x\\":1}}": strict decoding error: unknown field "spec.x"',
      },
    ]);
  });

  it('formats one warning per field for fieldValidation=Warn', () => {
    expect(unknownFieldWarnings(['spec.x', 'spec.y'])).toEqual(['unknown field "spec.x"', 'unknown field "spec.y"']);
  });
});
