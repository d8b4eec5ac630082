import { open } from 'node:fs/promises';
import { ApiError } from '@aiplat/api';

/**
 * Reads safetensors headers without touching the weights. The format
 * (https://huggingface.co/docs/safetensors): an 8-byte little-endian u64 N, then N bytes of UTF-8
 * JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}`,
 * then the tensor data; offsets are relative to the end of the header.
 */

/** Headers above this are refused rather than read (real ones are a few MiB at most). */
export const MAX_SAFETENSORS_HEADER_BYTES = 100 * 1024 * 1024;

/** Bytes per element of the dtypes the format defines. */
export const SAFETENSORS_DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  U16: 2,
  I16: 2,
  F16: 2,
  BF16: 2,
  U32: 4,
  I32: 4,
  F32: 4,
  U64: 8,
  I64: 8,
  F64: 8,
};

export interface SafetensorsTensor {
  name: string;
  dtype: string;
  shape: number[];
  /** Begin and end byte, relative to the end of the header. */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  tensors: SafetensorsTensor[];
  metadata: Record<string, string>;
  /** N, the JSON header's length in bytes (padding included). */
  headerBytes: number;
  fileBytes: number;
}

/** Number of elements of a tensor: the product of its shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Parses and validates the header of the safetensors file at `filePath`; `label` names it in error
 * messages. Anything malformed is a 400 `bad_request` saying what is wrong.
 */
export async function readSafetensorsHeader(filePath: string, label: string): Promise<SafetensorsHeader> {
  const bad = (what: string) => new ApiError('bad_request', `${label} is not a valid safetensors file: ${what}`);
  const handle = await open(filePath, 'r');
  try {
    const { size: fileBytes } = await handle.stat();
    if (fileBytes < 8) throw bad(`it is ${fileBytes} bytes long, shorter than the 8-byte header length`);
    const lengthBytes = Buffer.alloc(8);
    await handle.read(lengthBytes, 0, 8, 0);
    const declared = lengthBytes.readBigUInt64LE(0);
    if (declared > BigInt(MAX_SAFETENSORS_HEADER_BYTES)) {
      throw bad(
        `the header claims ${declared} bytes, above the ${MAX_SAFETENSORS_HEADER_BYTES / 1024 / 1024} MiB bound`,
      );
    }
    const headerBytes = Number(declared);
    if (8 + headerBytes > fileBytes) {
      throw bad(`the header claims ${headerBytes} bytes but the file holds only ${fileBytes - 8} after the length`);
    }
    if (headerBytes < 2) throw bad('the header is empty');
    const raw = Buffer.alloc(headerBytes);
    const { bytesRead } = await handle.read(raw, 0, headerBytes, 8);
    if (bytesRead !== headerBytes) throw bad('the file ended inside the header');

    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw bad('the header is not valid UTF-8');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw bad(`the header is not valid JSON (${(e as Error).message})`);
    }
    if (!isRecord(parsed)) throw bad('the header is not a JSON object');

    const dataBytes = fileBytes - 8 - headerBytes;
    const tensors: SafetensorsTensor[] = [];
    let metadata: Record<string, string> = {};
    for (const [name, entry] of Object.entries(parsed)) {
      if (name === '__metadata__') {
        if (!isRecord(entry)) throw bad('__metadata__ is not an object');
        metadata = Object.fromEntries(
          Object.entries(entry).filter((kv): kv is [string, string] => typeof kv[1] === 'string'),
        );
        continue;
      }
      if (!isRecord(entry)) throw bad(`tensor "${name}" is not an object`);
      const { dtype, shape, data_offsets: offsets } = entry;
      if (typeof dtype !== 'string') throw bad(`tensor "${name}" has no dtype`);
      if (!Array.isArray(shape) || !shape.every(isCount)) throw bad(`tensor "${name}" has an invalid shape`);
      if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
        throw bad(`tensor "${name}" has invalid data_offsets`);
      }
      const [begin, end] = offsets as [number, number];
      if (begin > end || end > dataBytes) {
        throw bad(`tensor "${name}" spans bytes ${begin}-${end}, outside the ${dataBytes} bytes of data`);
      }
      const elements = elementCount(shape);
      if (!Number.isSafeInteger(elements)) throw bad(`tensor "${name}" has an impossibly large shape`);
      const width = SAFETENSORS_DTYPE_BYTES[dtype];
      if (width !== undefined && elements * width !== end - begin) {
        throw bad(
          `tensor "${name}" (${dtype} ${JSON.stringify(shape)}) needs ${elements * width} bytes but spans ${end - begin}`,
        );
      }
      tensors.push({ name, dtype, shape, dataOffsets: [begin, end] });
    }
    return { tensors, metadata, headerBytes, fileBytes };
  } finally {
    await handle.close();
  }
}
