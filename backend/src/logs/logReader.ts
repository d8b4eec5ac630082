import { closeSync, createReadStream, fstatSync, openSync, readSync, watch, type FSWatcher } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { createInterface } from 'node:readline';
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

export interface FollowOptions {
  /** Fallback poll, for when fs.watch misses an event. */
  pollIntervalMs?: number;
  /** Bytes read at a time (`LOG_BLOCK_BYTES`); a line longer than that is read whole anyway. */
  blockBytes?: number;
}

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

function linesOfBlock<L>(block: Buffer, decode: (text: string) => L | undefined): L[] {
  const lines: L[] = [];
  const end = block[block.length - 1] === NL ? block.length - 1 : block.length;
  for (const text of block.toString('utf8', 0, end).split('\n')) {
    const line = decode(text);
    if (line) lines.push(line);
  }
  return lines;
}

/**
 * Takes whole lines of a log as bytes, each ending in a newline, as read. The bytes are the reader's
 * own buffer: valid until the promise returned for them settles (or, without one, until return).
 */
export type OnLogBlock = (block: Buffer) => void | Promise<void>;

const NL = 0x0a;
/**
 * How much a follow or a read to the end reads at a time, and so about the most one block holds
 * (more only for a line longer than that). Re-encoded as a batch (~1.15 times as long), a block
 * stays below 128 KiB, V8's largest young-generation string: larger strings cost ~5 times as much
 * per byte to make, measure and write (bench/src/logFanout.ts).
 */
export const LOG_BLOCK_BYTES = 96 * 1024;

/** Where a reader stands: the next byte to read, and a torn line read so far at the start of `buf`. */
interface BlockState {
  position: number;
  buf: Buffer;
  carry: number;
}

/**
 * Reads from `state.position` up to `size`, handing each read's whole lines to `onBlock` (awaited)
 * and keeping the torn rest at the start of the buffer, which doubles for a line longer than it.
 */
async function readBlocks(
  handle: FileHandle,
  state: BlockState,
  size: number,
  onBlock: OnLogBlock,
  stopped: () => boolean,
): Promise<void> {
  while (!stopped() && state.position < size) {
    if (state.carry === state.buf.length) {
      const bigger = Buffer.allocUnsafe(state.buf.length * 2);
      state.buf.copy(bigger, 0, 0, state.carry);
      state.buf = bigger;
    }
    const room = Math.min(state.buf.length - state.carry, size - state.position);
    const { bytesRead } = await handle.read(state.buf, state.carry, room, state.position);
    if (bytesRead === 0) break;
    state.position += bytesRead;
    const filled = state.carry + bytesRead;
    const last = state.buf.lastIndexOf(NL, filled - 1);
    if (last === -1) {
      state.carry = filled;
      continue;
    }
    await onBlock(state.buf.subarray(0, last + 1));
    state.buf.copyWithin(0, last + 1, filled);
    state.carry = filled - last - 1;
  }
}

/** Lines from `onBlock`'s blocks whose seq keeps growing from `fromSeq`, to `onLines` (awaited). */
function linesFrom<L extends { seq: number }>(
  fromSeq: number,
  decode: (text: string) => L | undefined,
  onLines: (lines: L[]) => void | Promise<void>,
): OnLogBlock {
  let next = fromSeq;
  return async (block) => {
    const fresh: L[] = [];
    for (const line of linesOfBlock(block, decode)) {
      if (line.seq < next) continue;
      fresh.push(line);
      next = line.seq + 1;
    }
    if (fresh.length > 0) await onLines(fresh);
  };
}

/**
 * Tails a growing log from `fromSeq`: calls `onLines` with each batch of new complete lines (at most
 * one read's worth). If `onLines` returns a promise, reading waits for it: backpressure. Returns
 * the disposer. Works before the file exists and on a file that is replaced.
 */
export function followLog(
  file: string,
  fromSeq: number,
  onLines: (lines: LogLine[]) => void | Promise<void>,
  options: FollowOptions = {},
): () => void {
  return followLogBlocks(file, fromSeq, linesFrom(fromSeq, parseLogLine, onLines), options);
}

/**
 * `followLog` handing out the new whole lines as the bytes they are in the file (`OnLogBlock`), for
 * a reader that re-encodes them without decoding them. A block starts at the first line with
 * `seq >= fromSeq`; after a file was replaced it starts at the top again, so a block may hold lines
 * below the ones seen: the reader skips them (see `LogSplicer`).
 */
