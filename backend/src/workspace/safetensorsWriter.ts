import { writeFile } from 'node:fs/promises';
import { elementCount, SAFETENSORS_DTYPE_BYTES } from './safetensorsReader.js';

/** A tensor to write: raw little-endian element bytes. */
export interface TensorData {
  dtype: string;
  shape: number[];
  data: Uint8Array;
}

/** An F32 tensor from its values (row-major), or from a function of the flat index. */
export function f32Tensor(shape: number[], values: ArrayLike<number> | ((index: number) => number)): TensorData {
  const count = elementCount(shape);
  const data = new Uint8Array(count * 4);
  const view = new DataView(data.buffer);
  for (let i = 0; i < count; i++) {
    view.setFloat32(i * 4, typeof values === 'function' ? values(i) : (values[i] ?? 0), true);
  }
  return { dtype: 'F32', shape, data };
}

/**
 * Encodes tensors as a safetensors file: the 8-byte little-endian header length, the JSON header
 * (`__metadata__` first, then tensors by name) padded with spaces to a multiple of 8 bytes, then
 * the tensors' bytes back to back in the same order.
 */
export function encodeSafetensors(tensors: Record<string, TensorData>, metadata?: Record<string, string>): Buffer {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const tensor = tensors[name] as TensorData;
    const width = SAFETENSORS_DTYPE_BYTES[tensor.dtype];
    if (width === undefined) throw new Error(`unknown safetensors dtype ${tensor.dtype}`);
    const expected = elementCount(tensor.shape) * width;
    if (tensor.data.byteLength !== expected) {
      throw new Error(
        `tensor ${name}: ${tensor.data.byteLength} bytes given, ${expected} needed for ${tensor.dtype} ${JSON.stringify(tensor.shape)}`,
      );
    }
    header[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + expected] };
    offset += expected;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padding = (8 - (json.length % 8)) % 8;
  if (padding) json = Buffer.concat([json, Buffer.alloc(padding, 0x20)]);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, ...names.map((name) => (tensors[name] as TensorData).data)]);
}

/** Writes a safetensors file; `flag: 'wx'` refuses to replace an existing one. */
export async function writeSafetensors(
  filePath: string,
  tensors: Record<string, TensorData>,
  options: { metadata?: Record<string, string>; flag?: 'w' | 'wx' } = {},
): Promise<void> {
  await writeFile(filePath, encodeSafetensors(tensors, options.metadata), { flag: options.flag ?? 'w' });
}
