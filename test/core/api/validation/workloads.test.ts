import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../../../../core/api/defaulting/index.ts';
import type { KubeObject } from '../../../../core/api/object.ts';
import { findByKind, type ResourceInfo } from '../../../../core/api/resources.ts';
import { validateObject, validateObjectUpdate } from '../../../../core/api/validation/index.ts';
import { fieldErrorString } from '../../../../core/errors/field-errors.ts';
import {
  makeDaemonSet,
  makeDeployment,
  makeReplicaSet,
  makeReplicationController,
  type Overrides,
} from '../../../fixtures/objects.ts';

const DEPLOY = findByKind('apps', 'Deployment')!;
const RS = findByKind('apps', 'ReplicaSet')!;
const DS = findByKind('apps', 'DaemonSet')!;
const RC = findByKind('', 'ReplicationController')!;
const check = (info: ResourceInfo, obj: KubeObject) =>
  validateObject(info, applyDefaults(info, obj)).map((e) => [e.field, e.type]);

describe('validateObject (workloads)', () => {
  it.each([
    [DEPLOY, makeDeployment()],
    [RS, makeReplicaSet()],
    [DS, makeDaemonSet()],
    [RC, makeReplicationController()],
  ])('accepts a defaulted %s', (info, obj) => {
    expect(check(info, obj)).toEqual([]);
  });

  it('says the selector does not match the template labels as Kubernetes does', () => {
    const d = makeDeployment({ spec: { template: { metadata: { labels: { app: 'other' } } } } });
    const errs = validateObject(DEPLOY, applyDefaults(DEPLOY, d));
    expect(errs.map(fieldErrorString)).toEqual([
      'spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`',
    ]);
  });

  it.each<[string, Overrides, string[][]]>([
    ['negative replicas', { spec: { replicas: -1 } }, [['spec.replicas', 'FieldValueInvalid']]],
    ['no selector', { spec: { selector: undefined } }, [['spec.selector', 'FieldValueRequired']]],
    ['empty selector', { spec: { selector: { matchLabels: undefined } } }, [['spec.selector', 'FieldValueInvalid']]],
    [
      'matchExpressions selector that matches',
      {
        spec: {
          selector: { matchLabels: undefined, matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
        },
      },
      [],
    ],
    [
      'selector with a bad operator',
      { spec: { selector: { matchExpressions: [{ key: 'app', operator: 'Is', values: ['web'] }] } } },
      [
        ['spec.selector.matchExpressions[0].operator', 'FieldValueInvalid'],
        ['spec.template.metadata.labels', 'FieldValueInvalid'],
      ],
    ],
    ['bad strategy type', { spec: { strategy: { type: 'BlueGreen' } } }, [['spec.strategy', 'FieldValueNotSupported']]],
    [
      'maxSurge and maxUnavailable both 0',
      { spec: { strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } } } },
      [['spec.strategy.rollingUpdate.maxUnavailable', 'FieldValueInvalid']],
    ],
    [
      'a malformed percentage',
      { spec: { strategy: { rollingUpdate: { maxSurge: '25 %' } } } },
      [['spec.strategy.rollingUpdate.maxSurge', 'FieldValueInvalid']],
    ],
    [
      'maxUnavailable over 100%',
      { spec: { strategy: { rollingUpdate: { maxUnavailable: '150%' } } } },
      [['spec.strategy.rollingUpdate.maxUnavailable', 'FieldValueInvalid']],
    ],
    [
      'Recreate with rollingUpdate',
      { spec: { strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } } },
      [['spec.strategy.rollingUpdate', 'FieldValueForbidden']],
    ],
    [
      'restartPolicy Never',
      { spec: { template: { spec: { restartPolicy: 'Never' } } } },
      [['spec.template.spec.restartPolicy', 'FieldValueNotSupported']],
    ],
    [
      'activeDeadlineSeconds',
      { spec: { template: { spec: { activeDeadlineSeconds: 10 } } } },
      [['spec.template.spec.activeDeadlineSeconds', 'FieldValueForbidden']],
    ],
    [
      'a template without containers',
      { spec: { template: { spec: { containers: [] } } } },
      [['spec.template.spec.containers', 'FieldValueRequired']],
    ],
    [
      'progressDeadlineSeconds below minReadySeconds',
      { spec: { minReadySeconds: 30, progressDeadlineSeconds: 20 } },
      [['spec.progressDeadlineSeconds', 'FieldValueInvalid']],
    ],
    [
      'a bad template label',
      { spec: { template: { metadata: { labels: { 'bad key': 'x' } } } } },
      [['spec.template.labels', 'FieldValueInvalid']],
    ],
  ])('checks a Deployment with %s', (_name, overrides, expected) => {
    expect(check(DEPLOY, makeDeployment(overrides))).toEqual(expected);
  });

  it('uses ReplicaSet rules for ReplicaSets', () => {
    expect(check(RS, makeReplicaSet({ spec: { replicas: -2, selector: { matchLabels: undefined } } }))).toEqual([
      ['spec.replicas', 'FieldValueInvalid'],
      ['spec.selector', 'FieldValueInvalid'],
    ]);
  });

  it.each<[string, Overrides, string[][]]>([
    ['no selector', { spec: { selector: undefined } }, [['spec.template.metadata.labels', 'FieldValueInvalid']]],
    [
      'maxSurge and maxUnavailable both set',
      { spec: { updateStrategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } } },
      [['spec.updateStrategy.rollingUpdate.maxSurge', 'FieldValueInvalid']],
    ],
    [
      'maxSurge and maxUnavailable both 0',
      { spec: { updateStrategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } } },
      [['spec.updateStrategy.rollingUpdate.maxUnavailable', 'FieldValueRequired']],
    ],
    [
      'bad strategy type',
      { spec: { updateStrategy: { type: 'Replace' } } },
      [['spec.updateStrategy', 'FieldValueNotSupported']],
    ],
  ])('checks a DaemonSet with %s', (_name, overrides, expected) => {
    expect(check(DS, makeDaemonSet(overrides))).toEqual(expected);
  });

  it.each<[string, Overrides, string[][]]>([
    [
      'no selector and no template labels',
      { spec: { selector: undefined, template: { metadata: { labels: undefined } } } },
      [['spec.selector', 'FieldValueRequired']],
    ],
    [
      'a mismatched selector',
      { spec: { selector: { app: 'db' } } },
      [['spec.template.metadata.labels', 'FieldValueInvalid']],
    ],
    ['no template', { spec: { template: undefined } }, [['spec.template', 'FieldValueRequired']]],
  ])('checks a ReplicationController with %s', (_name, overrides, expected) => {
    expect(check(RC, makeReplicationController(overrides))).toEqual(expected);
  });
});

