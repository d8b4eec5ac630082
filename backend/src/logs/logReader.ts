import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { lowerBound } from './logSeek.js';
import { LOG_TAIL_BYTES, nextSeqFromTail, parseLogLine, type LogLine, type LogStream } from './logFormat.js';

export interface ReadLogOptions {
  /** First sequence number wanted (inclusive). */
  fromSeq?: number;
  /** Earliest line time wanted (inclusive). */
  sinceTime?: Date | string;
  /** Latest line time wanted (inclusive). */
  untilTime?: Date | string;
  /** At most this many lines. */
  limit: number;
  streams?: readonly LogStream[];
  /** Case-insensitive substring of the message. */
  search?: string;
}

export interface LogPage {
  lines: LogLine[];
  /** Pass as `fromSeq` to read on; also where a `followLog` should start. */
  nextSeq: number;
  /** True when the page stopped at `limit` and more matching lines may follow. */
  more: boolean;
}

/**
 * Reads one page of an instance log. Both `seq` and `t` only grow along the file, so the start is
 * found by binary search over byte offsets; then lines are streamed forward, one at a time, until
 * `limit` lines matched or `untilTime` passed. Memory is bounded by the page, not the file.
 */
export async function readLog(file: string, options: ReadLogOptions): Promise<LogPage> {
  const since = options.sinceTime === undefined ? undefined : new Date(options.sinceTime).toISOString();
  const until = options.untilTime === undefined ? undefined : new Date(options.untilTime).toISOString();
  const fromSeq = options.fromSeq ?? 0;
  const streams = options.streams ? new Set(options.streams) : undefined;
  const needle = options.search?.toLowerCase();

  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], nextSeq: fromSeq, more: false };
    throw error;
  }
  let start: number;
  try {
    start = await lowerBound(handle, (line) => line.seq >= fromSeq && (since === undefined || line.t >= since));
  } finally {
    await handle.close();
  }

  const lines: LogLine[] = [];
  let nextSeq = fromSeq;
  let more = false;
  if (options.limit <= 0) return { lines, nextSeq, more: true };
  const input = createReadStream(file, { start });
  const reader = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const text of reader) {
      const line = parseLogLine(text);
      if (!line || line.seq < fromSeq || (since !== undefined && line.t < since)) continue;
      if (until !== undefined && line.t > until) break;
      nextSeq = line.seq + 1;
      if (streams && !streams.has(line.s)) continue;
      if (needle !== undefined && !line.m.toLowerCase().includes(needle)) continue;
      lines.push(line);
      if (lines.length >= options.limit) {
        more = true;
        break;
      }
    }
  } finally {
    reader.close();
    input.destroy();
  }
  return { lines, nextSeq, more };
}

/**
 * The sequence number the next line appended to `file` will get (1 for a missing or empty log).
 * Synchronous on purpose: a caller marks "from here on" before anything else can write.
 */
export function nextLogSeq(file: string): number {
  return nextSeqFromTail(readLogTail(file));
}

/** The last `LOG_TAIL_BYTES` of a log file as text ('' when there is no file yet). */
export function readLogTail(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, LOG_TAIL_BYTES);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}
