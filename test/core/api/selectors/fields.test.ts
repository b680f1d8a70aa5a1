import { describe, expect, it } from 'vitest';
import {
  compileFieldSelector,
  escapeFieldValue,
  parseFieldSelector,
  requiresExactMatch,
  selectableFields,
} from '../../../../core/api/selectors/fields.ts';
import { StatusError } from '../../../../core/errors/index.ts';

const POD = { group: '', kind: 'Pod' };
const EVENT = { group: '', kind: 'Event' };
const NODE = { group: '', kind: 'Node' };

function errorOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  throw new Error('expected a StatusError');
}

const pod = {
  metadata: { name: 'web-1', namespace: 'default' },
  spec: { nodeName: 'node-a', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'sa' },
  status: { phase: 'Running', podIPs: [{ ip: '10.0.0.5' }], podIP: '10.0.0.5' },
};
const pending = { metadata: { name: 'web-2', namespace: 'default' }, spec: {}, status: { phase: 'Pending' } };

describe('parseFieldSelector', () => {
  it.each([
    { selector: '', want: [] },
    { selector: 'a=b', want: [{ field: 'a', operator: '=', value: 'b' }] },
    { selector: 'a==b', want: [{ field: 'a', operator: '==', value: 'b' }] },
    { selector: 'a!=b', want: [{ field: 'a', operator: '!=', value: 'b' }] },
    { selector: 'a=', want: [{ field: 'a', operator: '=', value: '' }] },
    {
      selector: 'b=2,a=1,',
      want: [
        { field: 'a', operator: '=', value: '1' },
        { field: 'b', operator: '=', value: '2' },
      ],
    },
    { selector: String.raw`a=x\,y\=z\\w`, want: [{ field: 'a', operator: '=', value: String.raw`x,y=z\w` }] },
  ])('parses $selector', ({ selector, want }) => {
    expect(parseFieldSelector(selector)).toEqual(want);
  });

  it.each([
    { selector: 'a', message: "invalid selector: 'a'; can't understand 'a'" },
    { selector: 'x=1,ab', message: "invalid selector: 'x=1,ab'; can't understand 'ab'" },
    { selector: 'a=b=c', message: 'invalid field selector: unescaped character in value: 61' },
    { selector: String.raw`a=b\n`, message: String.raw`invalid field selector: invalid escape sequence: \n` },
    { selector: 'a=b\\', message: 'invalid field selector: invalid escape sequence: \\' },
  ])('rejects $selector with 400', ({ selector, message }) => {
    const err = errorOf(() => parseFieldSelector(selector));
    expect(err.code).toBe(400);
    expect(err.message).toBe(message);
  });

  it('round-trips escaped values', () => {
    const value = String.raw`a,b=c\d`;
    expect(parseFieldSelector(`f=${escapeFieldValue(value)}`)[0].value).toBe(value);
  });
});

