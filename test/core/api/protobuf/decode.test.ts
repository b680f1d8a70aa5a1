import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeProtobufObject, PROTOBUF_MAGIC } from '../../../../core/api/protobuf/decode.ts';
import { protoRoot, supportedKinds } from '../../../../core/api/protobuf/schema.ts';
import { groupVersion, RESOURCES } from '../../../../core/api/resources.ts';
import { StatusError } from '../../../../core/errors/index.ts';

const tag = (field: number, wire: number) => (field << 3) | wire;

/** The magic and a runtime.Unknown written by hand, so these tests do not trust the schema under test. */
function envelope(apiVersion: string, kind: string, raw: Uint8Array, contentEncoding?: string): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32(tag(1, 2)).fork().uint32(tag(1, 2)).string(apiVersion).uint32(tag(2, 2)).string(kind).ldelim();
  w.uint32(tag(2, 2)).bytes(raw);
  if (contentEncoding !== undefined) w.uint32(tag(3, 2)).string(contentEncoding);
  return Buffer.concat([PROTOBUF_MAGIC, w.finish()]);
}

/** Encodes `obj` as message `type` (short names resolve in k8s.io.api). */
function raw(type: string, obj: Record<string, unknown>): Uint8Array {
  const name = type.startsWith('k8s.io.') ? type : `k8s.io.api.${type}`;
  return protoRoot.lookupType(name).encode(obj).finish();
}

const decode = (apiVersion: string, kind: string, type: string, obj: Record<string, unknown>) =>
  decodeProtobufObject(envelope(apiVersion, kind, raw(type, obj)));

function statusOf(fn: () => unknown): { code: number; reason?: string; message: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StatusError);
    const s = (err as StatusError).status;
    return { code: s.code, reason: s.reason, message: s.message ?? '' };
  }
  throw new Error('expected a StatusError');
}

const time = (iso: string, nanos = 0) => ({ seconds: Date.parse(iso) / 1000, nanos });

