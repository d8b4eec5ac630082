import { parse, type CsvError, type Info } from 'csv-parse';
import type { AnnotationType } from '@aiplat/api';
import { detectDelimiter } from '../../workspace/previews/csv.js';
import { openDecodedStream } from '../../workspace/previews/decodedStream.js';
import { decodeSample } from '../../workspace/previews/encoding.js';
import { headerProblem } from './csvColumns.js';
import { MAX_JSONL_LINE_CHARS } from './lines.js';
import type { RecordRule } from './rules.js';
import type { ProblemTally } from './tally.js';
import { BINARY_MESSAGE, sniffTextFile } from './textFile.js';
import type { RecordFile } from './walk.js';

/**
 * Checks a CSV/TSV file: the first row is the header, each later row a record whose fields are
 * named by it. A header missing a column the annotation type needs is one problem (on line 1)
 * and makes every row bad. Rows are streamed; without a rule they are only counted.
 */
export async function checkCsvFile(
  file: RecordFile,
  annotationType: AnnotationType,
  rule: RecordRule | undefined,
  tally: ProblemTally,
  signal?: AbortSignal,
): Promise<void> {
  const { head, size, detected, binary } = await sniffTextFile(file.absPath);
  if (binary) {
    if (rule) tally.note(file.relPath, 0, BINARY_MESSAGE);
    return;
  }
  const complete = head.length >= size;
  const delimiter = file.kind === 'tsv' ? '\t' : detectDelimiter(decodeSample(head, detected, complete), complete);
  const table = file.kind === 'tsv' ? 'TSV' : 'CSV';
  const parser = parse({
    delimiter,
    info: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    bom: true,
    max_record_size: MAX_JSONL_LINE_CHARS,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      if (!rule) tally.good();
      else
        tally.bad(
          file.relPath,
          typeof error?.lines === 'number' ? error.lines : 0,
          `not a valid ${table} row: ${error?.message ?? 'unreadable'}`,
        );
      return undefined;
    },
  });

  let header: string[] | undefined;
  let headerBad = false;
  let lastLine = 0;
  let lastEmptyLines = 0;
  for await (const { record: row, info } of openDecodedStream<{ record: string[]; info: Info }>(
    file.absPath,
    detected,
    parser,
  )) {
    signal?.throwIfAborted();
    // info.lines is the row's last line (a quoted value may span lines); count from the last row.
    const line = lastLine + 1 + (info.empty_lines - lastEmptyLines);
    lastLine = info.lines;
    lastEmptyLines = info.empty_lines;
    if (!header) {
      header = row;
      const problem = rule && annotationType !== 'none' ? headerProblem(annotationType, header) : undefined;
      if (problem) tally.note(file.relPath, line, problem);
      headerBad = problem !== undefined;
      continue;
    }
    if (!rule) tally.good();
    else if (headerBad) tally.bad(file.relPath, line);
    else if (row.length > header.length) {
      tally.bad(
        file.relPath,
        line,
        `has ${row.length} fields where the header has ${header.length} (a "${delimiter === '\t' ? '\\t' : delimiter}" inside a value that is not quoted?)`,
      );
    } else {
      const record: Record<string, string> = {};
      header.forEach((name, i) => (record[name] = row[i] ?? ''));
      const problem = rule(record);
      if (problem) tally.bad(file.relPath, line, problem);
      else tally.good();
    }
  }
}
