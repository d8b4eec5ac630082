import { appendFileSync, closeSync, fstatSync, openSync, readSync, renameSync, writeFileSync } from 'node:fs';

/** One sample of one instance. */
export interface MetricPoint {
  /** ISO 8601. */
  time: string;
  /** 100 = one full core; absent on an instance's first sample. */
  cpuPercent?: number;
  memoryBytes: number;
  processCount: number;
  accelerator?: { utilizationPercent?: number; memoryBytes?: number };
}

export interface MetricSeriesOptions {
  /** Points kept in memory; the oldest go first. Default 3600. */
  capacity?: number;
  /**
   * A JSON-lines file that every `append` adds a line to, and `restore` reads back. It is rewritten
   * with the points in memory once it holds twice `capacity` lines, so it stays bounded.
   */
  file?: string;
}

export interface RangeQuery {
  /** Inclusive bounds on `time`. */
  since?: string | Date;
  until?: string | Date;
  /** When more points match, consecutive points are averaged into this many buckets. */
  maxPoints?: number;
}

export const DEFAULT_SERIES_CAPACITY = 3600;
/** Generous for one serialized point (about 170 bytes with everything set); bounds what `restore` reads. */
const MAX_LINE_BYTES = 512;

interface Stored {
  ms: number;
  point: MetricPoint;
}

/** A bounded time series of one instance's metrics (a ring buffer), optionally kept in a file. */
export class MetricSeries {
  readonly capacity: number;
  readonly file: string | undefined;
  private readonly ring: Stored[] = [];
  /** Index of the oldest point once the ring is full. */
  private head = 0;
  private linesInFile = 0;

