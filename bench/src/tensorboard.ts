/**
 * TensorBoard event files benchmark (`npm run bench`): the backend's tfevents reader (TFRecord
 * framing with CRC32C checks, protobufjs decoding of TensorBoard's Event protos, per-tag reservoir)
 * on files written with the same protos.
 *   (a) a 1M-event file read whole by a fresh RunReader: events/s, against a raw read of the same
 *       file (readFile) measured in the same run; target >= 1,000,000 events/s
 *   (b) a ~100 MB file read once, then 1,000 events appended and read again, 20 times: the
 *       incremental read's median and p95; target median < 5 ms
 */
import { appendFileSync, openSync, closeSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
// The benchmark measures the backend's reader in-process, as the backend uses it.
import { dataTypes, eventType } from '@aiplat/backend/tensorboard/eventProtos.js';
import { RunReader } from '@aiplat/backend/tensorboard/runReader.js';
import { frameRecord } from '@aiplat/backend/tensorboard/tfrecord.js';
import { median, percentile } from './stats.js';

const EVENTS = Number(process.env.BENCH_TFEVENTS ?? 1_000_000);
const BIG_MB = Number(process.env.BENCH_TFEVENTS_MB ?? 100);
const APPEND = 1_000;
const PARSE_RUNS = 5;
const APPEND_RUNS = 20;
const TARGET_EVENTS_PER_S = 1_000_000;
const TARGET_APPEND_MS = 5;
const FILE = 'events.out.tfevents.1700000000.bench';
const TAGS = ['train/loss', 'train/accuracy', 'train/lr', 'eval/loss'];

/**
 * The records of events `from`..`to`-1: mostly simple_value (TF1, tensorboardX, PyTorch), every
 * tenth a TF2 scalar tensor (float_val, double_val or float tensor_content in turn), tags taking
 * turns.
 */
function records(from: number, to: number): Buffer {
  const type = eventType();
  const types = dataTypes();
  const parts: Uint8Array[] = [];
  for (let i = from; i < to; i++) {
    const tag = TAGS[i % TAGS.length]!;
    const step = Math.floor(i / TAGS.length);
    const value = 1 / (1 + step);
    const summaryValue: Record<string, unknown> = { tag };
    if (i % 10 === 9) {
      summaryValue.tensor = tensorOf(Math.floor(i / 10) % 3, value, types);
      summaryValue.metadata = { pluginData: { pluginName: 'scalars' } };
    } else summaryValue.simpleValue = value;
    const event = type.create({ wallTime: 1_700_000_000 + i / 100, step, summary: { value: [summaryValue] } });
    parts.push(frameRecord(type.encode(event).finish()));
  }
  return Buffer.concat(parts);
}

/** A TF2 scalar tensor, as TensorFlow writes them: float_val, double_val, or the float's 4 bytes. */
function tensorOf(kind: number, value: number, types: Record<string, number>): Record<string, unknown> {
  if (kind === 0) return { dtype: types.DT_FLOAT, tensorShape: {}, floatVal: [value] };
  if (kind === 1) return { dtype: types.DT_DOUBLE, tensorShape: {}, doubleVal: [value] };
  const content = Buffer.alloc(4);
  content.writeFloatLE(value);
  return { dtype: types.DT_FLOAT, tensorShape: {}, tensorContent: content };
}

/** Writes events in batches until the file holds `count` events or `bytes` bytes; returns the count. */
function writeEvents(file: string, limit: { count?: number; bytes?: number }): number {
  const fd = openSync(file, 'w');
  let written = 0;
  let bytes = 0;
  try {
    while ((limit.count === undefined || written < limit.count) && (limit.bytes === undefined || bytes < limit.bytes)) {
      const next = limit.count === undefined ? written + 50_000 : Math.min(limit.count, written + 50_000);
      const chunk = records(written, next);
      writeSync(fd, chunk);
      bytes += chunk.length;
      written = next;
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-bench-tfevents-'));
  let failed = false;
  try {
    // (a) 1M events: parse against a raw read of the same bytes.
    const runA = path.join(dir, 'a');
    await mkdir(runA);
    const fileA = path.join(runA, FILE);
    writeEvents(fileA, { count: EVENTS });
    const { size } = await stat(fileA);
    const raw: number[] = [];
    const parse: number[] = [];
    for (let i = 0; i < PARSE_RUNS; i++) {
      let t = performance.now();
      await readFile(fileA);
      raw.push(performance.now() - t);
      const reader = new RunReader(runA);
      t = performance.now();
      const { points, issues } = await reader.read();
      parse.push(performance.now() - t);
      if (points.length !== EVENTS || issues.length > 0) {
        throw new Error(`read ${points.length} of ${EVENTS} events with ${issues.length} issues`);
      }
    }
    const parseMs = median(parse);
    const rawMs = median(raw);
    const eventsPerS = EVENTS / (parseMs / 1000);
    console.log(
      `(a) ${EVENTS.toLocaleString('en')} events, ${(size / 1e6).toFixed(1)} MB: parsed in ${parseMs.toFixed(0)} ms ` +
        `(median of ${PARSE_RUNS}) = ${Math.round(eventsPerS).toLocaleString('en')} events/s, ${(size / 1e6 / (parseMs / 1000)).toFixed(0)} MB/s`,
    );
    console.log(
      `    raw read (readFile) ${rawMs.toFixed(1)} ms = ${(size / 1e6 / (rawMs / 1000)).toFixed(0)} MB/s; ` +
        `ratio parse / raw read: ${(parseMs / rawMs).toFixed(1)}`,
    );
    const okA = eventsPerS >= TARGET_EVENTS_PER_S;
    console.log(`    target >= ${TARGET_EVENTS_PER_S.toLocaleString('en')} events/s: ${okA ? 'met' : 'MISSED'}`);
    failed ||= !okA;

    // (b) incremental: 1,000 events appended to a ~100 MB file.
    const runB = path.join(dir, 'b');
    await mkdir(runB);
    const fileB = path.join(runB, FILE);
    let count = writeEvents(fileB, { bytes: BIG_MB * 1e6 });
    const reader = new RunReader(runB);
    const first = performance.now();
    await reader.read();
    const firstMs = performance.now() - first;
    const times: number[] = [];
    for (let i = 0; i < APPEND_RUNS; i++) {
      appendFileSync(fileB, records(count, count + APPEND));
      count += APPEND;
      const t = performance.now();
      const { points } = await reader.read();
      times.push(performance.now() - t);
      if (points.length !== APPEND) throw new Error(`the incremental read gave ${points.length} points, not ${APPEND}`);
    }
    const appendMs = median(times);
    console.log(
      `(b) ${BIG_MB} MB file (${count.toLocaleString('en')} events; first read ${firstMs.toFixed(0)} ms): ` +
        `${APPEND} appended events read in ${appendMs.toFixed(2)} ms median, ${percentile(times, 0.95).toFixed(2)} ms p95 ` +
        `(${APPEND_RUNS} runs); ratio to a full re-read: ${(appendMs / firstMs).toFixed(4)}`,
    );
    const okB = appendMs < TARGET_APPEND_MS;
    console.log(`    target median < ${TARGET_APPEND_MS} ms: ${okB ? 'met' : 'MISSED'}`);
    failed ||= !okB;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

void main();
