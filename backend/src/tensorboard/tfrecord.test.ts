import { crc32c as referenceCrc32c } from '@aws-crypto/crc32c';
import { describe, expect, it } from 'vitest';
import { frameRecord, maskedCrc32c, readRecords } from './tfrecord.js';

const MASK_DELTA = 0xa282ead8;
const masked = (crc: number) => ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;

describe('the TFRecord checksum', () => {
  it('is TensorFlow’s masked CRC32C: the same as @aws-crypto/crc32c’s, masked, for any bytes and range', () => {
    expect(maskedCrc32c(new TextEncoder().encode('123456789'))).toBe(masked(0xe3069283));
    let seed = 1;
    for (let size = 0; size < 300; size += 7) {
      const bytes = Uint8Array.from({ length: size }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
      expect(maskedCrc32c(bytes)).toBe(masked(referenceCrc32c(bytes) >>> 0));
      if (size > 4)
        expect(maskedCrc32c(bytes, 2, size - 1)).toBe(masked(referenceCrc32c(bytes.subarray(2, size - 1)) >>> 0));
    }
  });

  it('frames and reads back records, a large one too', () => {
    const big = new Uint8Array(70_000).fill(7);
    const file = Buffer.concat([frameRecord(Uint8Array.of(1, 2, 3)), frameRecord(big)]);
    const read = readRecords(file);
    expect(read.records.map((r) => r.length)).toEqual([3, 70_000]);
    expect([read.consumed, read.broken, read.issues]).toEqual([file.length, false, []]);
  });
});