  constructor(options: MetricSeriesOptions = {}) {
    const capacity = options.capacity ?? DEFAULT_SERIES_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer`);
    this.capacity = capacity;
    this.file = options.file;
  }

  get size(): number {
    return this.ring.length;
  }

  /** Adds a point (and a line to the file, if any). Points are expected in time order. */
  append(point: MetricPoint): void {
    this.push(point);
    if (this.file === undefined) return;
    appendFileSync(this.file, `${JSON.stringify(point)}\n`, { mode: 0o600 });
    if (++this.linesInFile >= 2 * this.capacity) this.compact();
  }

  latest(): MetricPoint | undefined {
    if (this.ring.length === 0) return undefined;
    return this.ring[(this.head + this.ring.length - 1) % this.ring.length]?.point;
  }

  /** Points within `since`..`until` in time order, averaged down to `maxPoints` when there are more. */
  range(query: RangeQuery = {}): MetricPoint[] {
    const since = query.since === undefined ? -Infinity : timeOf(query.since);
    const until = query.until === undefined ? Infinity : timeOf(query.until);
    const { maxPoints } = query;
    if (maxPoints !== undefined && (!Number.isInteger(maxPoints) || maxPoints < 1)) {
      throw new RangeError('maxPoints must be a positive integer');
    }
    const selected = this.ordered().filter((stored) => stored.ms >= since && stored.ms <= until);
    if (maxPoints === undefined || selected.length <= maxPoints) return selected.map((stored) => copy(stored.point));
    const result: MetricPoint[] = [];
    for (let bucket = 0; bucket < maxPoints; bucket++) {
      const from = Math.floor((bucket * selected.length) / maxPoints);
      const to = Math.floor(((bucket + 1) * selected.length) / maxPoints);
      result.push(average(selected.slice(from, to)));
    }
    return result;
  }

  /** The points in memory as JSON lines, oldest first (what the file holds after a compaction). */
  serialize(): string {
    return this.ordered()
      .map((stored) => `${JSON.stringify(stored.point)}\n`)
      .join('');
  }

  /**
   * Replaces the points in memory with the last `capacity` valid lines of the file (reading at most
   * `capacity` × 512 bytes from its end) and returns how many it loaded. Call it before the first
   * `append`. A file that was longer, or has a torn or invalid line (a crash mid-write), is rewritten.
   */
  restore(): number {
    if (this.file === undefined) return 0;
    let text: string;
    let truncated: boolean;
    try {
      const fd = openSync(this.file, 'r');
      try {
        const size = fstatSync(fd).size;
        const length = Math.min(size, this.capacity * MAX_LINE_BYTES);
        const buffer = Buffer.alloc(length);
        let read = 0;
        while (read < length) {
          const n = readSync(fd, buffer, read, length - read, size - length + read);
          if (n === 0) break;
          read += n;
        }
        text = buffer.toString('utf8', 0, read);
        truncated = length < size;
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    const lines = text.split('\n');
    if (truncated) lines.shift(); // starts mid-line
    const last = lines.pop(); // '' after the final newline, or a torn line
    let invalid = last !== '' && last !== undefined;
    this.ring.length = 0;
    this.head = 0;
    for (const line of lines) {
      const point = parsePoint(line);
      if (point === undefined) invalid = true;
      else this.push(point);
    }
    this.linesInFile = lines.length;
    if (truncated || invalid || lines.length > this.capacity) this.compact();
    return this.ring.length;
  }

  private push(point: MetricPoint): void {
    const ms = timeOf(point.time);
    if (this.ring.length < this.capacity) {
      this.ring.push({ ms, point });
    } else {
      this.ring[this.head] = { ms, point };
      this.head = (this.head + 1) % this.capacity;
    }
  }

  private ordered(): Stored[] {
    return [...this.ring.slice(this.head), ...this.ring.slice(0, this.head)];
  }

  private compact(): void {
    if (this.file === undefined) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, this.serialize(), { mode: 0o600 });
    renameSync(tmp, this.file);
    this.linesInFile = this.ring.length;
  }
}

function timeOf(value: string | Date): number {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`not a time: ${String(value)}`);
  return ms;
}

function copy(point: MetricPoint): MetricPoint {
  return point.accelerator === undefined ? { ...point } : { ...point, accelerator: { ...point.accelerator } };
}

function mean(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((value) => value !== undefined);
  return defined.length === 0 ? undefined : defined.reduce((a, b) => a + b, 0) / defined.length;
}

/** One point for a bucket: mean time, means of the values (integers rounded), absent when none has one. */
function average(bucket: readonly Stored[]): MetricPoint {
  const points = bucket.map((stored) => stored.point);
  const point: MetricPoint = {
    time: new Date(Math.round(mean(bucket.map((stored) => stored.ms)) ?? 0)).toISOString(),
    memoryBytes: Math.round(mean(points.map((p) => p.memoryBytes)) ?? 0),
    processCount: Math.round(mean(points.map((p) => p.processCount)) ?? 0),
  };
  const cpu = mean(points.map((p) => p.cpuPercent));
  if (cpu !== undefined) point.cpuPercent = cpu;
  const accelerators = points.flatMap((p) => (p.accelerator === undefined ? [] : [p.accelerator]));
  if (accelerators.length > 0) {
    point.accelerator = {};
    const utilization = mean(accelerators.map((a) => a.utilizationPercent));
    const memory = mean(accelerators.map((a) => a.memoryBytes));
    if (utilization !== undefined) point.accelerator.utilizationPercent = utilization;
    if (memory !== undefined) point.accelerator.memoryBytes = Math.round(memory);
  }
  return point;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A point read back from a file, or undefined when the line is not one. */
function parsePoint(line: string): MetricPoint | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.time !== 'string' || Number.isNaN(Date.parse(v.time))) return undefined;
  if (!isNumber(v.memoryBytes) || !isNumber(v.processCount)) return undefined;
  const point: MetricPoint = { time: v.time, memoryBytes: v.memoryBytes, processCount: v.processCount };
  if (isNumber(v.cpuPercent)) point.cpuPercent = v.cpuPercent;
  if (typeof v.accelerator === 'object' && v.accelerator !== null) {
    const a = v.accelerator as Record<string, unknown>;
    point.accelerator = {};
    if (isNumber(a.utilizationPercent)) point.accelerator.utilizationPercent = a.utilizationPercent;
    if (isNumber(a.memoryBytes)) point.accelerator.memoryBytes = a.memoryBytes;
  }
  return point;
}
