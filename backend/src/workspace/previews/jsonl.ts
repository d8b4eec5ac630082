import type { DetectedEncoding } from './encoding.js';
import { openDecodedStream } from './decodedStream.js';
import { collectFields, detectRecordFormat } from './recordFormat.js';
import type { JsonPreview } from './json.js';

/** A JSONL line longer than this is reported as an error and skipped, not buffered. */
export const MAX_JSONL_LINE_CHARS = 8 * 1024 * 1024;
/** Reading stops after this many bad lines. */
export const MAX_JSONL_ERRORS = 100;

/**
 * Streams a JSON Lines file until `limit` records have parsed (the rest of the file is not read).
 * Blank lines are skipped; lines that do not parse are listed in `errors` with 1-based numbers.
 */
export async function jsonlPreview(
  absPath: string,
  size: number,
  detected: DetectedEncoding,
  limit: number,
): Promise<JsonPreview> {
  const records: unknown[] = [];
  const errors: JsonPreview['errors'] = [];
  let truncated = false;
  let lineNo = 0;
  let parts: string[] = [];
  let pendingChars = 0;
  let overlong = false;

  /** Records a bad line; returns false once there are too many to go on. */
  const addError = (message: string): boolean => {
    errors.push({ line: lineNo, message });
    if (errors.length < MAX_JSONL_ERRORS) return true;
    truncated = true;
    return false;
  };

  /** Takes one complete line; returns false to stop reading. */
  const takeLine = (raw: string): boolean => {
    lineNo++;
    if (overlong) {
      overlong = false;
      return addError(`line is longer than ${MAX_JSONL_LINE_CHARS} characters; skipped`);
    }
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return true;
    if (records.length >= limit) {
      truncated = true;
      return false;
    }
    try {
      records.push(JSON.parse(line));
      return true;
    } catch (e) {
      return addError((e as Error).message);
    }
  };

  reading: for await (const chunk of openDecodedStream(absPath, detected)) {
    let start = 0;
    for (let newline = chunk.indexOf('\n'); newline !== -1; newline = chunk.indexOf('\n', start)) {
      parts.push(chunk.slice(start, newline));
      const line = parts.join('');
      parts = [];
      pendingChars = 0;
      start = newline + 1;
      if (!takeLine(line)) break reading;
    }
    const rest = chunk.slice(start);
    if (overlong) continue;
    pendingChars += rest.length;
    if (pendingChars > MAX_JSONL_LINE_CHARS) {
      overlong = true;
      parts = [];
      pendingChars = 0;
    } else if (rest) {
      parts.push(rest);
    }
  }
  if (!truncated && (parts.length > 0 || overlong)) takeLine(parts.join(''));

  return {
    kind: 'json',
    format: 'jsonl',
    recordFormat: detectRecordFormat(records),
    fields: collectFields(records),
    records,
    truncated,
    errors,
    size,
  };
}
