import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../../../../core/api/defaulting/index.ts';
import type { KubeObject } from '../../../../core/api/object.ts';
import { findByKind } from '../../../../core/api/resources.ts';
import { validateObject, validateObjectUpdate } from '../../../../core/api/validation/index.ts';
import { fieldErrorString } from '../../../../core/errors/field-errors.ts';
import { makeContainer, makePod, type Overrides } from '../../../fixtures/objects.ts';

const POD = findByKind('', 'Pod')!;
const defaulted = (pod: KubeObject) => applyDefaults(POD, pod);
const errorsOf = (overrides: Overrides) =>
  validateObject(POD, defaulted(makePod(overrides))).map((e) => [e.field, e.type]);
const withContainer = (c: Overrides, spec: Overrides = {}) => ({ spec: { ...spec, containers: [makeContainer(c)] } });

describe('validateObject (Pod)', () => {
  it('accepts a defaulted pod', () => {
    expect(validateObject(POD, defaulted(makePod()))).toEqual([]);
  });

  it('reports a missing image the way kubectl shows it', () => {
    const errs = validateObject(POD, defaulted(makePod(withContainer({ image: undefined }))));
    expect(errs.map(fieldErrorString)).toEqual(['spec.containers[0].image: Required value']);
  });

  it.each<[string, Overrides, string[][]]>([
    ['no containers', { spec: { containers: [] } }, [['spec.containers', 'FieldValueRequired']]],
    ['no container name', withContainer({ name: undefined }), [['spec.containers[0].name', 'FieldValueRequired']]],
    ['bad container name', withContainer({ name: 'Web' }), [['spec.containers[0].name', 'FieldValueInvalid']]],
    ['bad restartPolicy', { spec: { restartPolicy: 'Sometimes' } }, [['spec.restartPolicy', 'FieldValueNotSupported']]],
    ['bad dnsPolicy', { spec: { dnsPolicy: 'Google' } }, [['spec.dnsPolicy', 'FieldValueNotSupported']]],
    [
      'bad imagePullPolicy',
      withContainer({ imagePullPolicy: 'Sometimes' }),
      [['spec.containers[0].imagePullPolicy', 'FieldValueNotSupported']],
    ],
    [
      'port 0',
      withContainer({ ports: [{ containerPort: 0 }] }),
      [['spec.containers[0].ports[0].containerPort', 'FieldValueRequired']],
    ],
    [
      'port 70000',
      withContainer({ ports: [{ containerPort: 70000 }] }),
      [['spec.containers[0].ports[0].containerPort', 'FieldValueInvalid']],
    ],
    [
      'bad hostPort',
      withContainer({ ports: [{ containerPort: 80, hostPort: 70000 }] }),
      [['spec.containers[0].ports[0].hostPort', 'FieldValueInvalid']],
    ],
    [
      'bad protocol',
      withContainer({ ports: [{ containerPort: 80, protocol: 'ICMP' }] }),
      [['spec.containers[0].ports[0].protocol', 'FieldValueNotSupported']],
    ],
    [
      'numeric port name',
      withContainer({ ports: [{ containerPort: 80, name: '8080' }] }),
      [['spec.containers[0].ports[0].name', 'FieldValueInvalid']],
    ],
    [
      'duplicate port names',
      withContainer({
        ports: [
          { containerPort: 80, name: 'http' },
          { containerPort: 81, name: 'http' },
        ],
      }),
      [['spec.containers[0].ports[1].name', 'FieldValueDuplicate']],
    ],
    [
      'same port twice (Kubernetes allows it)',
      withContainer({ ports: [{ containerPort: 80 }, { containerPort: 80 }] }),
      [],
    ],
    [
      'negative grace period',
      { spec: { terminationGracePeriodSeconds: -1 } },
      [['spec.terminationGracePeriodSeconds', 'FieldValueInvalid']],
    ],
    [
      'activeDeadlineSeconds 0',
      { spec: { activeDeadlineSeconds: 0 } },
      [['spec.activeDeadlineSeconds', 'FieldValueInvalid']],
    ],
    [
      'duplicate env names (Kubernetes allows them)',
      withContainer({
        env: [
          { name: 'A', value: '1' },
          { name: 'A', value: '2' },
        ],
      }),
      [],
    ],
    [
      'env without name',
      withContainer({ env: [{ value: '1' }] }),
      [['spec.containers[0].env[0].name', 'FieldValueRequired']],
    ],
    [
      'env valueFrom with value',
      withContainer({ env: [{ name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }),
      [['spec.containers[0].env[0].valueFrom', 'FieldValueInvalid']],
    ],
    [
      'probe with negative period',
      withContainer({ readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: -1 } }),
      [['spec.containers[0].readinessProbe.periodSeconds', 'FieldValueInvalid']],
    ],
    [
      'liveness successThreshold 2',
      withContainer({ livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 } }),
      [['spec.containers[0].livenessProbe.successThreshold', 'FieldValueInvalid']],
    ],
    [
      'probe with two handlers',
      withContainer({ livenessProbe: { exec: { command: ['true'] }, tcpSocket: { port: 80 } } }),
      [['spec.containers[0].livenessProbe.tcpSocket', 'FieldValueForbidden']],
    ],
    [
      'probe without handler',
      withContainer({ livenessProbe: {} }),
      [['spec.containers[0].livenessProbe', 'FieldValueRequired']],
    ],
    [
      'httpGet with bad scheme',
      withContainer({ readinessProbe: { httpGet: { port: 'http', scheme: 'FTP' } } }),
      [['spec.containers[0].readinessProbe.httpGet.scheme', 'FieldValueNotSupported']],
    ],
    [
      'requests above limits',
      withContainer({ resources: { limits: { cpu: '500m' }, requests: { cpu: '1' } } }),
      [['spec.containers[0].resources.requests', 'FieldValueInvalid']],
    ],
    [
      'negative memory',
      withContainer({ resources: { limits: { memory: '-1Gi' } } }),
      [
        ['spec.containers[0].resources.limits[memory]', 'FieldValueInvalid'],
        ['spec.containers[0].resources.requests[memory]', 'FieldValueInvalid'],
      ],
    ],
    [
      'unknown resource',
      withContainer({ resources: { limits: { gpu: '1' } } }),
      [
        ['spec.containers[0].resources.limits[gpu]', 'FieldValueInvalid'],
        ['spec.containers[0].resources.requests[gpu]', 'FieldValueInvalid'],
      ],
    ],
    [
      'mount of a missing volume',
      withContainer({ volumeMounts: [{ name: 'data', mountPath: '/data' }] }),
      [['spec.containers[0].volumeMounts[0].name', 'FieldValueInvalid']],
    ],
    ['volume without source (defaulted to emptyDir)', { spec: { volumes: [{ name: 'data' }] } }, []],
    [
      'volume with two sources',
      { spec: { volumes: [{ name: 'data', emptyDir: {}, hostPath: { path: '/x' } }] } },
      [['spec.volumes[0].hostPath', 'FieldValueForbidden']],
    ],
    [
      'duplicate volumes',
      {
        spec: {
          volumes: [
            { name: 'a', emptyDir: {} },
            { name: 'a', emptyDir: {} },
          ],
        },
      },
      [['spec.volumes[1].name', 'FieldValueDuplicate']],
    ],
    [
      'bad volume mode',
      { spec: { volumes: [{ name: 'a', configMap: { name: 'c', defaultMode: 0o1000 } }] } },
      [['spec.volumes[0].configMap.defaultMode', 'FieldValueInvalid']],
    ],
    [
      'bad toleration',
      { spec: { tolerations: [{ operator: 'Equal', value: 'x' }] } },
      [['spec.tolerations[0].operator', 'FieldValueInvalid']],
    ],
    ['bad nodeName', { spec: { nodeName: 'Node_1' } }, [['spec.nodeName', 'FieldValueInvalid']]],
    [
      'ephemeral containers on create',
      { spec: { ephemeralContainers: [{ name: 'debug', image: 'busybox' }] } },
      [['spec.ephemeralContainers', 'FieldValueForbidden']],
    ],
    ['image with spaces', withContainer({ image: ' nginx' }), [['spec.containers[0].image', 'FieldValueInvalid']]],
    [
      'hostPort conflict',
      {
        spec: {
          containers: [
            makeContainer({ ports: [{ containerPort: 80, hostPort: 8080 }] }),
            makeContainer({ name: 'b', ports: [{ containerPort: 81, hostPort: 8080 }] }),
          ],
        },
      },
      [['spec.containers[1].ports[0].hostPort', 'FieldValueDuplicate']],
    ],
  ])('rejects or accepts %s', (_name, overrides, expected) => {
    expect(errorsOf(overrides)).toEqual(expected);
  });

  it('rejects container names used by both containers and initContainers', () => {
    const pod = makePod({ spec: { initContainers: [makeContainer()] } });
    expect(validateObject(POD, defaulted(pod)).map(fieldErrorString)).toEqual([
      'spec.initContainers[0].name: Duplicate value: "web"',
    ]);
  });

  it('forbids probes on init containers unless they are sidecars', () => {
    const probe = { exec: { command: ['true'] } };
    const init = makePod({ spec: { initContainers: [makeContainer({ name: 'init', livenessProbe: probe })] } });
    expect(validateObject(POD, defaulted(init)).map((e) => [e.field, e.type])).toEqual([
      ['spec.initContainers[0].livenessProbe', 'FieldValueForbidden'],
    ]);
    const sidecar = makePod({
      spec: { initContainers: [makeContainer({ name: 'init', restartPolicy: 'Always', livenessProbe: probe })] },
    });
    expect(validateObject(POD, defaulted(sidecar))).toEqual([]);
  });

  it('requires the fields defaulting fills when it was skipped', () => {
    const fields = validateObject(POD, makePod()).map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'spec.restartPolicy',
        'spec.terminationGracePeriodSeconds',
        'spec.containers[0].imagePullPolicy',
      ]),
    );
  });
});

