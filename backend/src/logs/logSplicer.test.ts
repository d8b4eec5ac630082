import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { encodeLogLine, parseLogLine, type LogLine, type LogStream } from './logFormat.js';
import { LogSplicer } from './logSplicer.js';

const WIRE = { out: 'stdout', err: 'stderr', platform: 'platform' } as const;
const T = '2026-01-01T00:00:00.000Z';

function splicer(): LogSplicer {
  const before = (s: LogStream) => `","instance":3,"stream":"${WIRE[s]}","text":`;
  return new LogSplicer({
    head: '{"time":"',
    beforeMessage: { out: before('out'), err: before('err'), platform: before('platform') },
    beforeSeq: ',"seq":',
    tail: '}',
    separator: ',',
  });
}

/** What a line must become: the full parse, as the wire's object. */
function wire(line: LogLine): unknown {
  return { time: line.t, instance: 3, stream: WIRE[line.s], text: line.m, seq: line.seq };
}

/** Splices `text` from `fromSeq` and parses the output (valid UTF-8, as a WebSocket text frame must be) as a JSON array. */
function spliced(
  text: string | Buffer,
  fromSeq = 0,
  s = splicer(),
): { lines: unknown[]; count: number; nextSeq: number } {
  const result = s.splice(typeof text === 'string' ? Buffer.from(text) : text, fromSeq);
  expect(isUtf8(result.json)).toBe(true);
  const lines = JSON.parse(`[${result.json.toString('utf8')}]`) as unknown[];
  return { lines, count: result.count, nextSeq: result.nextSeq };
}

const messages = [
  '',
  'plain',
  'he said "hi"',
  'back\\slash\\',
  '"}',
  '\\"}',
  '","c":true}',
  'é 中 🚀 naïve',
  '\u0001\t\r\u001f\u007f',
  '\u2028\u2029',
  'lone \ud800 surrogate',
  '</script>',
  'x'.repeat(20_000),
  '日本語'.repeat(7_000),
];

describe('LogSplicer', () => {
  it('copies every line that encodeLogLine writes as the same values, cut or not, for every stream', () => {
    const lines: LogLine[] = [];
    let seq = 1;
    for (const m of messages) {
      for (const s of ['out', 'err', 'platform'] as const) {
        lines.push({ t: T, s, seq: seq++, m });
        lines.push({ t: T, s, seq: seq++, m, c: true });
      }
    }
    const result = spliced(lines.map(encodeLogLine).join(''));
    expect(result.lines).toEqual(lines.map(wire));
    expect(result.count).toBe(lines.length);
    expect(result.nextSeq).toBe(seq);
  });

  it('leaves out lines below fromSeq and lines whose seq goes back, and resumes after the last one', () => {
    const text = [5, 6, 7, 3, 8, 8, 9].map((seq) => encodeLogLine({ t: T, s: 'out', seq, m: `m${seq}` })).join('');
    const result = spliced(text, 6);
    expect(result.lines.map((l) => (l as { seq: number }).seq)).toEqual([6, 7, 8, 9]);
    expect(result.nextSeq).toBe(10);
    expect(spliced(text, 10)).toEqual({ lines: [], count: 0, nextSeq: 10 });
    expect(spliced('', 4)).toEqual({ lines: [], count: 0, nextSeq: 4 });
  });

  it('takes a last line without its newline as whole', () => {
    const text = encodeLogLine({ t: T, s: 'err', seq: 1, m: 'a' }) + encodeLogLine({ t: T, s: 'err', seq: 2, m: 'b' });
    expect(spliced(text.slice(0, -1)).lines).toHaveLength(2);
  });

  it('agrees with the full parse on every torn piece of a line, and always writes valid JSON', () => {
    for (const m of ['ab"}cd', 'é\\"x', '\u0001\\u1234', '日本']) {
      for (const c of [undefined, true] as const) {
        const whole = encodeLogLine({ t: T, s: 'err', seq: 3, m, ...(c ? { c } : {}) }).trimEnd();
        const bytes = Buffer.from(whole);
        for (let cut = 1; cut <= bytes.length; cut++) {
          const torn = bytes.subarray(0, cut);
          const parsed = parseLogLine(torn.toString('utf8'));
          const result = spliced(Buffer.concat([torn, Buffer.from('\n')]));
          expect(result.lines).toEqual(parsed ? [wire(parsed)] : []);
        }
      }
    }
  });

  it('sends foreign layouts through the full parse: other key orders, spaces, CRLF, escapes in the time', () => {
    const foreign = [
      '{"s":"out","t":"T1","seq":1,"m":"a"}',
      '{"t":"T2", "s":"out","seq":2,"m":"b"}',
      '{"t":"T3","s":"out","seq":3,"m":"c"}\r',
      '{"t":"T\\"4","s":"out","seq":4,"m":"d"}',
      '{"t":"T5","s":"out","seq":5,"m":"e","x":1}',
      '{"t":"T6","s":"out","seq":6,"m":"\\u00e9\\/"}',
      '{"t":"T7","s":"out","seq":7.0,"m":"g"}',
      '{"t":"T8","s":"out","seq":8e0,"m":"h"}',
    ];
    const result = spliced(foreign.join('\n') + '\n');
    expect(result.lines).toEqual(foreign.map((text) => wire(parseLogLine(text)!)));
  });

  it('skips what the full parse refuses or the contract cannot carry', () => {
    const refused = [
      '',
      'not json',
      '{"t":"T","s":"bad","seq":1,"m":"a"}',
      '{"t":"T","s":"out","seq":-1,"m":"a"}',
      '{"t":"T","s":"out","seq":1.5,"m":"a"}',
      '{"t":"T","s":"out","seq":012,"m":"a"}',
      '{"t":"T","s":"out","seq":1,"m":"a\tb"}',
      '{"t":"T","s":"out","seq":1,"m":"a\\xb"}',
      '{"t":"T","s":"out","seq":1,"m":"a\\u12"}',
      '{"t":"T","s":"out","seq":1,"m":"a"b"}',
      '{"t":"T","s":"out","seq":1,"m":"a"}}',
      '{"t":"T","s":"out","seq":1,"m":"a","c":true',
      `{"t":"T","s":"out","seq":${2 ** 53},"m":"a"}`,
    ];
    expect(spliced(refused.join('\n') + '\n', 0).lines).toEqual([]);
  });

  it('writes invalid UTF-8 as the decoder does (U+FFFD), not as it is', () => {
    const line = Buffer.concat([
      Buffer.from('{"t":"T","s":"out","seq":1,"m":"a'),
      Buffer.from([0xe6, 0x97]), // the first two bytes of 日
      Buffer.from('b"}\n'),
    ]);
    expect(spliced(line).lines).toEqual([{ time: 'T', instance: 3, stream: 'stdout', text: 'a\ufffdb', seq: 1 }]);
  });

  it('reuses its buffer: a second splice, longer than the first, still comes out whole', () => {
    const s = splicer();
    const short = spliced(encodeLogLine({ t: T, s: 'out', seq: 1, m: 'a' }), 0, s);
    expect(short.count).toBe(1);
    const long: LogLine[] = Array.from({ length: 3000 }, (_, i) => ({ t: T, s: 'out', seq: i + 2, m: 'y'.repeat(i) }));
    const result = spliced(long.map(encodeLogLine).join(''), 0, s);
    expect(result.lines).toEqual(long.map(wire));
  });
});
