/**
 * The body codec: round trips, compression against a base document, legacy
 * string bodies, and the frozen dictionary.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeBenchPod, withStatusUpdate } from '../../../../bench/store-pod.ts';
import { CODEC_DEFLATE_V1, compressBody, decompressBody } from '../../../../core/storage/dynamodb/body-codec.ts';
import { KUBERNETES_DICTIONARY_V1 } from '../../../../core/storage/dynamodb/kubernetes-dictionary.ts';

const benchPod = makeBenchPod('shop', 'web-7c5ddbdf54-x2k9p');
const pod = JSON.stringify({ ...benchPod, metadata: { ...benchPod.metadata, resourceVersion: '4711' } });
const updated = JSON.stringify(withStatusUpdate(JSON.parse(pod), 1));

describe('compressBody / decompressBody', () => {
  it.each([
    ['a pod', pod],
    ['an empty object', '{}'],
    ['text outside the BMP', JSON.stringify({ name: 'naïve 🚀 ✓' })],
    ['a document larger than the deflate window', JSON.stringify({ data: 'abc'.repeat(40_000) })],
  ])('returns %s unchanged', (_, json) => {
    const stored = compressBody(json);
    expect(stored[0]).toBe(CODEC_DEFLATE_V1);
    expect(decompressBody(stored)).toBe(json);
  });

  it('shrinks a 2.4 KB pod under half a write unit', () => {
    expect(Buffer.byteLength(pod)).toBeGreaterThan(2_400);
    expect(compressBody(pod).length).toBeLessThan(600);
  });

  it('stores a status update against the new body in about the bytes that changed', () => {
    const prev = compressBody(pod, updated);
    expect(prev.length).toBeLessThan(200);
    expect(decompressBody(prev, updated)).toBe(pod);
  });

  it('passes a legacy JSON string through', () => {
    expect(decompressBody('{"kind":"Pod"}')).toBe('{"kind":"Pod"}');
  });

  it('refuses an unknown codec byte', () => {
    expect(() => decompressBody(Uint8Array.of(9, 1, 2))).toThrow(/unknown body codec 9/);
  });

  it('keeps dictionary v1 byte for byte (stored bodies depend on it)', () => {
    const digest = createHash('sha256').update(KUBERNETES_DICTIONARY_V1).digest('hex');
    expect(digest).toBe(DICTIONARY_V1_SHA256);
  });
});

const DICTIONARY_V1_SHA256 = '41242c923f2f609d903e518870fa62c969460706a0b9c1f1e6c8a00945ef38e6';
