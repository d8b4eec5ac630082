import type { FileHandle } from 'node:fs/promises';
import { parseLogLine, type LogLine } from './logFormat.js';

/* Finding a line in a log file by binary search over its bytes (lines grow in seq and time). */

/**
 * The byte offset of the first line for which `reached` holds (the file's size if none), assuming
 * `reached` is false then true along the file. Torn lines take the verdict of the next line.
 */
export async function lowerBound(handle: FileHandle, reached: (line: LogLine) => boolean): Promise<number> {
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
