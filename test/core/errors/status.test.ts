import { describe, expect, it } from 'vitest';
import {
  alreadyExists,
  conflict,
  expired,
  field,
  forbidden,
  internalError,
  invalid,
  isAlreadyExists,
  isConflict,
  isExpired,
  isInvalid,
  isNotFound,
  notFound,
  StatusError,
  statusErrorFromBody,
  tooManyRequests,
} from '../../../core/errors/index.ts';

describe('StatusError constructors', () => {
  it.each([
    [notFound({ group: '', resource: 'pods' }, 'x'), 404, 'NotFound', 'pods "x" not found'],
    [notFound({ group: 'apps', resource: 'deployments' }, 'web'), 404, 'NotFound', 'deployments.apps "web" not found'],
    [
      alreadyExists({ group: 'apps', resource: 'deployments' }, 'web'),
      409,
      'AlreadyExists',
      'deployments.apps "web" already exists',
    ],
    [
      conflict({ group: 'apps', resource: 'deployments' }, 'web'),
      409,
      'Conflict',
      'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    ],
    [expired('too old resource version: 5 (100)'), 410, 'Expired', 'too old resource version: 5 (100)'],
    [
      forbidden(
        { group: '', resource: 'pods' },
        '',
        'User "u" cannot list resource "pods" in API group "" in the namespace "default"',
      ),
      403,
      'Forbidden',
      'pods is forbidden: User "u" cannot list resource "pods" in API group "" in the namespace "default"',
    ],
  ])('builds %#: code, reason and message as Kubernetes prints them', (err, code, reason, message) => {
    expect(err).toBeInstanceOf(StatusError);
    expect(err.status).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });
  });

  it('renders a single-cause Invalid without brackets and names the kind with its group', () => {
    const err = invalid({ group: 'apps', kind: 'Deployment' }, 'web', [
      field.invalid('spec.replicas', -1, 'must be greater than or equal to 0'),
    ]);
    expect(err.code).toBe(422);
    expect(err.status.message).toBe(
      'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    );
    expect(err.status.details).toEqual({
      name: 'web',
      group: 'apps',
      kind: 'Deployment',
      causes: [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: -1: must be greater than or equal to 0',
          field: 'spec.replicas',
        },
      ],
    });
  });

  it('renders several causes in brackets, one per field, and quotes string values', () => {
    const err = invalid({ group: '', kind: 'Pod' }, 'p', [
      field.required('spec.containers[0].image'),
      field.invalid('metadata.name', 'Bad_Name', 'a lowercase RFC 1123 subdomain'),
    ]);
    expect(err.status.message).toBe(
      'Pod "p" is invalid: [spec.containers[0].image: Required value, metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain]',
    );
    expect(err.status.details?.causes?.map((c) => c.reason)).toEqual(['FieldValueRequired', 'FieldValueInvalid']);
  });

  it('never carries a stack or internals in an internal error', () => {
    const err = internalError('store unavailable');
    expect(err.status.message).toBe('Internal error occurred: store unavailable');
    expect(JSON.stringify(err.status)).not.toContain('at ');
  });

  it('carries Retry-After seconds for 429', () => {
    expect(tooManyRequests('slow down', 3).status.details?.retryAfterSeconds).toBe(3);
  });
});

describe('StatusError predicates', () => {
  it('tell reasons apart and reject non-Status errors', () => {
    const nf = notFound({ group: '', resource: 'pods' }, 'x');
    expect(isNotFound(nf)).toBe(true);
    expect(isConflict(nf)).toBe(false);
    expect(isAlreadyExists(alreadyExists({ group: '', resource: 'pods' }, 'x'))).toBe(true);
    expect(isInvalid(invalid({ group: '', kind: 'Pod' }, 'x', [field.required('a')]))).toBe(true);
    expect(isExpired(expired('gone'))).toBe(true);
    expect(isNotFound(new Error('pods "x" not found'))).toBe(false);
  });
});

describe('statusErrorFromBody', () => {
  it('rebuilds a StatusError from a Status body', () => {
    const err = statusErrorFromBody(404, notFound({ group: '', resource: 'pods' }, 'x').status);
    expect(isNotFound(err)).toBe(true);
    expect(err.message).toBe('pods "x" not found');
  });
  it('falls back to a generic error for a non-Status body', () => {
    const err = statusErrorFromBody(502, '<html>bad gateway</html>');
    expect(err.code).toBe(502);
    expect(err.reason).toBe('');
  });
});