describe('validateObjectUpdate (Pod)', () => {
  const stored = defaulted(
    makePod({ spec: { activeDeadlineSeconds: 100, tolerations: [{ key: 'a', operator: 'Exists' }] } }),
  );
  const update = (change: (spec: any) => void) => {
    const next = structuredClone(stored) as any;
    change(next.spec);
    return validateObjectUpdate(POD, next, stored);
  };

  it.each<[string, (spec: any) => void]>([
    ['an image', (s) => (s.containers[0].image = 'nginx:1.28')],
    ['a shorter activeDeadlineSeconds', (s) => (s.activeDeadlineSeconds = 50)],
    ['an added toleration', (s) => s.tolerations.push({ key: 'b', operator: 'Exists', effect: 'NoSchedule' })],
    ['a sidecar image', (s) => (s.containers[0].image = 'registry.local/nginx@sha256:0123')],
  ])('allows changing %s', (_name, change) => {
    expect(update(change)).toEqual([]);
  });

  it('forbids other spec changes with Kubernetes’ message', () => {
    const errs = update((s) => (s.containers[0].ports = [{ containerPort: 80, protocol: 'TCP' }]));
    expect(errs).toHaveLength(1);
    expect(errs[0].field).toBe('spec');
    expect(errs[0].type).toBe('FieldValueForbidden');
    expect(fieldErrorString(errs[0])).toMatch(
      /^spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`,`spec.initContainers\[\*\].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` \(only additions to existing tolerations\),`spec.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)\n/,
    );
    expect(errs[0].detail).toContain('spec.containers[0].ports');
  });

  it.each<[string, (spec: any) => void, string[][]]>([
    [
      'a longer activeDeadlineSeconds',
      (s) => (s.activeDeadlineSeconds = 200),
      [['spec.activeDeadlineSeconds', 'FieldValueInvalid']],
    ],
    [
      'a removed activeDeadlineSeconds',
      (s) => delete s.activeDeadlineSeconds,
      [['spec.activeDeadlineSeconds', 'FieldValueInvalid']],
    ],
    ['a removed toleration', (s) => (s.tolerations = []), [['spec.tolerations', 'FieldValueForbidden']]],
    [
      'an added container',
      (s) => s.containers.push({ ...s.containers[0], name: 'b' }),
      [['spec.containers', 'FieldValueForbidden']],
    ],
    ['an emptied image', (s) => (s.containers[0].image = ''), [['spec.containers[0].image', 'FieldValueRequired']]],
    ['the grace period', (s) => (s.terminationGracePeriodSeconds = 10), [['spec', 'FieldValueForbidden']]],
  ])('rejects %s', (_name, change, expected) => {
    expect(update(change).map((e) => [e.field, e.type])).toEqual(expected);
  });
});
