import { readFile, stat } from 'node:fs/promises';
import { decodeSample, detectEncoding, looksBinary } from '../../workspace/previews/encoding.js';
import { jsonErrorLine } from '../../workspace/previews/json.js';
import { describe, isObject, keysOf } from './fields.js';
import { jsonElementLines } from './jsonElementLines.js';
import type { RecordRule } from './rules.js';
import type { ProblemTally } from './tally.js';
import { BINARY_MESSAGE } from './textFile.js';
import type { RecordFile } from './walk.js';

/**
 * A `.json` file is parsed whole, so larger ones are not checked (JSON Lines is streamed and has
 * no such limit). Parsing takes several times the file's size in memory.
 */
export const MAX_JSON_CHECK_BYTES = 64 * 1024 * 1024;

const SNIFF_BYTES = 64 * 1024;
const SHAPE = 'a .json file holds an array of records, or an object with a "data" array of records';

function mib(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MiB`;
}

/**
 * Checks a `.json` file: an array of records, or an object with a `data` array. Problems name the
 * record (1-based) and the line it starts on. Without a rule, records are only counted.
 */
export async function checkJsonFile(
  file: RecordFile,
  rule: RecordRule | undefined,
  tally: ProblemTally,
  signal?: AbortSignal,
): Promise<void> {
  const { size } = await stat(file.absPath);
  if (size > MAX_JSON_CHECK_BYTES) {
    const message = `is ${mib(size)}; .json files over ${mib(MAX_JSON_CHECK_BYTES)} are not checked — convert it to JSON Lines (one record per line, .jsonl) to have it checked`;
    if (rule) tally.note(file.relPath, 0, message);
    return;
  }
  const bytes = await readFile(file.absPath);
  signal?.throwIfAborted();
  const sample = bytes.subarray(0, SNIFF_BYTES);
  const detected = detectEncoding(sample);
  if (looksBinary(sample, detected)) {
    if (rule) tally.note(file.relPath, 0, BINARY_MESSAGE);
    return;
  }
  const text = decodeSample(bytes, detected, true);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    if (rule) tally.note(file.relPath, jsonErrorLine(message, text), `not JSON: ${message}`);
    return;
  }
  const inData = !Array.isArray(value) && isObject(value) && Array.isArray(value.data);
  const records = Array.isArray(value) ? value : inData ? (value as { data: unknown[] }).data : undefined;
  if (!records) {
    const found = isObject(value) ? `an object with ${keysOf(value)}` : describe(value);
    if (rule) tally.note(file.relPath, 0, `is ${found}; ${SHAPE}`);
    return;
  }
  if (!rule) {
    tally.good(records.length);
    return;
  }
  let lines: number[] | undefined;
  for (let i = 0; i < records.length; i++) {
    if (i % 1024 === 0) signal?.throwIfAborted();
    const problem = rule(records[i]);
    if (!problem) {
      tally.good();
      continue;
    }
    lines ??= jsonElementLines(text, inData);
    tally.bad(file.relPath, lines[i] ?? 0, `record ${i + 1}: ${problem}`);
  }
}
