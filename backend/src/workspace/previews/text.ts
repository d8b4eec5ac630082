import type { Preview } from '@aiplat/api';
import { decodeSample, type DetectedEncoding } from './encoding.js';

export type TextPreview = Extract<Preview, { kind: 'text' }>;

/**
 * A text preview from the first bytes of a file (`sample`, already sniffed as text): decoded in
 * its detected encoding, never ending inside a character.
 */
export function textPreview(sample: Buffer, size: number, detected: DetectedEncoding): TextPreview {
  const truncated = size > sample.length;
  return {
    kind: 'text',
    encoding: detected.encoding,
    ...(detected.bomLength > 0 ? { bom: true } : {}),
    content: decodeSample(sample, detected, !truncated),
    truncated,
    size,
  };
}