describe('validateObjectUpdate (workloads)', () => {
  it.each([
    [DEPLOY, makeDeployment()],
    [RS, makeReplicaSet()],
    [DS, makeDaemonSet()],
  ])('forbids changing the apps/v1 selector of a %s', (info, obj) => {
    const stored = applyDefaults(info, obj);
    const next = structuredClone(stored) as any;
    next.spec.selector.matchLabels.tier = 'x';
    next.spec.template.metadata.labels.tier = 'x';
    expect(validateObjectUpdate(info, next, stored).map(fieldErrorString)).toEqual([
      `spec.selector: Invalid value: ${JSON.stringify(next.spec.selector)}: field is immutable`,
    ]);
  });

  it('allows changing replicas, template and a ReplicationController selector', () => {
    const stored = applyDefaults(DEPLOY, makeDeployment());
    const next = structuredClone(stored) as any;
    next.spec.replicas = 5;
    next.spec.template.spec.containers[0].image = 'nginx:1.28';
    expect(validateObjectUpdate(DEPLOY, next, stored)).toEqual([]);
    const rc = applyDefaults(RC, makeReplicationController());
    const rc2 = structuredClone(rc) as any;
    rc2.spec.selector = { app: 'web', tier: 'x' };
    rc2.spec.template.metadata.labels.tier = 'x';
    expect(validateObjectUpdate(RC, rc2, rc)).toEqual([]);
  });
});
