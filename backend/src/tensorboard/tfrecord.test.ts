import { crc32c as referenceCrc32c } from '@aws-crypto/crc32c';
import { describe, expect, it } from 'vitest';
import { frameRecord, maskedCrc32c, readRecords, recordSpans } from './tfrecord.js';

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

  it('gives where each whole record’s data lies, for decoding in place, and leaves a record cut short', () => {
    const big = new Uint8Array(70_000).fill(7);
    const whole = Buffer.concat([frameRecord(Uint8Array.of(1, 2, 3)), frameRecord(big)]);
    const file = Buffer.concat([whole, frameRecord(Uint8Array.of(4, 5)).subarray(0, 15)]);
    const read = recordSpans(file, 100);
    expect(read).toEqual({ spans: [12, 15, 31, 70_031], consumed: whole.length, issues: [], broken: false });
    expect([...file.subarray(12, 15)]).toEqual([1, 2, 3]);
    expect(file.subarray(31, 70_031).every((byte) => byte === 7)).toBe(true);
    // A bad data checksum: no span, an issue at the record's offset in the file.
    file[13]! ^= 0xff;
    expect(recordSpans(file, 100)).toMatchObject({
      spans: [31, 70_031],
      issues: [{ offset: 100, message: 'bad data checksum: skipped a record of 3 bytes' }],
    });
  });
});
