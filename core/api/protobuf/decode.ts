/**
 * Decoding of `application/vnd.kubernetes.protobuf` request bodies into the
 * JSON object the rest of skube works with. Go clients from v0.32 on send
 * these for typed Create/Update: kubectl 1.32's `create <generator>` and
 * `autoscale` do (drain's eviction does not: it goes out as JSON).
 */
import type protobuf from 'protobufjs';
import { badRequest, StatusError } from '../../errors/index.ts';
import type { KubeObject } from '../object.ts';
import { MESSAGES, messageTypeFor, protoRoot } from './schema.ts';
import { messageToJson } from './to-json.ts';
import type { DecodedMessage } from './well-known.ts';

/** The 4-byte prefix (`k8s\0`) of every Kubernetes protobuf body. */
export const PROTOBUF_MAGIC: Uint8Array = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** The media type of Kubernetes protobuf bodies. */
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

const unknownType = protoRoot.lookupType(MESSAGES.unknown);

function decodeMessage(type: protobuf.Type, bytes: Uint8Array, what: string): DecodedMessage {
  try {
    return type.decode(bytes) as unknown as DecodedMessage;
  } catch (err) {
    throw badRequest(`unable to decode ${what} from protobuf: ${(err as Error).message}`);
  }
}

/** 415 for a well-formed envelope around a kind skube has no protobuf schema for. */
function unsupportedKind(apiVersion: string, kind: string): StatusError {
  return new StatusError({
    code: 415,
    reason: 'UnsupportedMediaType',
    message: `no kind "${kind}" is registered for version "${apiVersion}" in protobuf request bodies; send it as application/json`,
  });
}

/**
 * Decodes a Kubernetes protobuf body (magic, `runtime.Unknown` envelope,
 * object in `raw`) into the JSON object the API server would store, with
 * `apiVersion` and `kind` taken from the envelope. Pure and synchronous.
 * `DeleteOptions` is the one kind without `metadata`; it comes back as Go
 * prints it, without one.
 *
 * Throws a StatusError: BadRequest (400) when the prefix is missing, the body
 * is empty or the bytes do not decode; UnsupportedMediaType (415) when the
 * envelope names a kind or content encoding skube cannot read.
 */
export function decodeProtobufObject(body: Uint8Array): KubeObject {
  if (body.length < PROTOBUF_MAGIC.length || PROTOBUF_MAGIC.some((b, i) => body[i] !== b)) {
    throw badRequest('provided data does not appear to be a protobuf message, expected prefix "k8s\\x00"');
  }
  if (body.length === PROTOBUF_MAGIC.length) throw badRequest('empty body');

  const unknown = decodeMessage(unknownType, body.subarray(PROTOBUF_MAGIC.length), 'runtime.Unknown');
  const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const apiVersion = typeMeta.apiVersion ?? '';
  const kind = typeMeta.kind ?? '';
  if (!kind) throw badRequest("Object 'Kind' is missing in protobuf body");
  if (!apiVersion) throw badRequest("Object 'apiVersion' is missing in protobuf body");
  const encoding = (unknown.contentEncoding as string | undefined) ?? '';
  if (encoding) {
    throw new StatusError({
      code: 415,
      reason: 'UnsupportedMediaType',
      message: `content encoding "${encoding}" is not supported in protobuf request bodies`,
    });
  }

  const type = messageTypeFor(apiVersion, kind);
  if (!type) throw unsupportedKind(apiVersion, kind);
  const raw = (unknown.raw as Uint8Array | undefined) ?? new Uint8Array();
  const object = decodeMessage(type, raw, `${apiVersion}, Kind=${kind}`);
  return { apiVersion, kind, ...(messageToJson(type, object) as object) } as KubeObject;
}
