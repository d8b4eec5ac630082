import { expect, it } from 'vitest';
import { mayBeProgress, parseProgressLine } from '../../../backend/src/jobs/progress/parseProgressLine.js';
import type { ProgressSignal } from '../../../backend/src/jobs/progress/progressSignal.js';

/** A line a parser recognises, and the signal it gives: `key: undefined` means no such key. */
export type RecognisedLine = [name: string, line: string, expected: Partial<ProgressSignal>];
export type IgnoredLine = [name: string, line: string];

/** One test per line: parsed to `expected`, and let through by the cheap pre-test as written and JSON-escaped. */
export function itRecognises(cases: readonly RecognisedLine[]): void {
  it.each(cases)('%s', (_name, line, expected) => {
    const signal = parseProgressLine(line);
    expect(signal).toBeDefined();
    const present = Object.entries(expected).filter(([, value]) => value !== undefined);
    expect(signal).toMatchObject(Object.fromEntries(present));
    for (const [key, value] of Object.entries(expected)) {
      if (value === undefined) expect(signal).not.toHaveProperty(key);
    }
    expect(mayBeProgress(line)).toBe(true);
    expect(mayBeProgress(JSON.stringify(line))).toBe(true);
  });
}

/** One test per line: not progress. */
export function itIgnores(lines: readonly IgnoredLine[]): void {
  it.each(lines)('%s', (_name, line) => {
    expect(parseProgressLine(line)).toBeUndefined();
  });
}
