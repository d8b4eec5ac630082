import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { encodeLogLine, LineSplitter, linesOfTail, type LogLine, type LogStream } from '../../logs/logFormat.js';
import { readLogTail } from '../../logs/logReader.js';

/*
 * Pod logs into the same instance log files the local engine writes (JSON lines with seq and time),
 * so paging, search, the WebSocket follow and progress work unchanged, and the logs outlive the pods.
 */

/**
 * Appends lines to one instance's log file. Several pods may write to one instance (a restarted
 * pod, the Ray submitter next to the head); `seq` and `t` stay increasing along the file.
 */
export class InstanceLogWriter {
  private seq: number;
  private lastTime: string;
  /** Messages of the last millisecond already in the file: a resumed stream skips them once. */
  private boundary: { time: string; messages: string[] };

  constructor(readonly file: string) {
    const tail = linesOfTail(readLogTail(file));
    const last = tail.at(-1);
    this.seq = last ? last.seq + 1 : 1;
    this.lastTime = last?.t ?? '';
    this.boundary = { time: this.lastTime, messages: tail.filter((l) => l.t === this.lastTime).map((l) => l.m) };
    mkdirSync(path.dirname(file), { recursive: true });
  }

  /** Where a stream resumed after a reconnect or a backend restart should start (RFC 3339). */
  get resumeFrom(): string | undefined {
    return this.lastTime || undefined;
  }

  /**
   * Appends pieces of output read at `time` (the kubelet's time when known). A line older than the
   * file's last one, or one of that last millisecond already written, is a repeat of a resumed
   * stream and is skipped.
   */
  append(pieces: readonly { time: string; text: string; cut?: boolean }[], stream: LogStream = 'out'): number {
    let out = '';
    let written = 0;
    for (const piece of pieces) {
      if (piece.time < this.boundary.time) continue;
      if (piece.time === this.boundary.time) {
        const seen = this.boundary.messages.indexOf(piece.text);
        if (seen !== -1) {
          this.boundary.messages.splice(seen, 1);
          continue;
        }
      }
      const time = piece.time > this.lastTime ? piece.time : this.lastTime;
      const line: LogLine = { t: time, s: stream, seq: this.seq++, m: piece.text };
      if (piece.cut) line.c = true;
      out += encodeLogLine(line);
      this.lastTime = time;
      written++;
    }
    if (out) appendFileSync(this.file, out, { mode: 0o600 });
    return written;
  }

  /** A line of the platform's own (pod scheduled, restarted...), at `time`. */
  note(text: string, time: string): void {
    this.append([{ time, text }], 'platform');
  }
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) /;

/**
 * The kubelet's RFC 3339 (nanosecond) time prefix of a `timestamps=true` log line: as ISO
 * milliseconds, and as a key that orders lines to the nanosecond (RFC3339Nano drops trailing
 * zeros, so the text itself does not sort).
 */
export function splitTimestamp(line: string): { time?: string; key?: string; text: string } {
  const match = TIMESTAMP.exec(line);
  if (!match?.[1]) return { text: line };
  const ms = Date.parse(match[1]);
  if (Number.isNaN(ms)) return { text: line };
  const fraction = (/\.(\d+)/.exec(match[1])?.[1] ?? '').padEnd(9, '0').slice(3, 9);
  const key = `${String(ms).padStart(15, '0')}${fraction}`;
  return { time: new Date(ms).toISOString(), key, text: line.slice(match[0].length) };
}

/**
 * The `sinceTime` that resumes a stream at the line with order key `key`: its whole second (the
 * API's times have no fraction), so the lines of that second before it are skipped by key.
 */
export function sinceTimeOfKey(key: string): string {
  const ms = Number(key.slice(0, 15));
  return new Date(ms - (ms % 1000)).toISOString().replace('.000Z', 'Z');
}

/**
 * A Writable for the Log API's `timestamps=true` stream that writes each line into an instance log:
 * time from the kubelet's prefix (a continuation of a split line keeps its line's time).
 */
export class PodLogSink extends Writable {
  private readonly splitter = new LineSplitter();
  private continuing = false;
  private lastTime: string;
  private skipping = false;
  lines = 0;
  /** The order key of the last line taken: a stream resumed after a reconnect skips up to it. */
  lastKey: string | undefined;

  constructor(
    private readonly writer: InstanceLogWriter,
    options: { after?: string; now?: () => Date } = {},
  ) {
    super();
    this.lastTime = writer.resumeFrom ?? '';
    this.after = options.after;
    this.lastKey = options.after;
    this.now = options.now ?? (() => new Date());
  }

  private readonly now: () => Date;
  /** Lines up to this order key were taken by an earlier stream of the same pod. */
  private readonly after: string | undefined;

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    try {
      this.take(this.splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    try {
      this.take(this.splitter.end());
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  private take(pieces: readonly { text: string; cut: boolean }[]): void {
    const out: { time: string; text: string; cut?: boolean }[] = [];
    for (const piece of pieces) {
      let text = piece.text;
      if (!this.continuing) {
        const split = splitTimestamp(text);
        text = split.text;
        this.lastTime = split.time ?? this.now().toISOString();
        this.skipping = split.key !== undefined && this.after !== undefined && split.key <= this.after;
        if (split.key !== undefined && !this.skipping) this.lastKey = split.key;
      }
      this.continuing = piece.cut;
      if (this.skipping) continue;
      out.push({ time: this.lastTime, text, ...(piece.cut ? { cut: true } : {}) });
    }
    this.lines += this.writer.append(out);
  }
}
