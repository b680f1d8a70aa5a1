/**
 * How `skube up` flags and the AWS environment choose a local cluster's store.
 */
import { describe, expect, it } from 'vitest';
import { isEmulatorEndpoint, storeFromFlags } from '../../local/store.ts';

describe('isEmulatorEndpoint', () => {
  it.each([
    ['http://127.0.0.1:8000', true],
    ['http://localstack:4566', true],
    ['https://dynamodb.eu-west-1.amazonaws.com', false],
    [undefined, false],
  ])('says %s is an emulator: %s', (endpoint, expected) => {
    expect(isEmulatorEndpoint(endpoint)).toBe(expected);
  });
});

describe('storeFromFlags', () => {
  it('keeps SQLite by default', () => {
    expect(storeFromFlags({ store: 'sqlite' }, {})).toEqual({ kind: 'sqlite' });
  });

  it('refuses DynamoDB flags without --store dynamodb', () => {
    expect(() => storeFromFlags({ store: 'sqlite', dynamodbEndpoint: 'http://127.0.0.1:8000' }, {})).toThrow(
      /need --store dynamodb/,
    );
  });

  it('refuses an endpoint that is not a URL', () => {
    expect(() => storeFromFlags({ store: 'dynamodb', dynamodbEndpoint: '127.0.0.1:8000' }, {})).toThrow(/not a URL/);
  });

  it('creates tables on an emulator and fills in a region and credentials nobody configured', () => {
    expect(storeFromFlags({ store: 'dynamodb', dynamodbEndpoint: 'http://127.0.0.1:8000' }, {})).toEqual({
      kind: 'dynamodb',
      endpoint: 'http://127.0.0.1:8000',
      region: 'us-east-1',
      credentials: { accessKeyId: 'skube', secretAccessKey: 'skube' },
      tablePrefix: 'skube',
      createTables: true,
    });
  });

  it('uses the configured AWS credentials and region, and leaves AWS tables alone unless asked', () => {
    const env = { AWS_PROFILE: 'dev', AWS_REGION: 'eu-west-1' };
    expect(storeFromFlags({ store: 'dynamodb', dynamodbTablePrefix: 'team' }, env)).toEqual({
      kind: 'dynamodb',
      endpoint: undefined,
      region: 'eu-west-1',
      credentials: undefined,
      tablePrefix: 'team',
      createTables: false,
    });
    const asked = storeFromFlags({ store: 'dynamodb', region: 'us-west-2', createTables: true }, env);
    expect(asked).toMatchObject({ region: 'us-west-2', createTables: true });
  });
});
