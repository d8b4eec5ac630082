import { describe, expect, it } from 'vitest';
import { encodeEvent, eventFile, type ScalarEncoding } from '../../../testing/src/tensorboard/tfeventsWriter.js';
import { halfToNumber, newScalarState, scalarsIn, scalarsOf, type ScalarPoint } from './scalars.js';
import { frameRecord, maskedCrc32c, readRecords, recordSpans } from './tfrecord.js';

describe('TFRecord framing', () => {
  it('checks the masked CRC32C TensorFlow writes (known value of an empty record header)', () => {
    // CRC32C('123456789') is 0xe3069283 (RFC 3720); of 8 zero bytes 0x8c28b28a, masked 0x07980329
    // (computed by a separate bitwise implementation).
    expect(maskedCrc32c(new Uint8Array(8))).toBe(0x07980329);
    const framed = frameRecord(new TextEncoder().encode('hello'));
    expect(readRecords(framed)).toMatchObject({ consumed: framed.byteLength, issues: [], broken: false });
  });

  it('leaves a record cut short unread, to be read once written', () => {
    const file = eventFile([
      { tag: 'loss', step: 1, value: 0.5 },
      { tag: 'loss', step: 2, value: 0.4 },
    ]);
    const cut = file.subarray(0, file.byteLength - 3);
    const first = readRecords(cut);
    expect(first.records).toHaveLength(1);
    expect(first.consumed).toBeLessThan(cut.byteLength);
    const rest = readRecords(file.subarray(first.consumed), first.consumed);
    expect(rest.records).toHaveLength(1);
    expect(first.consumed + rest.consumed).toBe(file.byteLength);
  });

  it('skips a record whose data checksum is wrong, saying where, and reads on', () => {
    const file = eventFile([
      { tag: 'loss', step: 1, value: 0.5 },
      { tag: 'loss', step: 2, value: 0.4 },
      { tag: 'loss', step: 3, value: 0.3 },
    ]);
    const recordLength = file.byteLength / 3;
    file[recordLength + 14]! ^= 0xff; // a byte of the second record's data
    const read = readRecords(file);
    expect(read.records).toHaveLength(2);
    expect(read.issues).toEqual([
      { offset: recordLength, message: expect.stringMatching(/^bad data checksum: skipped a record of \d+ bytes$/) },
    ]);
    expect(scalarsOf(read.records, newScalarState()).map((p) => p.step)).toEqual([1, 3]);
  });

  it('stops where a length checksum is wrong: nothing after it can be framed', () => {
    const file = eventFile([
      { tag: 'loss', step: 1, value: 0.5 },
      { tag: 'loss', step: 2, value: 0.4 },
    ]);
    const recordLength = file.byteLength / 2;
    file[recordLength + 9]! ^= 0xff;
    const read = readRecords(file);
    expect(read).toMatchObject({ broken: true, consumed: recordLength });
    expect(read.records).toHaveLength(1);
  });
});

describe('scalars in event records', () => {
  it.each<[ScalarEncoding, number]>([
    ['simple', 0.25],
    ['float', 0.25],
    ['double', 0.123456789012],
    ['half', 0.5],
    ['content-float', 1.5],
    ['content-double', 2.25],
  ])('reads %s values with their step and wall time', (encoding, value) => {
    const records = [
      encodeEvent({ tag: 'loss', step: 7, value, encoding, withMetadata: true, wallTime: 1700000000.5 }),
    ];
    expect(scalarsOf(records, newScalarState())).toEqual([{ tag: 'loss', step: 7, wallTime: 1700000000.5, value }]);
  });

  it('keeps the scalars plugin a TF2 tag named with its first event for the events after it', () => {
    const state = newScalarState();
    const first = scalarsOf(
      [encodeEvent({ tag: 'acc', step: 1, value: 0.5, encoding: 'float', withMetadata: true })],
      state,
    );
    const later = scalarsOf([encodeEvent({ tag: 'acc', step: 2, value: 0.75, encoding: 'float' })], state);
    expect([...first, ...later].map((p) => [p.step, p.value])).toEqual([
      [1, 0.5],
      [2, 0.75],
    ]);
    // A tensor of a tag no plugin named scalars is not taken for one.
    expect(scalarsOf([encodeEvent({ tag: 'other', step: 1, value: 1, encoding: 'float' })], newScalarState())).toEqual(
      [],
    );
  });

  it('reads the records of a file in place, at their offsets: the same points as record by record', () => {
    const encodings: ScalarEncoding[] = ['simple', 'float', 'double', 'half', 'content-float', 'content-double'];
    const file = eventFile(
      encodings.flatMap((encoding, i) => [
        { tag: encoding, step: i, value: 0.5, encoding, withMetadata: true },
        { tag: encoding, step: i + 1, value: 0.25, encoding },
      ]),
    );
    const before: ScalarPoint = { tag: 'earlier', step: 0, wallTime: 0, value: 0 };
    const into = [before];
    expect(scalarsIn(file, recordSpans(file).spans, newScalarState(), into)).toBe(into);
    const oneByOne = scalarsOf(readRecords(file).records, newScalarState());
    expect(oneByOne).toHaveLength(12);
    expect(into).toEqual([before, ...oneByOne]);
  });

  it('turns IEEE halves into numbers', () => {
    expect(halfToNumber(0x3c00)).toBe(1);
    expect(halfToNumber(0xc000)).toBe(-2);
    expect(halfToNumber(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(halfToNumber(0x0001)).toBeCloseTo(5.96e-8, 9);
  });
});
