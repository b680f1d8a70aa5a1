/**
 * How object bodies are stored: JSON, deflated with a preset dictionary of
 * Kubernetes vocabulary, as a DynamoDB Binary. DynamoDB bills writes per KB
 * of item, so this is what keeps a typical pod's object item and log row at
 * one write unit each (see README.md, "Capacity").
 *
 * Format: one codec byte, then raw deflate data. Codec 1 = raw deflate with
 * `KUBERNETES_DICTIONARY_V1` as the preset dictionary, followed by a base
 * document when one is given: a log row's previous body is compressed
 * against its new body, so it costs only the bytes that differ (about 100
 * for a status update). Legacy items hold plain JSON strings; decoding
 * accepts those too. Pure and synchronous.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { KUBERNETES_DICTIONARY_V1 } from './kubernetes-dictionary.ts';

/** The codec byte of deflate with dictionary v1. */
export const CODEC_DEFLATE_V1 = 1;

const DICTIONARY_V1 = Buffer.from(KUBERNETES_DICTIONARY_V1, 'utf8');
/** Deflate looks back at most this far, so only the dictionary's last 32 KiB count. */
const WINDOW = 32 * 1024;

function dictionary(base: string | undefined): Buffer {
  if (!base) return DICTIONARY_V1;
  const d = Buffer.concat([DICTIONARY_V1, Buffer.from(base, 'utf8')]);
  return d.length > WINDOW ? d.subarray(d.length - WINDOW) : d;
}

/**
 * Compresses `json`, optionally against `base` (a document the reader will
 * already have decoded, such as the new body of the same log row). Never
 * returns an empty array (DynamoDB refuses empty binaries).
 */
export function compressBody(json: string, base?: string): Uint8Array {
  const data = deflateRawSync(Buffer.from(json, 'utf8'), { level: 6, dictionary: dictionary(base) });
  const out = new Uint8Array(data.length + 1);
  out[0] = CODEC_DEFLATE_V1;
  out.set(data, 1);
  return out;
}

/**
 * The JSON text of a stored body: a Binary written by `compressBody` (with
 * the same `base`), or a legacy JSON string, returned as is. Throws on an
 * unknown codec byte or corrupt data.
 */
export function decompressBody(stored: Uint8Array | string, base?: string): string {
  if (typeof stored === 'string') return stored;
  if (stored[0] !== CODEC_DEFLATE_V1) throw new Error(`unknown body codec ${stored[0]}`);
  return inflateRawSync(stored.subarray(1), { dictionary: dictionary(base) }).toString('utf8');
}

/** True for a value `decompressBody` may accept (a Binary or a legacy string). */
export function isStoredBody(v: unknown): v is Uint8Array | string {
  return typeof v === 'string' || v instanceof Uint8Array;
}
