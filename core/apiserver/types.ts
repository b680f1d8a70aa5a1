/**
 * The transport-neutral request and response the API handler works on. The
 * local HTTP server and the Lambda adapter both translate to and from these;
 * nothing in the handler depends on `node:http`.
 */
import type { RequestContext, UserInfo } from '../registry/strategy.ts';
import type { UpgradeTarget } from './connect.ts';

/** An HTTP request as the API handler sees it. Header names are lower case. */
export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  /** The raw body; undefined when there is none. Adapters stop reading past `MAX_BODY_BYTES` + 1. */
  body?: Uint8Array;
  /** Aborted when the client goes away; ends watches and log streams. */
  signal?: AbortSignal;
}

/** An HTTP response. `stream`, when set, is written chunk by chunk and flushed after each chunk. */
export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  stream?: AsyncIterable<string>;
  /** Set on an upgrade (`pods/exec`): the adapter relays the connection to this target instead of answering. */
  upgrade?: UpgradeTarget;
}

/** The one function both adapters call. */
export type ApiHandler = (req: ApiRequest) => Promise<ApiResponse>;

/** Logger interface core code writes to (pino locally, Powertools in Lambda). */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export type { RequestContext, UserInfo };

/** Request bodies larger than this are refused with 413. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;
