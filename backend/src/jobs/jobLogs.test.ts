import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobLogBatchSchema, type JobLogBatch, type LogLine } from '@aiplat/api';
import { encodeLogLine, type LogLine as FileLogLine } from '../logs/logFormat.js';
import type { RawLogLine } from '../logs/rawLogLine.js';
import { decodeLogCursor, followJobLogs, toApiLine, type LogCursor, type LogSource } from './jobLogs.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aiplat-joblogs-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Lines `from..to` of an instance log: every stream, multi-byte text, quotes and escapes, cut pieces. */
function fileLines(from: number, to: number): FileLogLine[] {
  const out: FileLogLine[] = [];
  for (let seq = from; seq <= to; seq++) {
    const s = seq % 7 === 0 ? 'platform' : seq % 3 === 0 ? 'err' : 'out';
    const m = `line ${seq} ${'日本語🚀é'.repeat(seq % 5)} "q" \\ \t${'x'.repeat(seq % 11)}`;
    out.push({ t: new Date(T0 + seq).toISOString(), s, seq, m, ...(seq % 13 === 0 ? { c: true as const } : {}) });
  }
  return out;
}

function writeLog(name: string, lines: FileLogLine[], extra = ''): string {
  const file = join(dir, name);
  writeFileSync(file, lines.map(encodeLogLine).join('') + extra);
  return file;
}

interface Received {
  batches: JobLogBatch[];
  /** The JSON text of each batch, as the WebSocket would carry it. */
  texts: string[];
}

/** Follows `sources` from `cursor` to the end (the job has finished), the way the WebSocket does. */
async function followToEnd(
  sources: LogSource[],
  cursor: LogCursor,
  options: { blockBytes?: number; decoded?: boolean } = {},
): Promise<Received> {
  const received: Received = { batches: [], texts: [] };
  const follow = followJobLogs({
    sources,
    cursor,
    ...(options.blockBytes === undefined ? {} : { blockBytes: options.blockBytes }),
    send: (batch) => {
      received.batches.push(JobLogBatchSchema.parse(batch));
      return Promise.resolve();
    },
    ...(options.decoded
      ? {}
      : {
          sendEncoded: (json: string) => {
            received.texts.push(json);
            received.batches.push(JobLogBatchSchema.parse(JSON.parse(json)));
            return Promise.resolve();
          },
        }),
  });
  await follow.finish();
  follow.dispose();
  return received;
}

function api(index: number, lines: FileLogLine[]): LogLine[] {
  return lines.map((l) => toApiLine(index, l));
}

describe('followJobLogs', () => {
  it('sends every line once, in order, as contract batches whose cursors resume exactly after them', async () => {
    const lines = fileLines(1, 400);
    const file = writeLog('one.log', lines);
    // 300 bytes: most reads end inside a line, many inside a character; batches of a few lines.
    const { batches, texts } = await followToEnd([{ index: 0, file }], {}, { blockBytes: 300 });
    expect(batches.length).toBeGreaterThan(20);
    expect(batches.at(-1)).toEqual({ lines: [], cursor: batches.at(-2)?.cursor, end: true });
    expect(texts.every((t) => Buffer.from(t).toString('utf8') === t)).toBe(true);
    expect(batches.flatMap((b) => b.lines)).toEqual(api(0, lines));
    for (const batch of batches.slice(0, -1)) {
      expect(decodeLogCursor(batch.cursor)).toEqual({ 0: batch.lines.at(-1)!.seq + 1 });
    }
    // Resuming from any batch's cursor gives exactly the lines after it.
    for (const i of [0, 5, batches.length - 2]) {
      const resumed = await followToEnd([{ index: 0, file }], decodeLogCursor(batches[i]!.cursor));
      const after = batches[i]!.lines.at(-1)!.seq;
      expect(resumed.batches.flatMap((b) => b.lines)).toEqual(api(0, lines.slice(after)));
    }
  });

  it('sends the same lines whether the receiver takes JSON text or decoded batches', async () => {
    const file = writeLog('same.log', fileLines(1, 50));
    const encoded = await followToEnd([{ index: 2, file }], { 2: 10 }, { blockBytes: 512 });
    const decoded = await followToEnd([{ index: 2, file }], { 2: 10 }, { blockBytes: 512, decoded: true });
    expect(decoded.batches).toEqual(encoded.batches);
    expect(encoded.batches.flatMap((b) => b.lines)).toEqual(api(2, fileLines(10, 50)));
  });

  it('skips a torn line, reads on past it, and leaves out a torn last line until it is whole', async () => {
    const before = fileLines(1, 5);
    const after = fileLines(6, 8);
    const torn = encodeLogLine(fileLines(99, 99)[0]!).slice(0, 30);
    const file = writeLog('torn.log', before, torn + '\n' + after.map(encodeLogLine).join('') + torn);
    const { batches } = await followToEnd([{ index: 1, file }], {});
    expect(batches.flatMap((b) => b.lines)).toEqual(api(1, [...before, ...after]));
    expect(decodeLogCursor(batches.at(-1)!.cursor)).toEqual({ 1: 9 });
  });

  it('follows several instances, each from its own place in the cursor, with cursors that only grow', async () => {
    const a = writeLog('a.log', fileLines(1, 120));
    const b = writeLog('b.log', fileLines(1, 80));
    const { batches } = await followToEnd(
      [
        { index: 0, file: a },
        { index: 1, file: b },
      ],
      { 0: 100, 1: 3 },
      { blockBytes: 1024 },
    );
    const got = batches.flatMap((batch) => batch.lines);
    expect(got.filter((l) => l.instance === 0)).toEqual(api(0, fileLines(100, 120)));
    expect(got.filter((l) => l.instance === 1)).toEqual(api(1, fileLines(3, 80)));
    let last: LogCursor = { 0: 100, 1: 3 };
    for (const batch of batches) {
      const cursor = decodeLogCursor(batch.cursor);
      for (const index of [0, 1]) expect(cursor[index]!).toBeGreaterThanOrEqual(last[index]!);
      last = cursor;
    }
    expect(last).toEqual({ 0: 121, 1: 81 });
  });

  it('delivers lines appended while following, and hands raw lines to a raw receiver', async () => {
    const file = writeLog('live.log', fileLines(1, 3));
    const raw: RawLogLine[] = [];
    let notify = (): void => undefined;
    const follow = followJobLogs({
      sources: [{ index: 0, file }],
      cursor: { 0: 2 },
      pollIntervalMs: 20,
      send: () => Promise.reject(new Error('not wanted')),
      receiveRaw: (_index, lines) => {
        raw.push(...lines);
        notify();
        return Promise.resolve();
      },
    });
    const until = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${raw.length} lines`)), 5_000);
        notify = () => {
          if (raw.length >= n) {
            clearTimeout(timer);
            resolve();
          }
        };
        notify();
      });
    await until(2);
    appendFileSync(file, fileLines(4, 9).map(encodeLogLine).join(''));
    await until(8);
    await follow.finish();
    follow.dispose();
    expect(raw.map((l) => [l.seq, JSON.parse(l.mJson) as string])).toEqual(fileLines(2, 9).map((l) => [l.seq, l.m]));
  });
});
