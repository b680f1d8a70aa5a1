import { describe, expect, it } from 'vitest';
import { ConfigError, loadApiserverConfig, loadControllerConfig } from '../../../functions/lib/config.ts';

const HASH = 'a'.repeat(64);
const BASE = { AWS_REGION: 'eu-west-1', SKUBE_TABLE_PREFIX: 'skube-prod' };
const API = { ...BASE, SKUBE_ADMIN_TOKEN_SHA256: HASH };
const CONTROLLER = { ...BASE, SKUBE_WORK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/skube-work' };

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadApiserverConfig', () => {
  it('applies the defaults when only the required variables are set', () => {
    expect(loadApiserverConfig(API)).toEqual({
      region: 'eu-west-1',
      tablePrefix: 'skube-prod',
      dynamodbEndpoint: undefined,
      sqsEndpoint: undefined,
      serviceCidr: '10.96.0.0/12',
      nodePortRange: { min: 30000, max: 32767 },
      metricsNamespace: 'skube',
      adminTokenHashes: [HASH],
      serverAddress: 'kubernetes.default.svc:443',
      watch: { capSeconds: 25, batchWindowMs: 1000 },
    });
  });

  it('reads endpoints, ranges, several token hashes and the watch settings', () => {
    const config = loadApiserverConfig({
      ...API,
      SKUBE_ADMIN_TOKEN_SHA256: ` ${HASH}, ${'B'.repeat(64)} `,
      SKUBE_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      SKUBE_SQS_ENDPOINT: '',
      SKUBE_SERVICE_CIDR: '10.0.0.0/24',
      SKUBE_NODE_PORT_RANGE: '31000-31010',
      SKUBE_WATCH_CAP_SECONDS: '10',
      SKUBE_WATCH_BATCH_WINDOW_MS: '0',
    });
    expect(config).toMatchObject({
      adminTokenHashes: [HASH, 'b'.repeat(64)],
      dynamodbEndpoint: 'http://127.0.0.1:8000',
      sqsEndpoint: undefined,
      serviceCidr: '10.0.0.0/24',
      nodePortRange: { min: 31000, max: 31010 },
      watch: { capSeconds: 10, batchWindowMs: 0 },
    });
  });

  it.each<[string, Record<string, string | undefined>, RegExp]>([
    ['the table prefix is missing', { ...API, SKUBE_TABLE_PREFIX: undefined }, /SKUBE_TABLE_PREFIX/],
    ['the region is missing', { ...API, AWS_REGION: '' }, /AWS_REGION: required/],
    ['no admin token hash is set', { ...API, SKUBE_ADMIN_TOKEN_SHA256: undefined }, /SKUBE_ADMIN_TOKEN_SHA256/],
    ['a token hash is not SHA-256 hex', { ...API, SKUBE_ADMIN_TOKEN_SHA256: `${HASH},secret` }, /SHA-256/],
    ['the endpoint is not a URL', { ...API, SKUBE_DYNAMODB_ENDPOINT: 'localhost' }, /SKUBE_DYNAMODB_ENDPOINT/],
    [
      'the service CIDR is malformed',
      { ...API, SKUBE_SERVICE_CIDR: '10.96.0.0' },
      /SKUBE_SERVICE_CIDR: must be an IPv4 CIDR/,
    ],
    ['the NodePort range is reversed', { ...API, SKUBE_NODE_PORT_RANGE: '32000-31000' }, /SKUBE_NODE_PORT_RANGE/],
    ['the watch cap is not a number', { ...API, SKUBE_WATCH_CAP_SECONDS: 'soon' }, /SKUBE_WATCH_CAP_SECONDS/],
    ['the watch cap is zero', { ...API, SKUBE_WATCH_CAP_SECONDS: '0' }, /SKUBE_WATCH_CAP_SECONDS/],
  ])('fails with a message naming the variable when %s', (_case, env, message) => {
    expect(problem(() => loadApiserverConfig(env))).toMatch(message);
  });

  it('names every bad variable in one message', () => {
    const message = problem(() => loadApiserverConfig({ SKUBE_SERVICE_CIDR: 'nope' }));
    expect(message).toMatch(/^invalid apiserver configuration: /);
    for (const v of ['AWS_REGION', 'SKUBE_TABLE_PREFIX', 'SKUBE_ADMIN_TOKEN_SHA256', 'SKUBE_SERVICE_CIDR'])
      expect(message).toContain(v);
  });
});

describe('loadControllerConfig', () => {
  it('reads the work queue URL and needs no admin token', () => {
    expect(loadControllerConfig(CONTROLLER)).toMatchObject({
      tablePrefix: 'skube-prod',
      workQueueUrl: CONTROLLER.SKUBE_WORK_QUEUE_URL,
    });
  });

  it('fails naming the work queue when it is missing', () => {
    expect(problem(() => loadControllerConfig(BASE))).toMatch(/invalid controller configuration: SKUBE_WORK_QUEUE_URL/);
  });
});
