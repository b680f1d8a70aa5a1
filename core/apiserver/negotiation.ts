/**
 * Content negotiation: decoding request bodies by Content-Type (JSON, YAML,
 * Kubernetes protobuf, the three patch types) and reading what the Accept
 * header asks for (Tables). Responses are always JSON; unknown Accept values
 * fall through to JSON rather than 406, as kubectl needs.
 */
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../api/object.ts';
import { decodeProtobufObject } from '../api/protobuf/decode.ts';
import { badRequest, unsupportedMediaType } from '../errors/index.ts';

/** The patch types Kubernetes accepts, by Content-Type. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

/** The media type of a Content-Type header without parameters, lower case. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

function parseJson(body: Uint8Array): unknown {
  const text = Buffer.from(body).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

/** Decodes an object body for create/update. Throws 400 on malformed input, 415 on an unknown type. */
export function decodeObjectBody(contentType: string | undefined, body: Uint8Array | undefined): KubeObject {
  if (!body || body.length === 0) throw badRequest('the request body is empty');
  const type = mediaType(contentType);
  let obj: unknown;
  if (type === 'application/json' || type === '') obj = parseJson(body);
  else if (type === 'application/yaml' || type === 'application/x-yaml') {
    try {
      obj = parseYaml(Buffer.from(body).toString('utf8'));
    } catch (e) {
      throw badRequest(`couldn't get version/kind; yaml parse error: ${(e as Error).message}`);
    }
  } else if (type === 'application/vnd.kubernetes.protobuf') obj = decodeProtobufObject(body);
  else throw unsupportedMediaType(type);
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw badRequest('the request body must be an object');
  return obj as KubeObject;
}

/** Decodes an optional JSON body (DeleteOptions); an empty body gives `{}`. */
export function decodeOptionalJson(
  contentType: string | undefined,
  body: Uint8Array | undefined,
): Record<string, unknown> {
  if (!body || body.length === 0) return {};
  const type = mediaType(contentType);
  if (type === 'application/vnd.kubernetes.protobuf') return decodeProtobufObject(body) as Record<string, unknown>;
  const v = parseJson(body);
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw badRequest('the request body must be an object');
  return v as Record<string, unknown>;
}

/** The patch types skube applies (server-side apply is not among them). */
export const SUPPORTED_PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

/** The patch type of a PATCH request. Throws 415 for unknown types and for server-side apply. */
export function patchTypeOf(contentType: string | undefined): Exclude<PatchType, 'apply'> {
  const type = PATCH_TYPES[mediaType(contentType)];
  if (!type || type === 'apply') throw unsupportedMediaType(mediaType(contentType), SUPPORTED_PATCH_TYPES);
  return type;
}

/** Decodes a patch document (JSON for every type skube applies). */
export function decodePatch(body: Uint8Array | undefined): unknown {
  if (!body || body.length === 0) throw badRequest('the patch body is empty');
  return parseJson(body);
}

/** True when the Accept header asks for a meta.k8s.io Table before plain JSON. */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  for (const part of accept.split(',')) {
    const params = part.split(';').map((p) => p.trim());
    if (params.includes('as=Table') && params.some((p) => p === 'g=meta.k8s.io')) return true;
    if (params[0] === 'application/json' && params.length === 1) return false;
  }
  return false;
}

/** The `includeObject` query parameter for Tables (Metadata by default, as Kubernetes). */
export function includeObject(query: URLSearchParams): 'None' | 'Metadata' | 'Object' {
  const v = query.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}
