/**
 * Field errors, the building blocks of a 422 Invalid response, mirroring
 * Kubernetes' `field.Error`: a path such as `spec.containers[0].image`, a
 * type that becomes the cause's `reason`, and a message rendered the way
 * kubectl prints it (`spec.replicas: Invalid value: -1: must be ...`).
 */

/** The cause reasons Kubernetes uses for field errors. */
export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid';

/** One problem with one field of a submitted object. */
export interface FieldError {
  type: FieldErrorType;
  /** Dotted path with list indexes, for example `spec.containers[0].image`. */
  field: string;
  /** The offending value, when there is one to print. */
  value?: unknown;
  /** Human detail appended after the standard prefix. */
  detail?: string;
}

const PREFIX: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Types whose message shows the offending value, as Kubernetes prints them. */
const SHOWS_VALUE = new Set<FieldErrorType>([
  'FieldValueInvalid',
  'FieldValueNotSupported',
  'FieldValueDuplicate',
  'FieldValueTypeInvalid',
]);

function printValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'null';
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/** The message of a field error without the field path (`Invalid value: -1: must be ...`). */
export function fieldErrorMessage(e: FieldError): string {
  let msg = PREFIX[e.type];
  if (SHOWS_VALUE.has(e.type) && 'value' in e) msg += `: ${printValue(e.value)}`;
  if (e.detail) msg += `: ${e.detail}`;
  return msg;
}

/** The full one-line form, `field: message`, as used in Invalid status messages. */
export function fieldErrorString(e: FieldError): string {
  return `${e.field}: ${fieldErrorMessage(e)}`;
}

/** A required field is missing. */
export const required = (field: string, detail?: string): FieldError => ({ type: 'FieldValueRequired', field, detail });
/** A field has a value that fails validation. */
export const invalid = (field: string, value: unknown, detail?: string): FieldError => ({
  type: 'FieldValueInvalid',
  field,
  value,
  detail,
});
/** A field has a value outside an enumerated set. */
export const notSupported = (field: string, value: unknown, valid: readonly string[]): FieldError => ({
  type: 'FieldValueNotSupported',
  field,
  value,
  detail: `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}`,
});
/** A value appears twice where it must be unique. */
export const duplicate = (field: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, value });
/** A field may not be set, or may not change. */
export const forbidden = (field: string, detail: string): FieldError => ({
  type: 'FieldValueForbidden',
  field,
  detail,
});
/** A value is longer than allowed. */
export const tooLong = (field: string, max: number): FieldError => ({
  type: 'FieldValueTooLong',
  field,
  detail: `may not be more than ${max} bytes`,
});
/** A value has the wrong JSON type (unknown fields use this path too). */
export const typeInvalid = (field: string, value: unknown, detail: string): FieldError => ({
  type: 'FieldValueTypeInvalid',
  field,
  value,
  detail,
});

/** Joins a parent path and a child field or index: `path(p, 'image')`, `path(p, 0)`. */
export function fieldPath(parent: string, child: string | number): string {
  if (typeof child === 'number') return `${parent}[${child}]`;
  if (child.includes('.') || child.includes('/')) return `${parent}[${child}]`;
  return parent ? `${parent}.${child}` : child;
}
