import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { describe, expect, it } from 'vitest';
import {
  EVERYTHING,
  type Labels,
  labelSelectorFromLabelSelector,
  labelSelectorFromSet,
  NOTHING,
  parseLabelSelector,
  selectorToString,
} from '../../../../core/api/selectors/labels.ts';
import { StatusError } from '../../../../core/errors/index.ts';

function errorOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  throw new Error('expected a StatusError');
}

const web = { app: 'web', tier: 'front', replicas: '3' };

describe('parseLabelSelector', () => {
  it.each<{ selector: string; labels: Labels; want: boolean }>([
    { selector: '', labels: web, want: true },
    { selector: 'app=web', labels: web, want: true },
    { selector: 'app==web', labels: web, want: true },
    { selector: 'app=db', labels: web, want: false },
    { selector: 'app!=db', labels: web, want: true },
    { selector: 'app!=web', labels: web, want: false },
    { selector: 'missing!=x', labels: web, want: true },
    { selector: 'app in (db,web)', labels: web, want: true },
    { selector: 'app in (db)', labels: web, want: false },
    { selector: 'missing in (x)', labels: web, want: false },
    { selector: 'app notin (db)', labels: web, want: true },
    { selector: 'app notin (web)', labels: web, want: false },
    { selector: 'missing notin (x)', labels: web, want: true },
    { selector: 'app', labels: web, want: true },
    { selector: 'missing', labels: web, want: false },
    { selector: '!missing', labels: web, want: true },
    { selector: '!app', labels: web, want: false },
    { selector: 'replicas>2', labels: web, want: true },
    { selector: 'replicas>3', labels: web, want: false },
    { selector: 'replicas<4', labels: web, want: true },
    { selector: 'app>1', labels: web, want: false },
    { selector: 'missing<1', labels: web, want: false },
    { selector: 'app=web,tier=front', labels: web, want: true },
    { selector: 'app=web,tier=back', labels: web, want: false },
    { selector: '  app = web ,  tier in ( front , back )  ', labels: web, want: true },
    { selector: 'env=', labels: { env: '' }, want: true },
    { selector: 'env in (,x)', labels: { env: '' }, want: true },
    { selector: 'x in (in,notin)', labels: { x: 'notin' }, want: true },
    { selector: 'example.com/role=api', labels: { 'example.com/role': 'api' }, want: true },
    { selector: 'app=web', labels: undefined, want: false },
    { selector: '!app', labels: null, want: true },
  ])('matching $selector against $labels is $want', ({ selector, labels, want }) => {
    expect(parseLabelSelector(selector).matches(labels)).toBe(want);
  });

  it.each([
    { selector: 'app=web,', message: "found '', expected: identifier after ','" },
    { selector: ',app', message: "found ',', expected: !, identifier, or 'end of string'" },
    {
      selector: 'app web',
      message: "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt",
    },
    { selector: 'app=web web', message: "found 'web', expected: ',' or 'end of string'" },
    { selector: 'app in web', message: "unable to parse requirement: found 'web' expected: '('" },
    { selector: 'app in (a b)', message: "unable to parse requirement: found 'b', expected: ',' or ')'" },
    { selector: 'app in (=)', message: "unable to parse requirement: found '=', expected: ',', ')' or identifier" },
    { selector: 'app=(x)', message: "unable to parse requirement: found '(', expected: identifier" },
    { selector: '!a b', message: "found 'b', expected: ',' or 'end of string'" },
    { selector: 'app==!', message: "unable to parse requirement: found '!', expected: identifier" },
    { selector: '!', message: "unable to parse requirement: found '', expected: identifier" },
    {
      selector: 'app>x',
      message: `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`,
    },
    {
      selector: '-app=x',
      message:
        "unable to parse requirement: <nil>: Invalid value: \"-app\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    },
    {
      selector: 'app=-web',
      message: 'unable to parse requirement: values[0][app]: Invalid value: "-web": a valid label must be',
    },
  ])('rejects $selector with 400', ({ selector, message }) => {
    const err = errorOf(() => parseLabelSelector(selector));
    expect(err.code).toBe(400);
    expect(err.message.startsWith(message)).toBe(true);
  });

  it.each([
    ['tier=front,app=web', 'app=web,tier=front'],
    ['app in (web,db,db)', 'app in (db,web)'],
    ['!canary, app notin (x)', 'app notin (x),!canary'],
    ['replicas>2,replicas<9', 'replicas>2,replicas<9'],
    ['app==web,env', 'app==web,env'],
  ])('prints %s as %s, which parses back to the same selector', (selector, printed) => {
    const parsed = parseLabelSelector(selector);
    expect(selectorToString(parsed)).toBe(printed);
    expect(parseLabelSelector(printed).requirements).toEqual(parsed.requirements);
  });
});

describe('labelSelectorFromLabelSelector', () => {
  it('matches nothing for an absent selector and everything for an empty one', () => {
    expect(labelSelectorFromLabelSelector(undefined)).toBe(NOTHING);
    expect(NOTHING.matches({})).toBe(false);
    expect(labelSelectorFromLabelSelector({})).toBe(EVERYTHING);
    expect(EVERYTHING.matches({})).toBe(true);
  });

  it.each<{ sel: LabelSelector; want: boolean }>([
    { sel: { matchLabels: { app: 'web' } }, want: true },
    { sel: { matchLabels: { app: 'web', tier: 'back' } }, want: false },
    { sel: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'x'] }] }, want: true },
    { sel: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, want: false },
    { sel: { matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] }, want: true },
    { sel: { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, want: true },
    {
      sel: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'canary', operator: 'Exists' }] },
      want: false,
    },
  ])('matches $sel against web labels: $want', ({ sel, want }) => {
    expect(labelSelectorFromLabelSelector(sel).matches(web)).toBe(want);
  });

  it('prints like kubectl shows a deployment selector', () => {
    const sel = labelSelectorFromLabelSelector({
      matchLabels: { tier: 'front', app: 'web' },
      matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['test', 'dev'] }],
    });
    expect(selectorToString(sel)).toBe('app=web,env notin (dev,test),tier=front');
  });

  it.each<{ sel: LabelSelector; message: string }>([
    {
      sel: { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] },
      message: '"Equals" is not a valid label selector operator',
    },
    {
      sel: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
      message: "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
    },
    {
      sel: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      message: 'values: Invalid value: ["x"]: values set must be empty for exists and does not exist',
    },
    {
      sel: { matchLabels: { 'a/b/c': 'x' } },
      message: 'key: Invalid value: "a/b/c": a qualified name must consist of',
    },
    {
      sel: { matchLabels: { app: 'x y' } },
      message: 'values[0][app]: Invalid value: "x y": a valid label must be an empty string',
    },
  ])('rejects an invalid selector with 400: $message', ({ sel, message }) => {
    const err = errorOf(() => labelSelectorFromLabelSelector(sel));
    expect(err.code).toBe(400);
    expect(err.message.startsWith(message)).toBe(true);
  });
});

describe('labelSelectorFromSet', () => {
  it('selects objects carrying every label of the set', () => {
    const sel = labelSelectorFromSet({ app: 'web', tier: 'front' });
    expect(sel.matches(web)).toBe(true);
    expect(sel.matches({ app: 'web' })).toBe(false);
    expect(selectorToString(sel)).toBe('app=web,tier=front');
    expect(labelSelectorFromSet(undefined).matches({})).toBe(true);
  });
});
