import { readFile } from 'node:fs/promises';
import type { Preview } from '@aiplat/api';
import { decodeSample, type DetectedEncoding } from './encoding.js';
import { collectFields, detectRecordFormat } from './recordFormat.js';

export type JsonPreview = Extract<Preview, { kind: 'json' }>;

/** JSON files above this are not parsed; their first bytes are shown as text instead. */
export const MAX_JSON_PARSE_BYTES = 16 * 1024 * 1024;

function lineAt(text: string, position: number): number {
  let line = 1;
  for (let i = 0; i < position && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The 1-based line a JSON.parse error points at (V8 says `line L column C` or `position P`). */
export function jsonErrorLine(message: string, text: string): number {
  const explicit = /line (\d+) column/.exec(message);
  if (explicit) return Number(explicit[1]);
  const position = /position (\d+)/.exec(message);
  return position ? lineAt(text, Number(position[1])) : lineAt(text, text.length);
}

/**
 * Parses a whole `.json` file (at most MAX_JSON_PARSE_BYTES; the caller checks): an array gives
 * its first `limit` elements as records, anything else is one record. A syntax error gives no
 * records and the error with its line.
 */
export async function jsonPreview(absPath: string, detected: DetectedEncoding, limit: number): Promise<JsonPreview> {
  const bytes = await readFile(absPath);
  const text = decodeSample(bytes, detected, true);
  const base = { kind: 'json' as const, format: 'json' as const, size: bytes.length };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    return {
      ...base,
      recordFormat: 'generic',
      fields: [],
      records: [],
      truncated: false,
      errors: [{ line: jsonErrorLine(message, text), message }],
    };
  }
  const all = Array.isArray(value) ? value : [value];
  const records = all.slice(0, limit);
  return {
    ...base,
    recordFormat: detectRecordFormat(records),
    fields: collectFields(records),
    records,
    truncated: all.length > records.length,
    errors: [],
  };
}
