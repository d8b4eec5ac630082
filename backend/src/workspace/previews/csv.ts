import { CsvError, parse } from 'csv-parse';
import type { Preview } from '@aiplat/api';
import { decodeSample, type DetectedEncoding } from './encoding.js';
import { openDecodedStream } from './decodedStream.js';

export type CsvPreview = Extract<Preview, { kind: 'csv' }>;

export const CSV_DELIMITERS = [',', '\t', ';', '|'] as const;
/** Lines of the sample looked at to pick a delimiter. */
const DELIMITER_SAMPLE_LINES = 50;
/** A single record above this many characters stops the preview. */
const MAX_CSV_RECORD_CHARS = 4 * 1024 * 1024;

/**
 * Picks the delimiter whose count per line is the most consistent over the first lines of `text`
 * (quotes respected, so a delimiter or newline inside a quoted field does not count); ties go to
 * the higher count, then to the order of CSV_DELIMITERS. `,` when no candidate occurs.
 */
export function detectDelimiter(text: string, complete = true): string {
  const lines: Record<string, number>[] = [];
  let counts: Record<string, number> = {};
  let inQuotes = false;
  for (let i = 0; i < text.length && lines.length < DELIMITER_SAMPLE_LINES; i++) {
    const char = text[i] as string;
    if (char === '"') {
      if (inQuotes && text[i + 1] === '"') i++;
      else inQuotes = !inQuotes;
    } else if (!inQuotes && char === '\n') {
      lines.push(counts);
      counts = {};
    } else if (!inQuotes && (CSV_DELIMITERS as readonly string[]).includes(char)) {
      counts[char] = (counts[char] ?? 0) + 1;
    }
  }
  // The last line of a cut sample may be partial: only count it when the text is whole.
  if (complete && Object.keys(counts).length > 0 && lines.length < DELIMITER_SAMPLE_LINES) lines.push(counts);

  let best = { delimiter: ',', consistent: 0, count: 0 };
  for (const delimiter of CSV_DELIMITERS) {
    const perLine = lines.map((line) => line[delimiter] ?? 0);
    const frequency = new Map<number, number>();
    for (const n of perLine) if (n > 0) frequency.set(n, (frequency.get(n) ?? 0) + 1);
    for (const [count, consistent] of frequency) {
      if (consistent > best.consistent || (consistent === best.consistent && count > best.count)) {
        best = { delimiter, consistent, count };
      }
    }
  }
  return best.delimiter;
}

/**
 * Streams the first `limit` data rows of a CSV/TSV file (plus its header row) through csv-parse,
 * decoded from its detected encoding; reading stops as soon as they are in. `sample` is the head of
 * the file, used to pick the delimiter unless `delimiter` is given (TSV).
 */
export async function csvPreview(
  absPath: string,
  size: number,
  sample: Buffer,
  detected: DetectedEncoding,
  limit: number,
  delimiter?: string,
): Promise<CsvPreview> {
  const chosen =
    delimiter ?? detectDelimiter(decodeSample(sample, detected, sample.length >= size), sample.length >= size);
  const parser = parse({
    delimiter: chosen,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    bom: true,
    max_record_size: MAX_CSV_RECORD_CHARS,
  });
  let header: string[] | undefined;
  const rows: string[][] = [];
  const errors: NonNullable<CsvPreview['errors']> = [];
  let truncated = false;
  try {
    for await (const record of openDecodedStream<string[]>(absPath, detected, parser)) {
      if (!header) header = record;
      else if (rows.length < limit) rows.push(record);
      else {
        truncated = true;
        break;
      }
    }
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const line = (e as { lines?: unknown }).lines;
    errors.push({ line: typeof line === 'number' ? line : 0, message: (e as Error).message });
    truncated = true;
  }
  return {
    kind: 'csv',
    delimiter: chosen,
    header: header ?? [],
    rows,
    truncated,
    ...(errors.length ? { errors } : {}),
    size,
  };
}
