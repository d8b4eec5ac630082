import type { LogLine } from '@aiplat/api';

/** Lines kept per job view by default: enough to scroll back, bounded so a chatty job cannot fill memory. */
export const DEFAULT_LOG_CAP_LINES = 20_000;

/**
 * What an error line looks like in training output: Python tracebacks and exceptions, CUDA/NCCL
 * errors, out-of-memory kills, missing files and commands, the usual `error:` / `FAILED` / `fatal`
 * markers, and the platform's line for an instance that exited non-zero.
 */
export const ERROR_LINE_PATTERN =
  /Traceback \(most recent call last\)|\b[A-Z]\w*(Error|Exception)\b|\berror\b|\bfatal\b|out of memory|\bsegmentation fault\b|No such file or directory|command not found|Permission denied|\bexited: code [1-9]/i;
/** Markers that only mean an error in capitals (`Killed` by the OOM killer, not "killed by signal SIGTERM" of a stop). */
export const ERROR_MARKER_PATTERN = /\bFAILED\b|^Killed\b/;

export function isErrorLine(line: LogLine): boolean {
  return ERROR_LINE_PATTERN.test(line.text) || ERROR_MARKER_PATTERN.test(line.text);
}

/**
 * The log lines of one job as they arrive (a page read over HTTP, then batches from the stream),
 * capped: past `cap` lines the oldest are dropped and `dropped` counts them. Lines already held
 * (same instance and seq) are ignored, so a page and a stream that overlap never repeat a line.
 */
export class LogBuffer {
  private _lines: LogLine[] = [];
  private readonly _seen = new Map<number, number>();
  private _dropped = 0;

  constructor(readonly cap: number = DEFAULT_LOG_CAP_LINES) {
    if (!(cap >= 1)) throw new Error(`log cap must be at least 1 line (got ${cap})`);
  }

  /** Adds lines; returns how many were new. */
  append(lines: readonly LogLine[]): number {
    let added = 0;
    for (const line of lines) {
      const last = this._seen.get(line.instance);
      if (last !== undefined && line.seq <= last) continue;
      this._seen.set(line.instance, line.seq);
      this._lines.push(line);
      added++;
    }
    const excess = this._lines.length - this.cap;
    if (excess > 0) {
      this._lines.splice(0, excess);
      this._dropped += excess;
    }
    return added;
  }

  clear(): void {
    this._lines = [];
    this._seen.clear();
    this._dropped = 0;
  }

  /** Lines dropped to keep within the cap. */
  get dropped(): number {
    return this._dropped;
  }

  get size(): number {
    return this._lines.length;
  }

  /** Every line held, or one instance's, oldest first. */
  lines(instance?: number): readonly LogLine[] {
    return instance === undefined ? this._lines : this._lines.filter((l) => l.instance === instance);
  }

  /** The instances that wrote lines, ascending. */
  instances(): number[] {
    return [...this._seen.keys()].sort((a, b) => a - b);
  }

  /** Positions in `lines(instance)` of the lines containing `text`, case-insensitive. */
  search(text: string, instance?: number): number[] {
    const needle = text.toLowerCase();
    if (!needle) return [];
    const found: number[] = [];
    this.lines(instance).forEach((line, i) => {
      if (line.text.toLowerCase().includes(needle)) found.push(i);
    });
    return found;
  }

  /** Position in `lines(instance)` of the first error line, or -1. */
  firstError(instance?: number): number {
    return this.lines(instance).findIndex(isErrorLine);
  }
}
