/** Errors: Kubernetes Status errors and the field errors that make up 422 Invalid. */

export type { FieldError, FieldErrorType } from './field-errors.ts';
export * as field from './field-errors.ts';
export * from './status.ts';
