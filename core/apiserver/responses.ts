/** Small constructors for API responses. */
import { internalError, StatusError } from '../errors/index.ts';
import type { ApiResponse } from './types.ts';

const JSON_TYPE = 'application/json';

/** A JSON response. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: JSON.stringify(body) };
}

/** A plain-text response. */
export function text(status: number, body: string): ApiResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

/** The Status response for an error; non-Status errors become a 500 without internals. */
export function errorResponse(e: unknown): ApiResponse {
  const err = e instanceof StatusError ? e : internalError();
  const headers: Record<string, string> = {};
  const retry = err.status.details?.retryAfterSeconds;
  if (retry !== undefined && (err.code === 429 || err.code >= 500)) headers['retry-after'] = String(retry);
  return json(err.code, err.status, headers);
}

/** A Success Status (what DELETE returns for objects that are gone). */
export function successStatus(details: Record<string, unknown>): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}