describe('compileFieldSelector', () => {
  it.each([
    { selector: 'metadata.name=web-1', obj: pod, want: true },
    { selector: 'metadata.name=web-2', obj: pod, want: false },
    { selector: 'metadata.namespace=default,metadata.name!=web-2', obj: pod, want: true },
    { selector: 'spec.nodeName=node-a', obj: pod, want: true },
    { selector: 'spec.nodeName=', obj: pending, want: true },
    { selector: 'spec.host=node-a', obj: pod, want: true },
    { selector: 'status.phase!=Succeeded,status.phase!=Failed', obj: pod, want: true },
    { selector: 'spec.nodeName=node-a,status.phase!=Running', obj: pod, want: false },
    { selector: 'spec.hostNetwork=false', obj: pod, want: true },
    { selector: 'spec.restartPolicy=Always,spec.schedulerName=default-scheduler', obj: pod, want: true },
    { selector: 'spec.serviceAccountName=sa', obj: pod, want: true },
    { selector: 'status.podIP=10.0.0.5', obj: pod, want: true },
    { selector: 'status.nominatedNodeName=', obj: pod, want: true },
  ])('matches pods with $selector: $want', ({ selector, obj, want }) => {
    expect(compileFieldSelector(POD, selector)(obj)).toBe(want);
  });

  it('selects the events kubectl describe asks for', () => {
    const event = {
      metadata: { name: 'e1', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u-1', apiVersion: 'v1' },
      reason: 'Scheduled',
      type: 'Normal',
      reportingComponent: 'default-scheduler',
    };
    const select = compileFieldSelector(
      EVENT,
      'involvedObject.name=web-1,involvedObject.namespace=default,involvedObject.uid=u-1,involvedObject.kind=Pod',
    );
    expect(select(event)).toBe(true);
    expect(select({ ...event, involvedObject: { ...event.involvedObject, uid: 'u-2' } })).toBe(false);
    expect(compileFieldSelector(EVENT, 'source=default-scheduler,type=Normal,reason=Scheduled')(event)).toBe(true);
    expect(compileFieldSelector(EVENT, 'involvedObject.fieldPath=')(event)).toBe(true);
  });

  it.each([
    {
      kind: NODE,
      selector: 'spec.unschedulable=true',
      obj: { metadata: { name: 'n' }, spec: { unschedulable: true } },
      want: true,
    },
    { kind: NODE, selector: 'spec.unschedulable=false', obj: { metadata: { name: 'n' }, spec: {} }, want: true },
    {
      kind: { group: '', kind: 'Namespace' },
      selector: 'status.phase=Active',
      obj: { metadata: { name: 'ns' }, status: { phase: 'Active' } },
      want: true,
    },
    {
      kind: { group: '', kind: 'Secret' },
      selector: 'type=kubernetes.io/tls',
      obj: { metadata: { name: 's' }, type: 'kubernetes.io/tls' },
      want: true,
    },
    {
      kind: { group: 'apps', kind: 'ReplicaSet' },
      selector: 'status.replicas=0',
      obj: { metadata: { name: 'rs' }, status: {} },
      want: true,
    },
    {
      kind: { group: '', kind: 'ReplicationController' },
      selector: 'status.replicas=2',
      obj: { metadata: { name: 'rc' }, status: { replicas: 2 } },
      want: true,
    },
    {
      kind: { group: '', kind: 'Service' },
      selector: 'spec.type=ClusterIP',
      obj: { metadata: { name: 's' }, spec: { type: 'NodePort' } },
      want: false,
    },
    {
      kind: { group: 'apps', kind: 'Deployment' },
      selector: 'metadata.namespace=prod',
      obj: { metadata: { name: 'd', namespace: 'prod' } },
      want: true,
    },
  ])('matches $kind.kind with $selector: $want', ({ kind, selector, obj, want }) => {
    expect(compileFieldSelector(kind, selector)(obj)).toBe(want);
  });

  it.each([
    { kind: POD, selector: 'spec.foo=x', message: 'field label not supported: spec.foo' },
    { kind: NODE, selector: 'metadata.namespace=x', message: 'field label not supported: metadata.namespace' },
    { kind: EVENT, selector: 'involvedObject.name=a,message=x', message: 'field label not supported: message' },
    {
      kind: { group: '', kind: 'ConfigMap' },
      selector: 'data.x=y',
      message: '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
    },
  ])('rejects $selector on $kind.kind with 400', ({ kind, selector, message }) => {
    const err = errorOf(() => compileFieldSelector(kind, selector));
    expect(err.code).toBe(400);
    expect(err.message).toBe(message);
  });

  it('exposes its terms, with aliases resolved, and the exactly matched name', () => {
    const select = compileFieldSelector(POD, 'spec.host=n,metadata.name=web-1');
    expect(select.requirements.map((r) => r.field)).toEqual(['metadata.name', 'spec.nodeName']);
    expect(requiresExactMatch(select.requirements, 'metadata.name')).toBe('web-1');
    expect(
      requiresExactMatch(compileFieldSelector(POD, 'metadata.name!=x').requirements, 'metadata.name'),
    ).toBeUndefined();
  });

  it('lists the selectable fields of a kind', () => {
    expect(selectableFields(NODE)).toEqual(['metadata.name', 'spec.unschedulable']);
    expect(selectableFields({ group: '', kind: 'ConfigMap' })).toEqual(['metadata.name', 'metadata.namespace']);
  });
});
