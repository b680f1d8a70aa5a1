import { describe, expect, it } from 'vitest';
import { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from '../../../../core/api/patch/json-patch.ts';
import { StatusError } from '../../../../core/errors/index.ts';

const deployment = () => ({
  metadata: { name: 'd', annotations: { 'deployment.kubernetes.io/revision': '2' } },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'app', image: 'nginx:2' }] } } },
});

function errorOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  throw new Error('expected a StatusError');
}

describe('applyJsonPatch', () => {
  it.each([
    { op: 'add', path: '/metadata/labels', value: { a: 'b' }, at: ['metadata', 'labels'], want: { a: 'b' } },
    { op: 'replace', path: '/spec/replicas', value: 5, at: ['spec', 'replicas'], want: 5 },
    { op: 'remove', path: '/metadata/annotations', at: ['metadata', 'annotations'], want: undefined },
    {
      op: 'add',
      path: '/spec/template/spec/containers/-',
      value: { name: 'b' },
      at: ['spec', 'template', 'spec', 'containers', '1'],
      want: { name: 'b' },
    },
    { op: 'copy', from: '/spec/replicas', path: '/spec/minReadySeconds', at: ['spec', 'minReadySeconds'], want: 2 },
    { op: 'move', from: '/spec/replicas', path: '/spec/paused', at: ['spec', 'replicas'], want: undefined },
  ])('applies $op $path', ({ at, want, ...op }) => {
    let node: any = applyJsonPatch(deployment(), [op]);
    for (const key of at) node = node?.[key];
    expect(node).toEqual(want);
  });

  it('applies the operations kubectl rollout undo sends', () => {
    const template = { spec: { containers: [{ name: 'app', image: 'nginx:1' }] } };
    const annotations = { 'deployment.kubernetes.io/revision': '1' };
    const out = applyJsonPatch(deployment(), [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ]);
    expect(out).toEqual({ metadata: { name: 'd', annotations }, spec: { replicas: 2, template } });
  });

  it('passes a successful test operation', () => {
    const ops = [
      { op: 'test', path: '/spec/replicas', value: 2 },
      { op: 'replace', path: '/spec/replicas', value: 3 },
    ];
    expect(applyJsonPatch(deployment(), ops).spec.replicas).toBe(3);
  });

  it.each([
    {
      why: 'replace targets a missing path',
      ops: [{ op: 'replace', path: '/spec/paused', value: true }],
      msg: /operation 0 \(replace "\/spec\/paused"\) failed: the path does not exist/,
    },
    {
      why: 'remove targets a missing path',
      ops: [{ op: 'remove', path: '/metadata/labels' }],
      msg: /the path does not exist/,
    },
    {
      why: 'add has no parent',
      ops: [{ op: 'add', path: '/status/conditions/0', value: {} }],
      msg: /the parent of the path does not exist/,
    },
    {
      why: 'a test fails',
      ops: [
        { op: 'add', path: '/spec/paused', value: true },
        { op: 'test', path: '/spec/replicas', value: 9 },
      ],
      msg: /operation 1 \(test "\/spec\/replicas"\) failed: the test failed/,
    },
    { why: 'the op is unknown', ops: [{ op: 'frobnicate', path: '/spec' }], msg: /op must be one of/ },
    {
      why: 'the path is not a pointer',
      ops: [{ op: 'add', path: 'spec', value: 1 }],
      msg: /path must be a JSON pointer/,
    },
    { why: 'the value is missing', ops: [{ op: 'replace', path: '/spec/replicas' }], msg: /value is required/ },
    { why: 'an operation is not an object', ops: ['add'], msg: /the operation is not an object/ },
    { why: 'the patch is not a list', ops: { op: 'add' }, msg: /must be a list of operations/ },
    {
      why: 'the path goes through __proto__',
      ops: [{ op: 'add', path: '/__proto__/x', value: 1 }],
      msg: /invalid JSON patch/,
    },
  ])('throws 400 when $why', ({ ops, msg }) => {
    const err = errorOf(() => applyJsonPatch(deployment(), ops));
    expect(err.code).toBe(400);
    expect(err.reason).toBe('BadRequest');
    expect(err.message).toMatch(msg);
  });

  it('throws 413 past the operation limit', () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({
      op: 'test',
      path: '/spec/replicas',
      value: 2,
    }));
    expect(errorOf(() => applyJsonPatch(deployment(), ops)).code).toBe(413);
  });

  it('modifies neither the document nor the operations, even when a later operation fails', () => {
    const doc = deployment();
    const value = { a: 'b' };
    const ops = [
      { op: 'add', path: '/metadata/labels', value },
      { op: 'replace', path: '/nope', value: 1 },
    ];
    errorOf(() => applyJsonPatch(doc, ops));
    expect(doc).toEqual(deployment());
    const out = applyJsonPatch(doc, [ops[0]]) as any;
    out.metadata.labels.c = 'd';
    expect(value).toEqual({ a: 'b' });
    expect(doc).toEqual(deployment());
  });
});
