import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChunkQueue } from '../../../core/apiserver/chunk-queue.ts';
import type { ApiResponse } from '../../../core/apiserver/types.ts';
import {
  longPollBudgetMs,
  RESPONSE_RESERVE_MS,
  toApiRequest,
  toProxyResult,
} from '../../../functions/lib/api-gateway.ts';
import { apiGatewayEvent } from '../support/lambda-events.ts';

const WATCH = { capSeconds: 25, batchWindowMs: 1000 };
const STREAM = { watch: WATCH, remainingMs: 30_000 };

describe('toApiRequest', () => {
  it('takes method, path, repeated query parameters and lower-cased headers from a proxy event', () => {
    const event = apiGatewayEvent({
      method: 'GET',
      url: '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb&limit=500&watch=true&x=1&x=2',
      headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io, application/json', 'X-Multi': ['a', 'b'] },
    });
    const req = toApiRequest(event);
    expect(req.method).toBe('GET');
    expect(req.path).toBe('/api/v1/namespaces/default/pods');
    expect(req.query.get('labelSelector')).toBe('app=web');
    expect(req.query.getAll('x')).toEqual(['1', '2']);
    expect(req.headers.accept).toBe('application/json;as=Table;v=v1;g=meta.k8s.io, application/json');
    expect(req.headers['x-multi']).toBe('a, b');
    expect(req.headers['user-agent']).toMatch(/^kubectl\//);
    expect(req.body).toBeUndefined();
  });

  it('falls back to the single-value maps when the multi-value ones are absent', () => {
    const event = {
      ...apiGatewayEvent({ method: 'get', url: '/api?pretty=true', headers: { Authorization: 'Bearer t' } }),
      multiValueHeaders: {},
      multiValueQueryStringParameters: null,
    };
    const req = toApiRequest(event);
    expect(req.method).toBe('GET');
    expect(req.query.get('pretty')).toBe('true');
    expect(req.headers.authorization).toBe('Bearer t');
  });

  it.each<[string, string | Uint8Array, Uint8Array]>([
    [
      'a text body as UTF-8',
      '{"kind":"Pod","metadata":{"name":"é"}}',
      Buffer.from('{"kind":"Pod","metadata":{"name":"é"}}'),
    ],
    [
      'a base64 body as its bytes',
      Uint8Array.of(0x6b, 0x38, 0x73, 0x00, 0xff),
      Uint8Array.of(0x6b, 0x38, 0x73, 0x00, 0xff),
    ],
  ])('decodes %s', (_case, body, bytes) => {
    const req = toApiRequest(apiGatewayEvent({ method: 'POST', url: '/api/v1/pods', body }));
    expect(new Uint8Array(req.body ?? [])).toEqual(new Uint8Array(bytes));
  });

  it('treats an empty body as no body and passes the abort signal on', () => {
    const abort = new AbortController();
    const req = toApiRequest(
      apiGatewayEvent({ method: 'DELETE', url: '/api/v1/namespaces/x', body: '' }),
      abort.signal,
    );
    expect(req.body).toBeUndefined();
    expect(req.signal).toBe(abort.signal);
  });
});

describe('longPollBudgetMs', () => {
  it.each<[string, string, number, number]>([
    ['no timeoutSeconds', '', 30_000, 25_000],
    ['a shorter timeoutSeconds', 'timeoutSeconds=3', 30_000, 3_000],
    ['a longer timeoutSeconds', 'timeoutSeconds=300', 30_000, 25_000],
    ['a zero timeoutSeconds', 'timeoutSeconds=0', 30_000, 0],
    ['a malformed timeoutSeconds', 'timeoutSeconds=-4', 30_000, 25_000],
    ['little invocation time left', '', 10_000, 10_000 - RESPONSE_RESERVE_MS],
    ['no invocation time left', '', 500, 0],
  ])('is bounded correctly with %s', (_case, query, remaining, expected) => {
    expect(longPollBudgetMs(new URLSearchParams(query), WATCH, remaining)).toBe(expected);
  });
});

describe('toProxyResult', () => {
  afterEach(() => vi.useRealTimers());
  const get = (url = '/api/v1/pods') => toApiRequest(apiGatewayEvent({ method: 'GET', url }));

  it('passes a JSON body, status and headers through as text', async () => {
    const res: ApiResponse = {
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: '{"kind":"Status"}',
    };
    const { result, longPoll } = await toProxyResult(get(), res, STREAM);
    expect(result).toEqual({
      statusCode: 404,
      headers: { 'content-type': 'application/json' },
      body: '{"kind":"Status"}',
      isBase64Encoded: false,
    });
    expect(longPoll).toBeUndefined();
  });

  it('sends a byte body base64-encoded', async () => {
    const bytes = Uint8Array.of(0, 1, 2, 250, 255);
    const res: ApiResponse = { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: bytes };
    const { result } = await toProxyResult(get(), res, STREAM);
    expect(result.isBase64Encoded).toBe(true);
    expect(new Uint8Array(Buffer.from(result.body, 'base64'))).toEqual(bytes);
  });

  it('sends no body for HEAD', async () => {
    const req = toApiRequest(apiGatewayEvent({ method: 'HEAD', url: '/healthz' }));
    const { result } = await toProxyResult(req, { status: 200, headers: {}, body: 'ok' }, STREAM);
    expect(result.body).toBe('');
  });

  it('puts header values given as lists into multiValueHeaders', async () => {
    const headers = { 'content-type': 'application/json', warning: ['299 - "a"', '299 - "b"'] } as never;
    const { result } = await toProxyResult(get(), { status: 200, headers, body: '{}' }, STREAM);
    expect(result.headers).toEqual({ 'content-type': 'application/json' });
    expect(result.multiValueHeaders).toEqual({ warning: ['299 - "a"', '299 - "b"'] });
  });

  it('answers a watch stream with the event lines collected within timeoutSeconds and stops the watch', async () => {
    vi.useFakeTimers();
    const queue = new ChunkQueue();
    const stopped = vi.fn();
    queue.onEnd(stopped);
    const res: ApiResponse = { status: 200, headers: { 'content-type': 'application/json' }, stream: queue };
    const pending = toProxyResult(get('/api/v1/pods?watch=true&timeoutSeconds=5'), res, STREAM);
    await vi.advanceTimersByTimeAsync(4_000);
    queue.push('{"type":"ADDED","object":{"kind":"Pod"}}\n');
    await vi.advanceTimersByTimeAsync(1_000);
    const { result, longPoll } = await pending;
    expect(result).toMatchObject({ statusCode: 200, body: '{"type":"ADDED","object":{"kind":"Pod"}}\n' });
    expect(longPoll).toEqual({ end: 'budget', events: 1 });
    expect(stopped).toHaveBeenCalledOnce();
  });
});
