import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '@aiplat/api';
import { tempDir } from '../../../testing/src/backend/fixtures.js';
import { MAX_SAFETENSORS_HEADER_BYTES, readSafetensorsHeader } from './safetensorsReader.js';
import { encodeSafetensors, f32Tensor, writeSafetensors } from './safetensorsWriter.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

function header(json: string, extra = 0): Buffer {
  const body = Buffer.from(json, 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(body.length));
  return Buffer.concat([length, body, Buffer.alloc(extra)]);
}

async function failure(bytes: Buffer): Promise<ApiError> {
  const file = path.join(dir, `bad-${Math.random().toString(36).slice(2)}.safetensors`);
  await writeFile(file, bytes);
  const error = await readSafetensorsHeader(file, 'bad.safetensors').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).code).toBe('bad_request');
  return error as ApiError;
}

describe('safetensors writer and reader', () => {
  it('round-trips tensors, metadata and data offsets', async () => {
    const file = path.join(dir, 'ok.safetensors');
    await writeSafetensors(
      file,
      { b: f32Tensor([2, 3], (i) => i), a: f32Tensor([4], [1, 2, 3, 4]) },
      { metadata: { format: 'pt' } },
    );
    const parsed = await readSafetensorsHeader(file, 'ok.safetensors');
    expect(parsed.metadata).toEqual({ format: 'pt' });
    expect(parsed.tensors).toEqual([
      { name: 'a', dtype: 'F32', shape: [4], dataOffsets: [0, 16] },
      { name: 'b', dtype: 'F32', shape: [2, 3], dataOffsets: [16, 40] },
    ]);
    expect(parsed.headerBytes % 8).toBe(0);
    expect(parsed.fileBytes).toBe(8 + parsed.headerBytes + 40);
  });

  it('pads the header with spaces and writes little-endian floats', () => {
    const bytes = encodeSafetensors({ x: f32Tensor([1], [1.5]) });
    const length = Number(bytes.readBigUInt64LE(0));
    const json = bytes.subarray(8, 8 + length).toString('utf8');
    expect(json.trimEnd()).toBe('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
    expect(/^[^ ]*\s*$/.test(json)).toBe(true);
    expect(bytes.readFloatLE(8 + length)).toBe(1.5);
  });

  it('refuses a data length that does not match dtype and shape', () => {
    expect(() => encodeSafetensors({ x: { dtype: 'F32', shape: [2], data: new Uint8Array(4) } })).toThrow(/8 needed/);
  });

  it('answers 400 with a clear message for corrupt headers, never reading past the bound', async () => {
    expect((await failure(Buffer.from([1, 2, 3]))).message).toMatch(/shorter than the 8-byte header length/);
    const huge = Buffer.alloc(16);
    huge.writeBigUInt64LE(BigInt(MAX_SAFETENSORS_HEADER_BYTES) + 1n);
    expect((await failure(huge)).message).toMatch(/above the 100 MiB bound/);
    const long = Buffer.alloc(16);
    long.writeBigUInt64LE(1000n);
    expect((await failure(long)).message).toMatch(/claims 1000 bytes but the file holds only 8/);
    const max = Buffer.alloc(16, 0xff);
    expect((await failure(max)).message).toMatch(/above the 100 MiB bound/);
    expect((await failure(header('{"x": [1, 2'))).message).toMatch(/not valid JSON/);
    expect((await failure(header('[1, 2]'))).message).toMatch(/not a JSON object/);
    expect(
      (
        await failure(
          Buffer.concat([header('{"x":1}').subarray(0, 8), Buffer.from([0xff, 0xfe, 0x7b, 0x7d, 0x20, 0x20, 0x20])]),
        )
      ).message,
    ).toMatch(/not valid UTF-8/);
    expect((await failure(header('{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'))).message).toMatch(
      /outside the 0 bytes of data/,
    );
    expect((await failure(header('{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', 8))).message).toMatch(
      /needs 12 bytes but spans 8/,
    );
    expect((await failure(header('{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}}', 8))).message).toMatch(
      /invalid shape/,
    );
    expect((await failure(header('{"x":{"shape":[2],"data_offsets":[0,8]}}', 8))).message).toMatch(/no dtype/);
  });
});
