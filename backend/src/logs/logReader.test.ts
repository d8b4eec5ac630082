import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLogLine, LineSplitter, parseLogLine, type LogLine, type LogStream } from './logFormat.js';
import { followLog, followLogBlocks, readLogBlocksToEnd } from './logBlocks.js';
import { readLog } from './logReader.js';
import { parseRawLogLine, rawLogLines } from './rawLogLine.js';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const streams: LogStream[] = ['out', 'err', 'platform'];
let dir: string;
let file: string;

function line(seq: number): LogLine {
  return { t: new Date(T0 + seq * 1000).toISOString(), s: streams[seq % 3] ?? 'out', seq, m: `message ${seq}` };
}

function lines(from: number, to: number): string {
  let text = '';
  for (let seq = from; seq <= to; seq++) text += encodeLogLine(line(seq));
  return text;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aiplat-logreader-'));
  file = join(dir, 'big.log');
  writeFileSync(file, lines(1, 2000));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readLog', () => {
  it('pages through the whole file by seq', async () => {
    const seen: number[] = [];
    let fromSeq = 1;
    for (let pages = 0; ; pages++) {
      const page = await readLog(file, { fromSeq, limit: 300 });
      seen.push(...page.lines.map((l) => l.seq));
      fromSeq = page.nextSeq;
      if (!page.more) break;
      expect(pages).toBeLessThan(10);
    }
    expect(seen).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    expect(fromSeq).toBe(2001);
  });

  it('starts in the middle by seq and by time, and stops at the end of the time range', async () => {
    expect((await readLog(file, { fromSeq: 1234, limit: 2 })).lines.map((l) => l.seq)).toEqual([1234, 1235]);
    const page = await readLog(file, {
      sinceTime: new Date(T0 + 500_000),
      untilTime: new Date(T0 + 509_000).toISOString(),
      limit: 100,
    });
    expect(page.lines.map((l) => l.seq)).toEqual([500, 501, 502, 503, 504, 505, 506, 507, 508, 509]);
    expect(page.more).toBe(false);
  });

  it('filters by stream and searches the text', async () => {
    const errs = await readLog(file, { fromSeq: 10, limit: 3, streams: ['err'] });
    expect(errs.lines.map((l) => l.seq)).toEqual([10, 13, 16]);
    const found = await readLog(file, { search: 'MESSAGE 19', limit: 200 });
    const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
    expect(found.lines.map((l) => l.seq)).toEqual([19, ...range(190, 10), ...range(1900, 100)]);
  });

  it('skips a torn line and reads a missing file as empty', async () => {
    const torn = join(dir, 'torn.log');
    writeFileSync(torn, lines(1, 3) + '{"t":"20' + '\n' + lines(4, 5));
    expect((await readLog(torn, { limit: 10 })).lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(await readLog(join(dir, 'missing.log'), { fromSeq: 7, limit: 10 })).toEqual({
      lines: [],
      nextSeq: 7,
      more: false,
    });
  });
});

