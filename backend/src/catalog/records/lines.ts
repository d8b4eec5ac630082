import type { DetectedEncoding } from '../../workspace/previews/encoding.js';
import { openDecodedStream } from '../../workspace/previews/decodedStream.js';
import { MAX_JSONL_LINE_CHARS } from '../../workspace/previews/jsonl.js';

export { MAX_JSONL_LINE_CHARS };

/** A line of a text file: its text, or `overlong` when it was longer than the cap and was not kept. */
export type Line = { number: number; text: string; overlong?: false } | { number: number; overlong: true };

/**
 * Streams a file's lines (1-based numbers, `\n` or `\r\n` endings), decoded from `detected`.
 * Memory stays bounded by `maxChars`: a longer line is dropped as it is read and reported as
 * overlong. Stopping the iteration closes the file. Checks `signal` before each line.
 */
export async function* readLines(
  absPath: string,
  detected: DetectedEncoding,
  signal?: AbortSignal,
  maxChars: number = MAX_JSONL_LINE_CHARS,
): AsyncGenerator<Line> {
  let number = 0;
  let parts: string[] = [];
  let pending = 0;
  let overlong = false;

  const take = (last: string): Line => {
    number++;
    if (overlong) {
      overlong = false;
      parts = [];
      pending = 0;
      return { number, overlong: true };
    }
    parts.push(last);
    const joined = parts.length === 1 ? last : parts.join('');
    parts = [];
    pending = 0;
    return { number, text: joined.endsWith('\r') ? joined.slice(0, -1) : joined };
  };

  for await (const chunk of openDecodedStream(absPath, detected)) {
    let start = 0;
    for (let newline = chunk.indexOf('\n'); newline !== -1; newline = chunk.indexOf('\n', start)) {
      signal?.throwIfAborted();
      const piece = chunk.slice(start, newline);
      start = newline + 1;
      if (!overlong && pending + piece.length > maxChars) overlong = true;
      yield take(piece);
    }
    if (overlong || start === chunk.length) continue;
    const rest = chunk.slice(start);
    pending += rest.length;
    if (pending > maxChars) {
      overlong = true;
      parts = [];
    } else {
      parts.push(rest);
    }
  }
  if (parts.length > 0 || overlong) {
    signal?.throwIfAborted();
    yield take('');
  }
}
