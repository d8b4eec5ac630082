import { parseLogLine, type LogStream } from './logFormat.js';

const NEWLINE = 0x0a;

/** A log line whose message is left as the JSON string it is in the file (no decode, no re-encode). */
export interface RawLogLine {
  t: string;
  s: LogStream;
  seq: number;
  /** The message as a JSON string literal, quotes included. */
  mJson: string;
}

const T_KEY = '{"t":"';
const S_KEY = '","s":"';
const SEQ_KEY = '","seq":';
const M_KEY = ',"m":';
const CUT_TAIL = ',"c":true}';

/**
 * Splits a log line without decoding its message. `encodeLogLine` writes the keys in one order and
 * the message as one JSON string, inside which every `"` is escaped: so the line is well formed when
 * the last `"` before the closing brace is preceded by an even number of backslashes. Any other
 * layout (or a torn line) goes through the full parse.
 */
export function parseRawLogLine(text: string): RawLogLine | undefined {
  fast: if (text.startsWith(T_KEY)) {
    const tEnd = text.indexOf('"', T_KEY.length);
    if (tEnd === -1 || !text.startsWith(S_KEY, tEnd)) break fast;
    const sStart = tEnd + S_KEY.length;
    const sEnd = text.indexOf('"', sStart);
    const s = text.slice(sStart, sEnd);
    if ((s !== 'out' && s !== 'err' && s !== 'platform') || !text.startsWith(SEQ_KEY, sEnd)) break fast;
    const seqStart = sEnd + SEQ_KEY.length;
    const seqEnd = text.indexOf(',', seqStart);
    const seq = Number(text.slice(seqStart, seqEnd));
    if (seqEnd === -1 || !Number.isSafeInteger(seq) || seq < 0 || !text.startsWith(M_KEY, seqEnd)) break fast;
    const mStart = seqEnd + M_KEY.length;
    const mEnd = text.endsWith(CUT_TAIL) ? text.length - CUT_TAIL.length : text.length - 1;
    if (text.charCodeAt(text.length - 1) !== 0x7d || text.charCodeAt(mStart) !== 0x22) break fast;
    if (mEnd - 1 <= mStart || text.charCodeAt(mEnd - 1) !== 0x22) break fast;
    let backslashes = 0;
    while (text.charCodeAt(mEnd - 2 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 !== 0) break fast;
    return { t: text.slice(T_KEY.length, tEnd), s, seq, mJson: text.slice(mStart, mEnd) };
  }
  const line = parseLogLine(text);
  return line ? { t: line.t, s: line.s, seq: line.seq, mJson: JSON.stringify(line.m) } : undefined;
}

/** The lines of a block of whole lines (see `OnLogBlock`), raw; torn or foreign lines left out. */
export function rawLogLines(block: Buffer): RawLogLine[] {
  return linesOfBlock(block, parseRawLogLine);
}

export function linesOfBlock<L>(block: Buffer, decode: (text: string) => L | undefined): L[] {
  const lines: L[] = [];
  const end = block[block.length - 1] === NEWLINE ? block.length - 1 : block.length;
  for (const text of block.toString('utf8', 0, end).split('\n')) {
    const line = decode(text);
    if (line) lines.push(line);
  }
  return lines;
}
