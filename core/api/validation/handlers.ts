/**
 * Probe and lifecycle-handler validation (exec, httpGet, tcpSocket, grpc,
 * sleep), shared by regular and sidecar containers.
 */
import { type FieldError, field } from '../../errors/index.ts';
import { type Json, list, obj, str } from './json.ts';
import { isHTTPHeaderName, isValidPortName, isValidPortNum } from './names.ts';

const NEGATIVE = 'must be greater than or equal to 0';

/** Errors for an IntOrString port: a number in 1-65535 or an IANA service name. */
export function validatePortNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'string') return isValidPortName(port).map((msg) => field.invalid(path, port, msg));
  const n = typeof port === 'number' ? port : 0;
  return isValidPortNum(n).map((msg) => field.invalid(path, n, msg));
}

function validateHandler(handler: Json, gracePeriod: number | undefined, path: string, kinds: string[]): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const kind of kinds) {
    const h = obj(handler[kind]);
    if (!h) continue;
    if (count > 0) {
      errs.push(field.forbidden(`${path}.${kind}`, 'may not specify more than 1 handler type'));
      continue;
    }
    count++;
    const at = `${path}.${kind}`;
    if (kind === 'exec' && list(h.command).length === 0) errs.push(field.required(`${at}.command`, ''));
    if (kind === 'httpGet') {
      if (!str(h.path)) errs.push(field.required(`${at}.path`, ''));
      errs.push(...validatePortNumOrName(h.port, `${at}.port`));
      if (h.scheme !== 'HTTP' && h.scheme !== 'HTTPS') {
        errs.push(field.notSupported(`${at}.scheme`, h.scheme ?? '', ['HTTP', 'HTTPS']));
      }
      for (const header of list(h.httpHeaders)) {
        const name = str(obj(header)?.name);
        for (const msg of isHTTPHeaderName(name)) errs.push(field.invalid(`${at}.httpHeaders`, name, msg));
      }
    }
    if (kind === 'tcpSocket') errs.push(...validatePortNumOrName(h.port, `${at}.port`));
    if (kind === 'grpc') errs.push(...validatePortNumOrName(typeof h.port === 'number' ? h.port : 0, `${at}.port`));
    if (kind === 'sleep') {
      const seconds = typeof h.seconds === 'number' ? h.seconds : 0;
      if (gracePeriod !== undefined && (seconds <= 0 || seconds > gracePeriod)) {
        errs.push(
          field.invalid(
            at,
            seconds,
            `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`,
          ),
        );
      }
    }
  }
  if (count === 0) errs.push(field.required(path, 'must specify a handler type'));
  return errs;
}

/** Which probe: liveness and startup probes need successThreshold 1; readiness probes take no grace period. */
export type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

/** Errors in one probe of a container; nothing when the probe is absent. */
export function validateProbe(
  probe: unknown,
  kind: ProbeKind,
  gracePeriod: number | undefined,
  path: string,
): FieldError[] {
  const p = obj(probe);
  if (!p) return [];
  const errs = validateHandler(p, gracePeriod, path, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  for (const name of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ]) {
    const v = p[name];
    if (typeof v === 'number' && v < 0) errs.push(field.invalid(`${path}.${name}`, v, NEGATIVE));
  }
  const grace = p.terminationGracePeriodSeconds;
  if (typeof grace === 'number' && grace <= 0) {
    errs.push(field.invalid(`${path}.terminationGracePeriodSeconds`, grace, 'must be greater than 0'));
  }
  if (kind !== 'readinessProbe' && (p.successThreshold ?? 0) !== 1) {
    errs.push(field.invalid(`${path}.successThreshold`, p.successThreshold ?? 0, 'must be 1'));
  }
  if (kind === 'readinessProbe' && grace !== undefined && grace !== null) {
    errs.push(field.invalid(`${path}.terminationGracePeriodSeconds`, grace, 'must not be set for readinessProbes'));
  }
  return errs;
}

/** Errors in a container's postStart and preStop handlers. */
export function validateLifecycle(lifecycle: unknown, gracePeriod: number | undefined, path: string): FieldError[] {
  const l = obj(lifecycle);
  if (!l) return [];
  const errs: FieldError[] = [];
  for (const hook of ['postStart', 'preStop']) {
    const h = obj(l[hook]);
    if (h) errs.push(...validateHandler(h, gracePeriod, `${path}.${hook}`, ['exec', 'httpGet', 'tcpSocket', 'sleep']));
  }
  return errs;
}
