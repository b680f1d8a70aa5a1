/**
 * The API Gateway adapter: a REST API (v1) Lambda proxy event becomes the
 * transport-neutral `ApiRequest`, and an `ApiResponse` becomes the proxy
 * result. Pure apart from the clock of the long-poll.
 *
 * Bodies: API Gateway hands binary bodies (protobuf from typed clients) to the
 * function base64-encoded when the API lists their media type in
 * `binaryMediaTypes`, and decodes a base64 result only when the request's
 * Accept matches that list; the stack therefore lists the wildcard media type
 * (every type) and any body may arrive either way.
 *
 * Streams: a buffered integration cannot stream, so a watch is answered as a
 * bounded long-poll (`long-poll.ts`) within the client's `timeoutSeconds`, the
 * configured cap and the invocation's remaining time.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ApiRequest, ApiResponse } from '../../core/apiserver/types.ts';
import type { WatchPollConfig } from './config.ts';
import { collectStream, DEFAULT_MAX_POLL_BYTES, type LongPollEnd } from './long-poll.ts';

/** Time kept back from the invocation's remaining time to build and return the response, ms. */
export const RESPONSE_RESERVE_MS = 1500;

/**
 * Translates a REST proxy event into an `ApiRequest`. Repeated headers and
 * query parameters are taken from the multi-value maps (headers joined with
 * ", " as HTTP allows; header names lower-cased); a base64 body is decoded to
 * bytes; an empty body is no body. `signal` ends a watch the request opens.
 */
export function toApiRequest(event: APIGatewayProxyEvent, signal?: AbortSignal): ApiRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) {
    if (values && values.length > 0) headers[name.toLowerCase()] = values.join(', ');
  }
  const query = new URLSearchParams();
  const multi = event.multiValueQueryStringParameters;
  if (multi) {
    for (const [name, values] of Object.entries(multi)) for (const v of values ?? []) query.append(name, v);
  } else {
    for (const [name, v] of Object.entries(event.queryStringParameters ?? {}))
      if (v !== undefined) query.append(name, v);
  }
  const raw = event.body;
  const body = raw ? Buffer.from(raw, event.isBase64Encoded ? 'base64' : 'utf8') : undefined;
  return { method: event.httpMethod.toUpperCase(), path: event.path || '/', query, headers, body, signal };
}

/** How a streamed response is collected. */
export interface StreamOptions {
  watch: WatchPollConfig;
  /** The invocation's remaining time, ms (Lambda `context.getRemainingTimeInMillis()`). */
  remainingMs: number;
  /** Body size at which collection stops; default 4 MiB. */
  maxBytes?: number;
}

/** A proxy result, and for a long-poll how it ended. */
export interface ProxyResult {
  result: APIGatewayProxyResult;
  longPoll?: { end: LongPollEnd; events: number };
}

/**
 * How long a long-poll for `query` may wait, ms: the client's `timeoutSeconds`
 * (a watch's own limit) capped by the configured cap and the invocation's
 * remaining time less `RESPONSE_RESERVE_MS`; never negative.
 */
export function longPollBudgetMs(query: URLSearchParams, watch: WatchPollConfig, remainingMs: number): number {
  const raw = query.get('timeoutSeconds');
  const asked = raw && /^\d+$/.test(raw) ? Number(raw) : Number.POSITIVE_INFINITY;
  const seconds = Math.min(asked, watch.capSeconds);
  return Math.max(0, Math.min(seconds * 1000, remainingMs - RESPONSE_RESERVE_MS));
}

/**
 * Translates an `ApiResponse` for `req` into a proxy result. Byte bodies go
 * out base64 with `isBase64Encoded`; text bodies as they are; a HEAD answer
 * has no body. A streamed response is collected as a long-poll (closing the
 * stream when it stops) and answered as one body of newline-terminated event
 * lines. Header values given as arrays go out in `multiValueHeaders`.
 */
export async function toProxyResult(req: ApiRequest, res: ApiResponse, options: StreamOptions): Promise<ProxyResult> {
  const { headers, multiValueHeaders } = splitHeaders(res.headers);
  const base = { statusCode: res.status, headers, ...(multiValueHeaders ? { multiValueHeaders } : {}) };
  if (res.stream) {
    const polled = await collectStream(res.stream, {
      budgetMs: longPollBudgetMs(req.query, options.watch, options.remainingMs),
      batchWindowMs: options.watch.batchWindowMs,
      maxBytes: options.maxBytes ?? DEFAULT_MAX_POLL_BYTES,
    });
    return {
      result: { ...base, body: polled.body, isBase64Encoded: false },
      longPoll: { end: polled.end, events: polled.chunks },
    };
  }
  if (req.method === 'HEAD' || res.body === undefined) return { result: { ...base, body: '', isBase64Encoded: false } };
  if (typeof res.body === 'string') return { result: { ...base, body: res.body, isBase64Encoded: false } };
  return { result: { ...base, body: Buffer.from(res.body).toString('base64'), isBase64Encoded: true } };
}

function splitHeaders(input: Record<string, string | readonly string[]>): {
  headers: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
} {
  const headers: Record<string, string> = {};
  let multiValueHeaders: Record<string, string[]> | undefined;
  for (const [name, value] of Object.entries(input)) {
    if (typeof value === 'string') headers[name] = value;
    else {
      multiValueHeaders ??= {};
      multiValueHeaders[name] = [...value];
    }
  }
  return { headers, multiValueHeaders };
}
