import protobuf from 'protobufjs';
import { dataTypes, eventType } from './eventProtos.js';

/** One point of one tag: what a scalar chart plots. */
export interface ScalarPoint {
  tag: string;
  step: number;
  /** Seconds since the epoch, as the writer recorded it. */
  wallTime: number;
  value: number;
}

/** What a run remembers between reads: the plugin each tag named (TF2 writes it with a tag's first event only). */
export interface ScalarState {
  plugins: Map<string, string>;
}

export function newScalarState(): ScalarState {
  return { plugins: new Map() };
}

interface TensorProto {
  dtype?: number;
  tensorShape?: { dim?: unknown[] };
  floatVal?: number[];
  doubleVal?: number[];
  halfVal?: number[];
  tensorContent?: Uint8Array;
}

interface SummaryValue {
  tag?: string;
  value?: string;
  simpleValue?: number;
  tensor?: TensorProto;
  metadata?: { pluginData?: { pluginName?: string } };
}

interface EventMessage {
  wallTime?: number;
  step?: number | { toNumber(): number };
  summary?: { value?: SummaryValue[] };
}

function toNumber(value: number | { toNumber(): number } | undefined): number {
  if (value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

/** An IEEE 754 half (its 16 bits in an int) as a number. */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** The single number of a scalar tensor of a float type, or undefined for anything else. */
function tensorScalar(tensor: TensorProto, types: Record<string, number>): number | undefined {
  if ((tensor.tensorShape?.dim?.length ?? 0) > 0) return undefined;
  const content = tensor.tensorContent;
  const view =
    content && content.byteLength > 0
      ? new DataView(content.buffer, content.byteOffset, content.byteLength)
      : undefined;
  switch (tensor.dtype) {
    case types.DT_FLOAT:
      return view && view.byteLength >= 4 ? view.getFloat32(0, true) : tensor.floatVal?.[0];
    case types.DT_DOUBLE:
      return view && view.byteLength >= 8 ? view.getFloat64(0, true) : tensor.doubleVal?.[0];
    case types.DT_HALF: {
      const bits = view && view.byteLength >= 2 ? view.getUint16(0, true) : tensor.halfVal?.[0];
      return bits === undefined ? undefined : halfToNumber(bits);
    }
    default:
      return undefined;
  }
}

let cachedType: protobuf.Type | undefined;
let cachedTypes: Record<string, number> | undefined;

/**
 * The scalar points in event records: `simple_value` (TF1, tensorboardX, PyTorch) and scalar
 * tensors of a float type whose tag's plugin is `scalars` (TF2). Other summaries are passed over.
 */
export function scalarsOf(records: readonly Uint8Array[], state: ScalarState): ScalarPoint[] {
  const points: ScalarPoint[] = [];
  for (const record of records) scalarsIn(record, [0, record.byteLength], state, points);
  return points;
}

/**
 * scalarsOf for the records at `spans` (start and end offsets in turn, as recordSpans gives them)
 * in `buffer`, decoded in place by one protobufjs reader; the points are appended to `into`.
 */
export function scalarsIn(
  buffer: Uint8Array,
  spans: readonly number[],
  state: ScalarState,
  into: ScalarPoint[] = [],
): ScalarPoint[] {
  cachedType ??= eventType();
  cachedTypes ??= dataTypes();
  const reader = protobuf.Reader.create(buffer);
  for (let i = 0; i < spans.length; i += 2) {
    reader.pos = spans[i]!;
    const event = cachedType.decode(reader, spans[i + 1]! - spans[i]!) as unknown as EventMessage;
    const values = event.summary?.value;
    if (!values) continue;
    const step = toNumber(event.step);
    const wallTime = event.wallTime ?? 0;
    for (const value of values) {
      const tag = value.tag ?? '';
      const plugin = value.metadata?.pluginData?.pluginName;
      if (plugin) state.plugins.set(tag, plugin);
      if (value.value === 'simpleValue' && value.simpleValue !== undefined) {
        into.push({ tag, step, wallTime, value: value.simpleValue });
      } else if (value.value === 'tensor' && value.tensor && state.plugins.get(tag) === 'scalars') {
        const number = tensorScalar(value.tensor, cachedTypes);
        if (number !== undefined) into.push({ tag, step, wallTime, value: number });
      }
    }
  }
  return into;
}