describe('decodeProtobufObject', () => {
  describe('envelope', () => {
    it.each<[string, Uint8Array, number, RegExp]>([
      ['the body is empty', new Uint8Array(), 400, /expected prefix/],
      ['the body is JSON', Buffer.from('{"kind":"Pod","apiVersion":"v1"}'), 400, /expected prefix/],
      ['the body is only the prefix', PROTOBUF_MAGIC, 400, /empty body/],
      ['the envelope is truncated', Buffer.concat([PROTOBUF_MAGIC, Buffer.from([0x0a, 0x20, 0x0a])]), 400, /decode/],
      ['the envelope has no typeMeta', Buffer.concat([PROTOBUF_MAGIC, Buffer.from([0x12, 0x00])]), 400, /Kind/],
      ['the kind has no apiVersion', envelope('', 'Pod', new Uint8Array()), 400, /apiVersion/],
      ['the raw object is not a message', envelope('v1', 'Pod', Buffer.from([0x0a, 0x7f, 0x01])), 400, /v1, Kind=Pod/],
      ['the content is gzip-encoded', envelope('v1', 'Pod', new Uint8Array(), 'gzip'), 415, /encoding "gzip"/],
      [
        'the kind is unknown',
        envelope('example.com/v1', 'Widget', new Uint8Array()),
        415,
        /"Widget".*"example.com\/v1"/,
      ],
      ['the kind is in another group', envelope('apps/v1', 'Pod', new Uint8Array()), 415, /"Pod".*"apps\/v1"/],
      ['the kind is a subresource option', envelope('v1', 'PodExecOptions', new Uint8Array()), 415, /PodExecOptions/],
    ])('rejects the body when %s', (_case, body, code, message) => {
      const s = statusOf(() => decodeProtobufObject(body));
      expect(s.code).toBe(code);
      expect(s.reason).toBe(code === 400 ? 'BadRequest' : 'UnsupportedMediaType');
      expect(s.message).toMatch(message);
    });

    it('takes apiVersion and kind from the envelope and ignores unknown fields', () => {
      const w = protobuf.Writer.create();
      w.uint32(tag(1, 2)).fork().uint32(tag(1, 2)).string('ns-name').ldelim();
      w.uint32(tag(999, 0)).uint32(7); // a field from a newer API version
      const body = envelope('v1', 'Namespace', w.finish());
      expect(decodeProtobufObject(body)).toEqual({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'ns-name', creationTimestamp: null },
        spec: {},
        status: {},
      });
    });
  });

  describe('presence and omitempty', () => {
    it('drops zero values Go writes for non-pointer omitempty fields but keeps a pointer set to zero', () => {
      const obj = decode('apps/v1', 'Deployment', 'apps.v1.Deployment', {
        metadata: { name: 'web', generateName: '', namespace: '', generation: 0, creationTimestamp: {} },
        spec: { replicas: 0, minReadySeconds: 0, paused: false, strategy: { type: '' } },
      });
      expect(obj.metadata).toEqual({ name: 'web', creationTimestamp: null });
      expect(obj.spec).toEqual({
        replicas: 0,
        selector: null,
        template: { metadata: { creationTimestamp: null }, spec: { containers: null } },
        strategy: {},
      });
    });

    it('omits an unset pointer and prints fields without omitempty even when zero', () => {
      const obj = decode('v1', 'Pod', 'core.v1.Pod', {
        spec: { containers: [{ name: 'c', ports: [{ containerPort: 0 }] }] },
      });
      const spec = obj.spec as { containers: Record<string, unknown>[] };
      expect(spec.containers[0]).toEqual({ name: 'c', ports: [{ containerPort: 0 }], resources: {} });
      expect(spec).not.toHaveProperty('terminationGracePeriodSeconds');
    });

    it('prints a Go nil list without omitempty as null and drops empty omitempty lists and maps', () => {
      const obj = decode('v1', 'Pod', 'core.v1.Pod', {
        metadata: { labels: {}, finalizers: [] },
        spec: { volumes: [] },
      });
      expect(obj.metadata).toEqual({ creationTimestamp: null });
      expect(obj.spec).toEqual({ containers: null });
    });

    it('prints value structs that are absent as their Go zero value', () => {
      expect(decode('v1', 'Event', 'core.v1.Event', {})).toEqual({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { creationTimestamp: null },
        involvedObject: {},
        source: {},
        firstTimestamp: null,
        lastTimestamp: null,
        eventTime: null,
        reportingComponent: '',
        reportingInstance: '',
      });
    });
  });

  describe('inline fields', () => {
    it('merges a volume source, a probe handler and a local object reference into their parents', () => {
      const obj = decode('v1', 'Pod', 'core.v1.Pod', {
        spec: {
          volumes: [
            { name: 'scratch', volumeSource: { emptyDir: { sizeLimit: { string: '1Gi' } } } },
            { name: 'conf', volumeSource: { configMap: { localObjectReference: { name: 'app' }, defaultMode: 420 } } },
          ],
          containers: [
            {
              name: 'web',
              livenessProbe: {
                handler: { httpGet: { path: '/healthz', port: { type: 1, strVal: 'http' } } },
                periodSeconds: 5,
              },
            },
          ],
        },
      });
      const spec = obj.spec as { volumes: unknown[]; containers: Record<string, unknown>[] };
      expect(spec.volumes).toEqual([
        { name: 'scratch', emptyDir: { sizeLimit: '1Gi' } },
        { name: 'conf', configMap: { name: 'app', defaultMode: 420 } },
      ]);
      expect(spec.containers[0].livenessProbe).toEqual({
        httpGet: { path: '/healthz', port: 'http' },
        periodSeconds: 5,
      });
    });
  });

  describe('special types', () => {
    it('prints Time at second precision, dropping nanos, and the zero Time as null', () => {
      const obj = decode('v1', 'Pod', 'core.v1.Pod', {
        metadata: { creationTimestamp: time('2024-01-01T00:00:00Z', 999), deletionTimestamp: {} },
        status: { startTime: time('2025-06-30T12:34:56Z') },
      });
      expect(obj.metadata).toEqual({ creationTimestamp: '2024-01-01T00:00:00Z', deletionTimestamp: null });
      expect(obj.status).toEqual({ startTime: '2025-06-30T12:34:56Z' });
    });

    it('prints MicroTime with six fractional digits, truncating nanos', () => {
      const obj = decode('coordination.k8s.io/v1', 'Lease', 'coordination.v1.Lease', {
        spec: {
          holderIdentity: '',
          acquireTime: time('2024-02-29T23:59:59Z', 0),
          renewTime: time('2024-03-01T00:00:01Z', 123_456_789),
        },
      });
      expect(obj.spec).toEqual({
        holderIdentity: '',
        acquireTime: '2024-02-29T23:59:59.000000Z',
        renewTime: '2024-03-01T00:00:01.123456Z',
      });
    });

    it('prints Quantity maps as strings and rejects a malformed quantity', () => {
      const obj = decode('v1', 'ResourceQuota', 'core.v1.ResourceQuota', {
        spec: { hard: { cpu: { string: '1500m' }, memory: { string: '4Gi' }, pods: { string: '10' } } },
      });
      expect(obj.spec).toEqual({ hard: { cpu: '1500m', memory: '4Gi', pods: '10' } });
      const bad = () =>
        decode('v1', 'ResourceQuota', 'core.v1.ResourceQuota', { spec: { hard: { cpu: { string: 'lots' } } } });
      expect(statusOf(bad)).toMatchObject({ code: 400, message: expect.stringMatching(/quantities must match/) });
    });

    it.each<[string, Record<string, unknown> | undefined, number | string]>([
      ['an int', { type: 0, intVal: 8080 }, 8080],
      ['a string', { type: 1, strVal: 'http' }, 'http'],
      ['an empty message', {}, 0],
      ['absent (a Go value struct)', undefined, 0],
    ])('prints an IntOrString holding %s', (_case, targetPort, want) => {
      const obj = decode('v1', 'Service', 'core.v1.Service', { spec: { ports: [{ port: 80, targetPort }] } });
      expect((obj.spec as { ports: unknown[] }).ports).toEqual([{ port: 80, targetPort: want }]);
    });

    it('rejects an IntOrString of an unknown type', () => {
      const bad = () => decode('v1', 'Service', 'core.v1.Service', { spec: { ports: [{ targetPort: { type: 2 } }] } });
      expect(statusOf(bad)).toMatchObject({ code: 400, message: 'invalid IntOrString type 2' });
    });

    it('prints Secret and ConfigMap bytes as base64 and keeps an explicit immutable: false', () => {
      const secret = decode('v1', 'Secret', 'core.v1.Secret', {
        data: { pw: Buffer.from('s3cr3t'), empty: new Uint8Array() },
        stringData: { user: 'admin' },
        type: 'Opaque',
        immutable: false,
      });
      expect(secret).toMatchObject({
        data: { pw: 'czNjcjN0', empty: '' },
        stringData: { user: 'admin' },
        immutable: false,
      });
      const cm = decode('v1', 'ConfigMap', 'core.v1.ConfigMap', { binaryData: { b: Uint8Array.of(0, 255) } });
      expect(cm).toMatchObject({ binaryData: { b: 'AP8=' } });
    });

    it('prints managedFields with fieldsV1 as embedded JSON', () => {
      const obj = decode('v1', 'ConfigMap', 'core.v1.ConfigMap', {
        metadata: {
          managedFields: [
            {
              manager: 'kubectl',
              operation: 'Update',
              time: time('2024-01-01T00:00:00Z'),
              fieldsType: 'FieldsV1',
              fieldsV1: { Raw: Buffer.from('{"f:data":{}}') },
            },
          ],
        },
      });
      expect((obj.metadata.managedFields as unknown[])[0]).toEqual({
        manager: 'kubectl',
        operation: 'Update',
        time: '2024-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': {} },
      });
    });
  });

  describe('kinds', () => {
    it('decodes an Eviction with its DeleteOptions', () => {
      expect(
        decode('policy/v1', 'Eviction', 'policy.v1.Eviction', {
          metadata: { name: 'web-1', namespace: 'shop' },
          deleteOptions: { gracePeriodSeconds: 0, dryRun: ['All'], preconditions: { uid: 'u-1' } },
        }),
      ).toEqual({
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: 'web-1', namespace: 'shop', creationTimestamp: null },
        deleteOptions: { gracePeriodSeconds: 0, dryRun: ['All'], preconditions: { uid: 'u-1' } },
      });
    });

    it('decodes DeleteOptions stamped with a resource group/version, without metadata', () => {
      const body = envelope(
        'apps/v1',
        'DeleteOptions',
        raw('k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions', { propagationPolicy: 'Foreground' }),
      );
      expect(decodeProtobufObject(body)).toEqual({
        apiVersion: 'apps/v1',
        kind: 'DeleteOptions',
        propagationPolicy: 'Foreground',
      });
    });

    it('decodes a Binding with its target', () => {
      expect(
        decode('v1', 'Binding', 'core.v1.Binding', {
          metadata: { name: 'p' },
          target: { kind: 'Node', name: 'node-1' },
        }),
      ).toEqual({
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: 'p', creationTimestamp: null },
        target: { kind: 'Node', name: 'node-1' },
      });
    });

    const catalog = RESOURCES.flatMap((r) => [
      { apiVersion: groupVersion(r), kind: r.kind },
      ...r.subresources
        .filter((s) => s.kind !== 'PodExecOptions')
        .map((s) => ({
          apiVersion: s.group !== undefined ? `${s.group}/${s.version}` : groupVersion(r),
          kind: s.kind,
        })),
    ]);
    it.each([...catalog, ...supportedKinds()])('decodes $apiVersion $kind', ({ apiVersion, kind }) => {
      // Field 1 of every top-level kind is metadata; DeleteOptions has none.
      const metadata = kind === 'DeleteOptions' ? [] : [0x0a, 0x03, 0x0a, 0x01, 0x78];
      const obj = decodeProtobufObject(envelope(apiVersion, kind, Buffer.from(metadata)));
      expect(obj).toMatchObject({ apiVersion, kind });
      if (kind !== 'DeleteOptions') expect(obj.metadata).toMatchObject({ name: 'x' });
    });
  });
});
