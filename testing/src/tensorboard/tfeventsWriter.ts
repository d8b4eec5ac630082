import { dataTypes, eventType } from '../../../backend/src/tensorboard/eventProtos.js';
import { frameRecord } from '../../../backend/src/tensorboard/tfrecord.js';

/*
 * Writes TensorBoard event records for tests, in each encoding real writers use: `simple_value`
 * (TF1, tensorboardX, PyTorch's SummaryWriter) and TF2's scalar tensors (float_val, double_val,
 * half_val or tensor_content; the `scalars` plugin named with a tag's first event only).
 */

export type ScalarEncoding = 'simple' | 'float' | 'double' | 'half' | 'content-float' | 'content-double';

export interface ScalarEvent {
  tag: string;
  step: number;
  value: number;
  wallTime?: number;
  encoding?: ScalarEncoding;
  /** Name the scalars plugin in the metadata (TF2 does so with a tag's first event only). */
  withMetadata?: boolean;
}

function halfBits(value: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value);
  const bits = view.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const fraction = (bits >>> 13) & 0x3ff;
  if (exponent <= 0) return sign;
  if (exponent >= 0x1f) return sign | 0x7c00;
  return sign | (exponent << 10) | fraction;
}

function tensorOf(encoding: ScalarEncoding, value: number): Record<string, unknown> {
  const types = dataTypes();
  switch (encoding) {
    case 'float':
      return { dtype: types.DT_FLOAT, tensorShape: {}, floatVal: [value] };
    case 'double':
      return { dtype: types.DT_DOUBLE, tensorShape: {}, doubleVal: [value] };
    case 'half':
      return { dtype: types.DT_HALF, tensorShape: {}, halfVal: [halfBits(value)] };
    case 'content-float': {
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setFloat32(0, value, true);
      return { dtype: types.DT_FLOAT, tensorShape: {}, tensorContent: bytes };
    }
    case 'content-double': {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setFloat64(0, value, true);
      return { dtype: types.DT_DOUBLE, tensorShape: {}, tensorContent: bytes };
    }
    default:
      throw new Error(`not a tensor encoding: ${encoding}`);
  }
}

/** One event as its record's data. */
export function encodeEvent(event: ScalarEvent): Uint8Array {
  const type = eventType();
  const encoding = event.encoding ?? 'simple';
  const value: Record<string, unknown> = { tag: event.tag };
  if (encoding === 'simple') value.simpleValue = event.value;
  else value.tensor = tensorOf(encoding, event.value);
  if (event.withMetadata) value.metadata = { pluginData: { pluginName: 'scalars' } };
  const message = type.create({
    wallTime: event.wallTime ?? 1_700_000_000 + event.step,
    step: event.step,
    summary: { value: [value] },
  });
  return type.encode(message).finish();
}

/** The bytes of an event file holding `events`, each a framed record. */
export function eventFile(events: readonly ScalarEvent[]): Buffer {
  return Buffer.concat(events.map((event) => frameRecord(encodeEvent(event))));
}
