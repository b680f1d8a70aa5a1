/**
 * The one place where storage errors become API Status errors, per verb,
 * as Kubernetes' `storeerr.InterpretXError` functions do.
 */
import type { ResourceInfo } from '../api/resources.ts';
import {
  alreadyExists,
  conflict,
  expired,
  internalError,
  notFound,
  StatusError,
  serviceUnavailable,
  timeout,
} from '../errors/index.ts';
import { isStorageError } from '../storage/errors.ts';

/** Translates a storage failure for `info`/`name` into a StatusError; StatusErrors pass through; anything else is a 500. */
export function toStatusError(e: unknown, info: ResourceInfo, name: string): StatusError {
  if (e instanceof StatusError) return e;
  const gr = { group: info.group, resource: info.resource };
  if (isStorageError(e)) {
    switch (e.code) {
      case 'KeyNotFound':
        return notFound(gr, name);
      case 'KeyExists':
        return alreadyExists(gr, name);
      case 'Conflict':
        return conflict(gr, name);
      case 'ResourceExpired':
        return expired(e.message);
      case 'Unreachable':
        return serviceUnavailable(e.message);
      case 'Timeout':
        return timeout(e.message);
      case 'InvalidObject':
        return internalError(e.message);
    }
  }
  return internalError(e instanceof Error ? e.message : String(e));
}
