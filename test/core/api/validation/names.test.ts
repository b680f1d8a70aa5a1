import { describe, expect, it } from 'vitest';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidLabelValue,
  isValidPortName,
  nameIsDNSSubdomain,
} from '../../../../core/api/validation/names.ts';

describe('names', () => {
  it('words DNS-1123 subdomain errors as Kubernetes does', () => {
    expect(isDNS1123Subdomain('Bad_Name')).toEqual([
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
  });

  it('words DNS-1123 label errors with two example names', () => {
    expect(isDNS1123Label('-x')).toEqual([
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
    expect(isDNS1123Label('a.b')).toEqual(['must not contain dots']);
  });

  it('requires DNS-1035 labels to start with a letter', () => {
    expect(isDNS1035Label('1web')).toHaveLength(1);
    expect(isDNS1035Label('web-1')).toEqual([]);
  });

  it.each([
    ['a'.repeat(63), []],
    ['a'.repeat(64), ['must be no more than 63 characters']],
  ])('limits DNS-1123 labels to 63 bytes (%#)', (value, errors) => {
    expect(isDNS1123Label(value)).toEqual(errors);
  });

  it('limits DNS-1123 subdomains to 253 bytes', () => {
    expect(isDNS1123Subdomain('a'.repeat(253))).toEqual([]);
    expect(isDNS1123Subdomain('a'.repeat(254))).toEqual(['must be no more than 253 characters']);
  });

  it('lets generateName end with a dash', () => {
    expect(nameIsDNSSubdomain('web-', true)).toEqual([]);
    expect(nameIsDNSSubdomain('web-', false)).toHaveLength(1);
  });

  it.each([
    ['app', 0],
    ['example.com/app', 0],
    ['Example.com/app', 1],
    ['/app', 1],
    ['a/b/c', 1],
    ['bad key', 1],
  ])('checks qualified name %j', (value, count) => {
    expect(isQualifiedName(value)).toHaveLength(count);
  });

  it('accepts empty label values and rejects bad ones', () => {
    expect(isValidLabelValue('')).toEqual([]);
    expect(isValidLabelValue('-x')).toHaveLength(1);
  });

  it.each([
    ['http', []],
    ['h2c-port', []],
    ['toolongportname1', ['must be no more than 15 characters']],
    [
      'HTTP',
      [
        'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'must contain at least one letter (a-z)',
      ],
    ],
    ['8080', ['must contain at least one letter (a-z)']],
    ['a--b', ['must not contain consecutive hyphens']],
    ['-ab', ['must not begin or end with a hyphen']],
  ])('checks IANA service name %j', (value, errors) => {
    expect(isValidPortName(value)).toEqual(errors);
  });

  it('checks config keys and relaxed env names', () => {
    expect(isConfigMapKey('app.properties')).toEqual([]);
    expect(isConfigMapKey('..x')).toEqual(["must not start with '..'"]);
    expect(isRelaxedEnvVarName('1-weird.NAME')).toEqual([]);
    expect(isRelaxedEnvVarName('A=B')).toHaveLength(1);
  });
});
