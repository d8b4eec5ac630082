import { MAX_JSONL_LINE_CHARS, readLines } from './lines.js';
import type { RecordRule } from './rules.js';
import type { ProblemTally } from './tally.js';
import { BINARY_MESSAGE, sniffTextFile } from './textFile.js';
import type { RecordFile } from './walk.js';

const OVERLONG_MESSAGE = `line is longer than ${MAX_JSONL_LINE_CHARS / 1024 / 1024} Mi characters; not checked`;

/**
 * Checks a JSON Lines file one line at a time (never the whole file in memory): each non-blank
 * line is a record. Without a rule, non-blank lines are only counted.
 */
export async function checkJsonlFile(
  file: RecordFile,
  rule: RecordRule | undefined,
  tally: ProblemTally,
  signal?: AbortSignal,
): Promise<void> {
  const { detected, binary } = await sniffTextFile(file.absPath);
  if (binary) {
    if (rule) tally.note(file.relPath, 0, BINARY_MESSAGE);
    return;
  }
  for await (const line of readLines(file.absPath, detected, signal)) {
    if (line.overlong) {
      if (rule) tally.bad(file.relPath, line.number, OVERLONG_MESSAGE);
      else tally.good();
      continue;
    }
    if (line.text.trim() === '') continue;
    if (!rule) {
      tally.good();
      continue;
    }
    let record: unknown;
    try {
      record = JSON.parse(line.text);
    } catch (e) {
      tally.bad(file.relPath, line.number, `not JSON: ${(e as Error).message}`);
      continue;
    }
    const problem = rule(record);
    if (problem) tally.bad(file.relPath, line.number, problem);
    else tally.good();
  }
}