describe('followLog', () => {
  it('delivers existing lines from fromSeq, then appended ones, including a line written in two parts', async () => {
    const tailed = join(dir, 'tail.log');
    writeFileSync(tailed, lines(1, 10));
    const got: number[] = [];
    let notify = (): void => undefined;
    const dispose = followLog(tailed, 6, (batch) => {
      got.push(...batch.map((l) => l.seq));
      notify();
    });
    const until = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${got.length} lines`)), 5_000);
        notify = () => {
          if (got.length >= n) {
            clearTimeout(timer);
            resolve();
          }
        };
        notify();
      });
    await until(5);
    appendFileSync(tailed, lines(11, 20));
    const half = encodeLogLine(line(21));
    appendFileSync(tailed, half.slice(0, 10));
    await until(15);
    appendFileSync(tailed, half.slice(10));
    await until(16);
    dispose();
    dispose();
    expect(got).toEqual(Array.from({ length: 16 }, (_, i) => i + 6));
  });
});

describe('readLogBlocksToEnd', () => {
  it('hands out the whole lines from fromSeq, each block ending at a newline, whatever the read size', async () => {
    const multi = join(dir, 'multi.log');
    const written: LogLine[] = Array.from({ length: 40 }, (_, i) => ({
      t: new Date(T0 + i).toISOString(),
      s: 'out',
      seq: i + 1,
      m: `${'日本語🚀é'.repeat(i % 7)} ${i}`,
    }));
    // A torn last line (a writer killed mid-line) is not handed out.
    writeFileSync(multi, written.map(encodeLogLine).join('') + encodeLogLine(line(41)).slice(0, 20));
    const whole = Buffer.from(written.slice(9).map(encodeLogLine).join(''));
    // 7 bytes: every read ends inside a line, most inside a character; 100: lines span reads.
    for (const blockBytes of [7, 100, 4096]) {
      const blocks: Buffer[] = [];
      await readLogBlocksToEnd(multi, 10, (block) => void blocks.push(Buffer.from(block)), blockBytes);
      for (const block of blocks) expect(block.at(-1)).toBe(0x0a);
      expect(Buffer.concat(blocks).equals(whole)).toBe(true);
      expect(blocks.flatMap((block) => rawLogLines(block)).map((l) => JSON.parse(l.mJson) as string)).toEqual(
        written.slice(9).map((l) => l.m),
      );
    }
    const none: Buffer[] = [];
    await readLogBlocksToEnd(join(dir, 'missing.log'), 0, (block) => void none.push(block));
    expect(none).toEqual([]);
  });
});

describe('followLogBlocks', () => {
  it('hands out only whole lines, also one written in two parts split inside a character', async () => {
    const tailed = join(dir, 'blocks.log');
    writeFileSync(tailed, lines(1, 3));
    const got: string[] = [];
    let notify = (): void => undefined;
    const dispose = followLogBlocks(
      tailed,
      2,
      (block) => {
        got.push(block.toString('utf8')); // a block is the reader's buffer: decode it now
        notify();
      },
      { blockBytes: 16, pollIntervalMs: 20 },
    );
    const until = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`got ${JSON.stringify(got)}`)), 5_000);
        notify = () => {
          if (got.join('') === text) {
            clearTimeout(timer);
            resolve();
          }
        };
        notify();
      });
    await until(lines(2, 3));
    const next = Buffer.from(encodeLogLine({ ...line(4), m: 'naïve 日本' }));
    const split = next.indexOf(Buffer.from('日')) + 1;
    appendFileSync(tailed, next.subarray(0, split));
    appendFileSync(tailed, next.subarray(split));
    await until(lines(2, 3) + next.toString('utf8'));
    dispose();
    for (const block of got) expect(block.endsWith('\n')).toBe(true);
  });
});

describe('LineSplitter', () => {
  it('keeps UTF-8 characters split across chunks, strips CRLF, splits long lines, flushes the rest', () => {
    const splitter = new LineSplitter(4);
    const bytes = Buffer.from('日本\r\nabcdefghij\nxy');
    const pieces = [...splitter.push(bytes.subarray(0, 2)), ...splitter.push(bytes.subarray(2)), ...splitter.end()];
    expect(pieces).toEqual([
      { text: '日本', cut: false },
      { text: 'abcd', cut: true },
      { text: 'efgh', cut: true },
      { text: 'ij', cut: false },
      { text: 'xy', cut: true },
    ]);
  });
});

describe('parseRawLogLine', () => {
  const samples = [
    '',
    'plain',
    'he said "hi"',
    'back\\slash\\',
    '"}',
    '\\"}',
    'é 中 🚀',
    '\u0001\t\r',
    'x'.repeat(20_000),
  ];
  it.each(samples.map((m, i) => [i, m] as const))('keeps message %i as the JSON it was written as', (i, m) => {
    for (const line of [
      { t: '2026-01-01T00:00:00.000Z', s: 'out' as const, seq: i, m },
      { t: '2026-01-01T00:00:00.000Z', s: 'platform' as const, seq: i, m, c: true as const },
    ]) {
      const raw = parseRawLogLine(encodeLogLine(line).trimEnd());
      expect(raw).toEqual({ t: line.t, s: line.s, seq: i, mJson: JSON.stringify(m) });
      expect(JSON.parse(raw!.mJson)).toBe(m);
    }
  });

  it('refuses torn lines and foreign text, like the full parse', () => {
    const whole = encodeLogLine({ t: 't', s: 'err', seq: 3, m: 'ab"}cd' }).trimEnd();
    for (let cut = 1; cut < whole.length; cut++) {
      const torn = whole.slice(0, cut);
      const raw = parseRawLogLine(torn);
      if (raw) expect(JSON.parse(raw.mJson)).toBeTypeOf('string');
      expect(raw === undefined).toBe(parseLogLine(torn) === undefined);
    }
    expect(parseRawLogLine('not json')).toBeUndefined();
    expect(parseRawLogLine('{"t":"x","s":"bad","seq":1,"m":"a"}')).toBeUndefined();
  });
});
