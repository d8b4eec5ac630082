import type { AnnotationType, RecordCheck } from '@aiplat/api';
import { checkCsvFile } from './csvFile.js';
import { checkJsonFile } from './jsonFile.js';
import { checkJsonlFile } from './jsonlFile.js';
import { ruleFor } from './rules.js';
import { DEFAULT_MAX_PROBLEMS, ProblemTally } from './tally.js';
import { walkRecordFiles, type RecordFile } from './walk.js';

export interface CheckRecordsOptions {
  /** The dataset's folder. */
  dir: string;
  annotationType: AnnotationType;
  signal?: AbortSignal;
  /** Problems listed at most (default 100); bad records are counted beyond it. */
  maxProblems?: number;
}

/**
 * Checks the records of a dataset's folder against its annotation type: `.jsonl`/`.ndjson`,
 * `.json` (an array or `{data: [...]}`) and `.csv`/`.tsv` files in any subfolder, in their
 * detected encodings. `none` only counts records. A file that cannot be read is a problem of its
 * own; the check goes on with the next. Throws the signal's AbortError when aborted.
 */
export async function checkRecords(options: CheckRecordsOptions): Promise<RecordCheck> {
  const { dir, annotationType, signal } = options;
  const rule = ruleFor(annotationType);
  const tally = new ProblemTally(options.maxProblems ?? DEFAULT_MAX_PROBLEMS);

  const checkFile = (file: RecordFile): Promise<void> => {
    switch (file.kind) {
      case 'jsonl':
        return checkJsonlFile(file, rule, tally, signal);
      case 'json':
        return checkJsonFile(file, rule, tally, signal);
      case 'csv':
      case 'tsv':
        return checkCsvFile(file, annotationType, rule, tally, signal);
    }
  };

  for await (const file of walkRecordFiles(dir, signal)) {
    signal?.throwIfAborted();
    tally.filesChecked++;
    try {
      await checkFile(file);
    } catch (error) {
      signal?.throwIfAborted();
      if (error instanceof Error && error.name === 'AbortError') throw error;
      tally.note(file.relPath, 0, `could not be read: ${(error as Error).message}`);
    }
  }
  return {
    annotationType,
    filesChecked: tally.filesChecked,
    recordsChecked: tally.recordsChecked,
    badRecords: tally.badRecords,
    problems: tally.problems,
  };
}
