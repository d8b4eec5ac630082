import type { RecordProblem } from '@aiplat/api';

export const DEFAULT_MAX_PROBLEMS = 100;

/** Counts records and bad records across files, keeping only the first `maxProblems` problems. */
export class ProblemTally {
  filesChecked = 0;
  recordsChecked = 0;
  badRecords = 0;
  readonly problems: RecordProblem[] = [];

  constructor(private readonly maxProblems: number = DEFAULT_MAX_PROBLEMS) {}

  /** Records that passed (or were only counted). */
  good(count = 1): void {
    this.recordsChecked += count;
  }

  /** A record that failed its check; without a message its problem was noted already (a bad header). */
  bad(file: string, line: number, message?: string): void {
    this.recordsChecked++;
    this.badRecords++;
    if (message !== undefined) this.note(file, line, message);
  }

  /** A problem that is no single record's: a file that does not parse, a header that is wrong. */
  note(file: string, line: number, message: string): void {
    if (this.problems.length < this.maxProblems) this.problems.push({ file, line, message });
  }
}
