import { describe, expect, it } from 'vitest';
import { findByKind } from '../../../../core/api/resources.ts';
import { validateObject, validateObjectUpdate } from '../../../../core/api/validation/index.ts';
import { fieldErrorString } from '../../../../core/errors/field-errors.ts';
import { makeConfigMap, makeNamespace, makeNode, makeService } from '../../../fixtures/objects.ts';

const CM = findByKind('', 'ConfigMap')!;
const brief = (errs: { type: string; field: string }[]) => errs.map((e) => [e.field, e.type]);

describe('validateObject (metadata)', () => {
  it('accepts a valid object', () => {
    expect(validateObject(CM, makeConfigMap())).toEqual([]);
  });

  it('prints a bad name the way kubectl shows it', () => {
    const errs = validateObject(CM, makeConfigMap({ metadata: { name: 'Bad_Name' } }));
    expect(errs.map(fieldErrorString)).toEqual([
      `metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ]);
  });

  it.each([
    ['no name', { metadata: { name: undefined } }, [['metadata.name', 'FieldValueRequired']]],
    ['generateName only', { metadata: { name: undefined, generateName: 'settings-' } }, []],
    [
      'bad generateName',
      { metadata: { name: undefined, generateName: 'Settings-' } },
      [['metadata.generateName', 'FieldValueInvalid']],
    ],
    ['no namespace', { metadata: { namespace: undefined } }, [['metadata.namespace', 'FieldValueRequired']]],
    ['bad namespace', { metadata: { namespace: 'a.b' } }, [['metadata.namespace', 'FieldValueInvalid']]],
    ['name of 254 bytes', { metadata: { name: 'a'.repeat(254) } }, [['metadata.name', 'FieldValueInvalid']]],
    ['bad label key', { metadata: { labels: { 'bad key': 'x' } } }, [['metadata.labels', 'FieldValueInvalid']]],
    ['bad label value', { metadata: { labels: { app: 'has space' } } }, [['metadata.labels', 'FieldValueInvalid']]],
    [
      'bad annotation key',
      { metadata: { annotations: { '-x': '1' } } },
      [['metadata.annotations', 'FieldValueInvalid']],
    ],
    ['upper-case annotation key', { metadata: { annotations: { 'Example.COM/Key': '1' } } }, []],
    [
      'huge annotations',
      { metadata: { annotations: { big: 'x'.repeat(256 * 1024) } } },
      [['metadata.annotations', 'FieldValueTooLong']],
    ],
    ['bad finalizer', { metadata: { finalizers: ['custom'] } }, [['metadata.finalizers[0]', 'FieldValueInvalid']]],
    ['prefixed finalizer', { metadata: { finalizers: ['example.com/cleanup'] } }, []],
    [
      'owner reference without uid',
      { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p' }] } },
      [['metadata.ownerReferences.uid', 'FieldValueInvalid']],
    ],
  ])('checks %s', (_name, overrides, expected) => {
    expect(brief(validateObject(CM, makeConfigMap(overrides)))).toEqual(expected);
  });

  it('uses DNS-1123 labels for Namespaces and DNS-1035 labels for Services', () => {
    expect(brief(validateObject(findByKind('', 'Namespace')!, makeNamespace({ metadata: { name: 'a.b' } })))).toEqual([
      ['metadata.name', 'FieldValueInvalid'],
    ]);
    const svc = validateObject(findByKind('', 'Service')!, makeService({ metadata: { name: '1web' } }));
    expect(svc.map((e) => e.field)).toContain('metadata.name');
  });

  it('forbids a namespace on cluster-scoped kinds', () => {
    const errs = validateObject(findByKind('', 'Node')!, makeNode({ metadata: { namespace: 'default' } }));
    expect(errs.map(fieldErrorString)).toEqual(['metadata.namespace: Forbidden: not allowed on this type']);
  });
});

describe('validateObjectUpdate (metadata)', () => {
  const stored = makeConfigMap({
    metadata: { uid: 'u-1', creationTimestamp: '2025-01-01T00:00:00Z', resourceVersion: '5', generation: 2 },
  });

  it('accepts an unchanged object and one that omits server-set fields', () => {
    expect(validateObjectUpdate(CM, stored, stored)).toEqual([]);
    const sent = makeConfigMap({ metadata: { uid: undefined, creationTimestamp: undefined } });
    expect(validateObjectUpdate(CM, sent, stored)).toEqual([]);
  });

  it.each([
    ['name', { name: 'other' }],
    ['namespace', { namespace: 'other' }],
    ['uid', { uid: 'u-2' }],
    ['creationTimestamp', { creationTimestamp: '2025-02-01T00:00:00Z' }],
  ])('rejects a change of metadata.%s', (name, metadata) => {
    const errs = validateObjectUpdate(CM, makeConfigMap({ metadata: { ...stored.metadata, ...metadata } }), stored);
    expect(errs.map(fieldErrorString)).toEqual([
      `metadata.${name}: Invalid value: ${JSON.stringify(Object.values(metadata)[0])}: field is immutable`,
    ]);
  });

  it('rejects a lower generation and new finalizers on a deleted object', () => {
    const deleting = makeConfigMap({ metadata: { ...stored.metadata, deletionTimestamp: '2025-03-01T00:00:00Z' } });
    const next = makeConfigMap({ metadata: { ...deleting.metadata, generation: 1, finalizers: ['example.com/x'] } });
    expect(brief(validateObjectUpdate(CM, next, deleting))).toEqual([
      ['metadata.finalizers', 'FieldValueForbidden'],
      ['metadata.generation', 'FieldValueInvalid'],
    ]);
  });
});
