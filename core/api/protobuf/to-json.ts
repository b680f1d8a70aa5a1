/**
 * Conversion of a decoded Kubernetes protobuf message to the JSON the API
 * server would store for it, following how the Go types marshal to JSON.
 *
 * The wire format cannot say everything: Go writes every non-pointer field,
 * so a zero `generateName: ""` arrives just like an explicit `replicas: 0`.
 * The `.proto` files therefore carry two field options read here:
 * `(go)` = `ptr` | `value` | `inline` and `(omitempty)` = false (see the
 * header of any file in `./proto/`).
 */
import type protobuf from 'protobufjs';
import { badRequest } from '../../errors/index.ts';
import { MESSAGES } from './schema.ts';
import {
  type DecodedMessage,
  durationToJson,
  intOrStringToJson,
  microTimeToJson,
  quantityToJson,
  timeToJson,
  toNumber,
} from './well-known.ts';

type JsonObject = Record<string, unknown>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Embedded JSON (`RawExtension`, `FieldsV1`) as a value; null when empty, as Go prints nil bytes. */
function embeddedJson(bytes: unknown, what: string): unknown {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) return null;
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch {
    throw badRequest(`${what} does not hold JSON; only JSON-encoded embedded objects are supported`);
  }
}

/** Messages whose JSON form is not an object of their fields, keyed by fully-qualified name. */
const SPECIAL: Record<string, { toJson: (msg: DecodedMessage) => unknown; zero: unknown }> = {
  [MESSAGES.time]: { toJson: timeToJson, zero: null },
  [MESSAGES.microTime]: { toJson: microTimeToJson, zero: null },
  [MESSAGES.duration]: { toJson: durationToJson, zero: '0s' },
  [MESSAGES.quantity]: { toJson: quantityToJson, zero: '0' },
  [MESSAGES.intOrString]: { toJson: intOrStringToJson, zero: 0 },
  [MESSAGES.rawExtension]: { toJson: (m) => embeddedJson(m.raw, 'RawExtension'), zero: null },
  [MESSAGES.fieldsV1]: { toJson: (m) => embeddedJson(m.Raw, 'FieldsV1'), zero: null },
};

const fullName = (type: protobuf.Type) => type.fullName.replace(/^\./, '');

function goShape(field: protobuf.Field): 'ptr' | 'value' | 'inline' | undefined {
  return field.options?.['(go)'];
}

function omitEmpty(field: protobuf.Field): boolean {
  return field.options?.['(omitempty)'] !== false;
}

function scalarToJson(field: protobuf.Field, value: unknown): unknown {
  switch (field.type) {
    case 'int64':
    case 'int32':
      return toNumber(value);
    case 'bytes':
      return Buffer.from(value as Uint8Array).toString('base64');
    default:
      return value;
  }
}

function scalarZero(field: protobuf.Field): unknown {
  switch (field.type) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'bytes':
      // A nil []byte prints as null.
      return null;
    default:
      return 0;
  }
}

const isZero = (v: unknown) => v === '' || v === 0 || v === false || v === null;

/** A map value or list item: a message converted, a scalar as JSON. */
function elementToJson(field: protobuf.Field, value: unknown): unknown {
  return field.resolvedType
    ? messageToJson(field.resolvedType as protobuf.Type, value as DecodedMessage)
    : scalarToJson(field, value);
}

function emitField(out: JsonObject, field: protobuf.Field, msg: DecodedMessage): void {
  const name = field.name;
  const present = Object.hasOwn(msg, name) && msg[name] != null;
  const value = msg[name];
  const shape = goShape(field);

  if (field.map || field.repeated) {
    const entries = field.map
      ? Object.entries((value ?? {}) as Record<string, unknown>)
      : ((value ?? []) as unknown[]).map((v, i) => [i, v] as const);
    if (entries.length === 0) {
      // An empty list or map decodes to Go's nil, which omitempty drops and a plain tag prints as null.
      if (!omitEmpty(field)) out[name] = null;
      return;
    }
    const converted = entries.map(([k, v]) => [k, elementToJson(field, v)] as const);
    out[name] = field.map ? Object.fromEntries(converted) : converted.map(([, v]) => v);
    return;
  }

  if (field.resolvedType) {
    const type = field.resolvedType as protobuf.Type;
    if (shape === 'inline') {
      Object.assign(out, present ? messageToJson(type, value as DecodedMessage) : zeroJson(type));
    } else if (shape === 'value') {
      out[name] = present ? messageToJson(type, value as DecodedMessage) : zeroJson(type);
    } else if (present) {
      out[name] = messageToJson(type, value as DecodedMessage);
    } else if (!omitEmpty(field)) {
      out[name] = null;
    }
    return;
  }

  if (field.type === 'bytes') {
    const bytes = value as Uint8Array | undefined;
    if (bytes && bytes.length > 0) out[name] = scalarToJson(field, bytes);
    else if (!omitEmpty(field)) out[name] = present ? '' : null;
    return;
  }

  if (shape === 'ptr') {
    // A pointer keeps an explicit zero (`replicas: 0`); absent is nil.
    if (present) out[name] = scalarToJson(field, value);
    else if (!omitEmpty(field)) out[name] = null;
    return;
  }
  const v = present ? scalarToJson(field, value) : scalarZero(field);
  if (!omitEmpty(field) || !isZero(v)) out[name] = v;
}

/**
 * The JSON of a decoded message of `type`: fields named as in the JSON API,
 * present-but-zero value fields dropped where the Go tag says omitempty,
 * pointer fields kept when set, value structs always printed, inline structs
 * merged into their parent, bytes as base64, and the special apimachinery
 * types in their string/number forms. Throws a BadRequest StatusError for
 * values the Go decoder would reject.
 */
export function messageToJson(type: protobuf.Type, msg: DecodedMessage): unknown {
  const special = SPECIAL[fullName(type)];
  if (special) return special.toJson(msg);
  const out: JsonObject = {};
  for (const field of type.fieldsArray) emitField(out, field, msg);
  return out;
}

/** The JSON Go prints for the zero value of the struct behind `type` (`{}`, `{"creationTimestamp":null}`, …). */
export function zeroJson(type: protobuf.Type): unknown {
  const special = SPECIAL[fullName(type)];
  if (special) return special.zero;
  return messageToJson(type, {});
}
