import { StringDecoder } from 'node:string_decoder';

/**
 * One line of an instance log file. The file is JSON lines, one object per line, append-only:
 * `{"t":"2025-01-01T00:00:00.000Z","s":"out","seq":1,"m":"text"}`. `seq` increases by one per line
 * within a file (across restarts of the same instance too), `t` is when the supervisor read the
 * line, `s` tells the program's own streams apart from the platform's lines. `c: true` marks a
 * piece of a longer line that was split at `MAX_LINE_CHARS` or a last line without its newline.
 */
export interface LogLine {
  t: string;
  s: LogStream;
  seq: number;
  m: string;
  c?: true;
}

export type LogStream = 'out' | 'err' | 'platform';

export const LOG_STREAMS: readonly LogStream[] = ['out', 'err', 'platform'];

/** Lines longer than this are split into pieces, each its own log line. */
export const MAX_LINE_CHARS = 16 * 1024;

export function encodeLogLine(line: LogLine): string {
  return JSON.stringify(line) + '\n';
}

/** Parses one line of a log file; undefined for a torn or foreign line. */
export function parseLogLine(text: string): LogLine | undefined {
  if (text.length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.t !== 'string' || typeof v.seq !== 'number' || typeof v.m !== 'string') return undefined;
  if (v.s !== 'out' && v.s !== 'err' && v.s !== 'platform') return undefined;
  const line: LogLine = { t: v.t, s: v.s, seq: v.seq, m: v.m };
  if (v.c === true) line.c = true;
  return line;
}

/** Bytes from the end of a log that always hold its last whole line (lines are at most ~16 KiB). */
export const LOG_TAIL_BYTES = 64 * 1024;

/** The whole lines of a log's tail, oldest first (a torn first or last line is left out). */
export function linesOfTail(tail: string): LogLine[] {
  const out: LogLine[] = [];
  for (const text of tail.split('\n')) {
    const parsed = parseLogLine(text);
    if (parsed) out.push(parsed);
  }
  return out;
}

/** The sequence number after the last whole line of a log's tail; 1 when it has none (sequences start at 1). */
export function nextSeqFromTail(tail: string): number {
  const last = linesOfTail(tail).at(-1);
  return last ? last.seq + 1 : 1;
}

/** A piece of program output: the text without its newline, and whether it was cut short. */
export interface TextPiece {
  text: string;
  cut: boolean;
}

/**
 * Turns a byte stream into lines: UTF-8 safe across chunk boundaries, `\r\n` tolerated, lines over
 * `maxChars` split. Holds at most one partial line of at most `maxChars` characters.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly maxChars: number = MAX_LINE_CHARS) {}

  push(chunk: Buffer): TextPiece[] {
    return this.split(this.pending + this.decoder.write(chunk));
  }

  /** The partial last line, if any (called when the stream ends). */
  end(): TextPiece[] {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    return rest.length > 0 ? [{ text: rest, cut: true }] : [];
  }

  private split(text: string): TextPiece[] {
    const out: TextPiece[] = [];
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      this.pushLine(out, text.slice(start, nl).replace(/\r$/, ''));
      start = nl + 1;
    }
    let rest = text.slice(start);
    while (rest.length > this.maxChars) {
      out.push({ text: rest.slice(0, this.maxChars), cut: true });
      rest = rest.slice(this.maxChars);
    }
    this.pending = rest;
    return out;
  }

  private pushLine(out: TextPiece[], line: string): void {
    let rest = line;
    while (rest.length > this.maxChars) {
      out.push({ text: rest.slice(0, this.maxChars), cut: true });
      rest = rest.slice(this.maxChars);
    }
    out.push({ text: rest, cut: false });
  }
}
