import { watch, type FSWatcher } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { parseLogLine, type LogLine } from './logFormat.js';
import { lowerBound } from './logSeek.js';
import { linesOfBlock } from './rawLogLine.js';

/*
 * Reading a log as blocks of whole lines, to its end or following it as it grows: the fast path of
 * log followers, which splice the bytes into batches without decoding each line.
 */

export interface FollowOptions {
  /** Fallback poll, for when fs.watch misses an event. */
  pollIntervalMs?: number;
  /** Bytes read at a time (`LOG_BLOCK_BYTES`); a line longer than that is read whole anyway. */
  blockBytes?: number;
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
