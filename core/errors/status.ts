/**
 * Kubernetes `Status` errors: one `StatusError` class carrying the Status body
 * the API returns, one constructor per reason and predicates. Everything in
 * skube (API, registry, client, controllers, agent) speaks this vocabulary.
 */
import { type FieldError, fieldErrorMessage, fieldErrorString } from './field-errors.ts';

/** The reasons Kubernetes puts in `Status.reason`. */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'Invalid'
  | 'TooManyRequests'
  | 'InternalError'
  | 'Timeout'
  | 'ServiceUnavailable'
  | '';

/** One cause in `Status.details.causes`. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** `Status.details`. `kind` is the resource (plural) for most reasons, the Kind for Invalid. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** The `metav1.Status` wire shape. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** An error that renders as a Kubernetes Status response. */
export class StatusError extends Error {
  readonly status: Status;
  constructor(status: Omit<Status, 'kind' | 'apiVersion' | 'metadata' | 'status'> & { status?: 'Failure' }) {
    super(status.message ?? status.reason ?? `status ${status.code}`);
    this.name = 'StatusError';
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', ...status };
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): StatusReason | undefined {
    return this.status.reason;
  }
}

/** A group-qualified resource as Kubernetes prints it: `pods`, `deployments.apps`. */
export interface GroupResource {
  group: string;
  resource: string;
}

const qualified = (gr: GroupResource) => (gr.group ? `${gr.resource}.${gr.group}` : gr.resource);

/** 404 NotFound: `pods "x" not found`. */
export function notFound(gr: GroupResource, name: string): StatusError {
  return new StatusError({
    code: 404,
    reason: 'NotFound',
    message: `${qualified(gr)} "${name}" not found`,
    details: { name, group: gr.group || undefined, kind: gr.resource },
  });
}

/** 409 AlreadyExists: `deployments.apps "x" already exists`. */
export function alreadyExists(gr: GroupResource, name: string): StatusError {
  return new StatusError({
    code: 409,
    reason: 'AlreadyExists',
    message: `${qualified(gr)} "${name}" already exists`,
    details: { name, group: gr.group || undefined, kind: gr.resource },
  });
}

/** 409 Conflict on a stale resourceVersion or failed precondition. */
export function conflict(gr: GroupResource, name: string, why?: string): StatusError {
  const detail = why ?? 'the object has been modified; please apply your changes to the latest version and try again';
  return new StatusError({
    code: 409,
    reason: 'Conflict',
    message: `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${detail}`,
    details: { name, group: gr.group || undefined, kind: gr.resource },
  });
}

/** 422 Invalid with one cause per field error: `Deployment.apps "x" is invalid: spec.replicas: ...`. */
export function invalid(gk: { group: string; kind: string }, name: string, errors: FieldError[]): StatusError {
  const qualifiedKind = gk.group ? `${gk.kind}.${gk.group}` : gk.kind;
  const list = errors.map(fieldErrorString);
  const joined = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new StatusError({
    code: 422,
    reason: 'Invalid',
    message: `${qualifiedKind} "${name}" is invalid: ${joined}`,
    details: {
      name,
      group: gk.group || undefined,
      kind: gk.kind,
      causes: errors.map((e) => ({ reason: e.type, message: fieldErrorMessage(e), field: e.field })),
    },
  });
}

/** 400 BadRequest. */
export const badRequest = (message: string) => new StatusError({ code: 400, reason: 'BadRequest', message });
/** 401 Unauthorized. */
export const unauthorized = (message = 'Unauthorized') =>
  new StatusError({ code: 401, reason: 'Unauthorized', message });
/** 403 Forbidden: `pods "x" is forbidden: <why>` (or `pods is forbidden: ...` without a name). */
export function forbidden(gr: GroupResource, name: string, why: string): StatusError {
  const subject = name ? `${qualified(gr)} "${name}"` : qualified(gr);
  return new StatusError({
    code: 403,
    reason: 'Forbidden',
    message: `${subject} is forbidden: ${why}`,
    details: { name: name || undefined, group: gr.group || undefined, kind: gr.resource },
  });
}
/** 405 MethodNotAllowed. */
export const methodNotAllowed = (message = 'the server does not allow this method on the requested resource') =>
  new StatusError({ code: 405, reason: 'MethodNotAllowed', message });
/** 404 for a path that names no resource (Kubernetes sends an empty-reason NotFound). */
export const pathNotFound = () =>
  new StatusError({ code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
/** 410 Expired: a resourceVersion or continue token older than the log holds. */
export const expired = (message: string) => new StatusError({ code: 410, reason: 'Expired', message });
/** 410 Gone. */
export const gone = (message: string) => new StatusError({ code: 410, reason: 'Gone', message });
/** 413 RequestEntityTooLarge. */
export const tooLarge = (message: string) => new StatusError({ code: 413, reason: 'RequestEntityTooLarge', message });
/** The media types accepted for object bodies. */
export const OBJECT_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

/** 415 UnsupportedMediaType, listing what is accepted, as Kubernetes words it. */
export const unsupportedMediaType = (_got: string, accepted: readonly string[] = OBJECT_MEDIA_TYPES) =>
  new StatusError({
    code: 415,
    reason: 'UnsupportedMediaType',
    message: `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  });
/** 429 TooManyRequests with a Retry-After hint. */
export const tooManyRequests = (message: string, retryAfterSeconds = 1) =>
  new StatusError({ code: 429, reason: 'TooManyRequests', message, details: { retryAfterSeconds } });
/** 504 Timeout. */
export const timeout = (message: string) => new StatusError({ code: 504, reason: 'Timeout', message });
/** 503 ServiceUnavailable. */
export const serviceUnavailable = (message: string) =>
  new StatusError({ code: 503, reason: 'ServiceUnavailable', message });
/** 500 InternalError; never carries a stack trace. */
export const internalError = (message = 'an error on the server has prevented the request from succeeding') =>
  new StatusError({ code: 500, reason: 'InternalError', message: `Internal error occurred: ${message}` });

const is = (reason: StatusReason) => (e: unknown) => e instanceof StatusError && e.reason === reason;
/** True for a 404 NotFound StatusError. */
export const isNotFound = is('NotFound');
/** True for a 409 AlreadyExists StatusError. */
export const isAlreadyExists = is('AlreadyExists');
/** True for a 409 Conflict StatusError. */
export const isConflict = is('Conflict');
/** True for a 422 Invalid StatusError. */
export const isInvalid = is('Invalid');
/** True for 410 Expired or Gone. */
export const isExpired = (e: unknown) => is('Expired')(e) || is('Gone')(e);
/** True for a 403 Forbidden StatusError. */
export const isForbidden = is('Forbidden');

/** Rebuilds a StatusError from a response body (used by the client); falls back to a generic error by code. */
export function statusErrorFromBody(code: number, body: unknown): StatusError {
  if (body && typeof body === 'object' && (body as Status).kind === 'Status') {
    const s = body as Status;
    return new StatusError({ code: s.code ?? code, reason: s.reason, message: s.message, details: s.details });
  }
  return new StatusError({ code, reason: '', message: `the server responded with status ${code}` });
}