export function followLogBlocks(
  file: string,
  fromSeq: number,
  onBlock: OnLogBlock,
  options: FollowOptions = {},
): () => void {
  let disposed = false;
  let state: BlockState | undefined;
  let running = false;
  let again = false;

  const pump = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await readAppended();
      } while (again && !disposed);
    } catch {
      // A file that vanished or is unreadable for now: the next event or poll retries.
    } finally {
      running = false;
    }
  };

  const readAppended = async (): Promise<void> => {
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch {
      return;
    }
    try {
      const size = (await handle.stat()).size;
      state ??= {
        position: await lowerBound(handle, (line) => line.seq >= fromSeq),
        buf: Buffer.allocUnsafe(options.blockBytes ?? LOG_BLOCK_BYTES),
        carry: 0,
      };
      if (size < state.position) {
        state.position = 0; // replaced or truncated
        state.carry = 0;
      }
      await readBlocks(handle, state, size, onBlock, () => disposed);
    } finally {
      await handle.close();
    }
  };

  const name = basename(file);
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(file), (_event, changed) => {
      if (changed === name) void pump();
    });
    watcher.on('error', () => undefined);
  } catch {
    watcher = undefined;
  }
  const poll = setInterval(() => void pump(), options.pollIntervalMs ?? 1_000);
  poll.unref();
  void pump();

  return () => {
    if (disposed) return;
    disposed = true;
    watcher?.close();
    clearInterval(poll);
  };
}

/**
 * Reads a log that no longer grows from the first line with `seq >= fromSeq` to its end, in blocks
 * of whole lines (`OnLogBlock`); a torn last line is left out. A missing file reads as empty.
 */
export async function readLogBlocksToEnd(
  file: string,
  fromSeq: number,
  onBlock: OnLogBlock,
  blockBytes = LOG_BLOCK_BYTES,
): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    const size = (await handle.stat()).size;
    const position = await lowerBound(handle, (line) => line.seq >= fromSeq);
    const state: BlockState = { position, buf: Buffer.allocUnsafe(blockBytes), carry: 0 };
    await readBlocks(handle, state, size, onBlock, () => false);
  } finally {
    await handle.close();
  }
}

/**
 * The byte offset of the first line for which `reached` holds (the file's size if none), assuming
 * `reached` is false then true along the file. Torn lines take the verdict of the next line.
 */
async function lowerBound(handle: FileHandle, reached: (line: LogLine) => boolean): Promise<number> {
  const size = (await handle.stat()).size;
  let lo = 0; // always the start of a line
  let hi = size;
  let best = size;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const start = await nextLineStart(handle, mid, size);
    if (start >= hi) {
      hi = mid;
      continue;
    }
    let { text, end } = await lineAt(handle, start, size);
    let line = parseLogLine(text);
    // A torn line says nothing: judge it by the next readable one.
    while (!line && end < size) {
      ({ text, end } = await lineAt(handle, end, size));
      line = parseLogLine(text);
    }
    if (!line || reached(line)) {
      best = start;
      hi = mid;
    } else {
      lo = end;
    }
  }
  return best;
}

/** The smallest line start at or after `offset`. */
async function nextLineStart(handle: FileHandle, offset: number, size: number): Promise<number> {
  if (offset === 0) return 0;
  const buf = Buffer.alloc(4096);
  for (let pos = offset - 1; pos < size;) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, size - pos), pos);
    if (bytesRead === 0) break;
    const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
    if (nl !== -1) return pos + nl + 1;
    pos += bytesRead;
  }
  return size;
}

/** The line starting at `start` (without its newline) and the offset just after it. */
async function lineAt(handle: FileHandle, start: number, size: number): Promise<{ text: string; end: number }> {
  const parts: Buffer[] = [];
  const buf = Buffer.alloc(4096);
  for (let pos = start; pos < size;) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, size - pos), pos);
    if (bytesRead === 0) break;
    const chunk = buf.subarray(0, bytesRead);
    const nl = chunk.indexOf(0x0a);
    if (nl !== -1) {
      parts.push(Buffer.from(chunk.subarray(0, nl)));
      return { text: Buffer.concat(parts).toString('utf8'), end: pos + nl + 1 };
    }
    parts.push(Buffer.from(chunk));
    pos += bytesRead;
  }
  return { text: Buffer.concat(parts).toString('utf8'), end: size };
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
