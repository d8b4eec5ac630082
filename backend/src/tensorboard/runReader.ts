import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Reservoir } from './reservoir.js';
import { newScalarState, scalarsOf, type ScalarPoint, type ScalarState } from './scalars.js';
import { readRecords, type RecordIssue } from './tfrecord.js';

/** TensorBoard's event file names: `events.out.tfevents.<time>.<host>...`. */
const EVENT_FILE = /(^|\.)tfevents\./;

interface FileState {
  offset: number;
  broken: boolean;
}

export interface RunIssue extends RecordIssue {
  file: string;
}

export interface ReadOutcome {
  /** The points read this time, in file order. */
  points: ScalarPoint[];
  issues: RunIssue[];
}

/**
 * One run (a directory, as TensorBoard counts them): its event files read incrementally, only the
 * bytes appended since the last read, files that appear later picked up, each tag downsampled in a
 * reservoir of `pointsPerTag`.
 */
export class RunReader {
  private readonly files = new Map<string, FileState>();
  private readonly state: ScalarState = newScalarState();
  private readonly tags = new Map<string, Reservoir<ScalarPoint>>();
  private reading: Promise<ReadOutcome> | undefined;

  constructor(
    readonly dir: string,
    private readonly pointsPerTag = 1_000,
  ) {}

  /** Reads what was written since the last read; concurrent calls share one read. */
  read(): Promise<ReadOutcome> {
    this.reading ??= this.readNew().finally(() => (this.reading = undefined));
    return this.reading;
  }

  get tagNames(): string[] {
    return [...this.tags.keys()].sort();
  }

  series(tag: string): readonly ScalarPoint[] {
    return this.tags.get(tag)?.points ?? [];
  }

  private async readNew(): Promise<ReadOutcome> {
    const outcome: ReadOutcome = { points: [], issues: [] };
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((name) => EVENT_FILE.test(name)).sort();
    } catch {
      return outcome;
    }
    for (const name of names) {
      const file = this.files.get(name) ?? { offset: 0, broken: false };
      this.files.set(name, file);
      if (file.broken) continue;
      await this.readFile(name, file, outcome);
    }
    for (const point of outcome.points) {
      let reservoir = this.tags.get(point.tag);
      if (!reservoir) {
        reservoir = new Reservoir<ScalarPoint>(this.pointsPerTag);
        this.tags.set(point.tag, reservoir);
      }
      reservoir.add(point);
    }
    return outcome;
  }

  private async readFile(name: string, file: FileState, outcome: ReadOutcome): Promise<void> {
    const full = path.join(this.dir, name);
    const size = (await stat(full)).size;
    if (size <= file.offset) return;
    const handle = await open(full, 'r');
    try {
      const buffer = Buffer.allocUnsafe(size - file.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, file.offset);
      const read = readRecords(buffer.subarray(0, bytesRead), file.offset);
      file.offset += read.consumed;
      file.broken = read.broken;
      outcome.issues.push(...read.issues.map((issue) => ({ ...issue, file: name })));
      outcome.points.push(...scalarsOf(read.records, this.state));
    } finally {
      await handle.close();
    }
  }
}
