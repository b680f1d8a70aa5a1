/** Errors: Kubernetes Status errors and the field errors that make up 422 Invalid. */
export * from './status.ts';
export * as field from './field-errors.ts';
export type { FieldError, FieldErrorType } from './field-errors.ts';
