import { constants } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Reservoir } from './reservoir.js';
import { newScalarState, scalarsIn, type ScalarPoint, type ScalarState } from './scalars.js';
import { recordSpans, type RecordIssue } from './tfrecord.js';

/** TensorBoard's event file names: `events.out.tfevents.<time>.<host>...`. */
export const EVENT_FILE = /(^|\.)tfevents\./;

const READ_CHUNK_BYTES = 16 * 1024 * 1024;

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

  /** Points of `tag` read so far (since the writer last went back to an earlier step), before downsampling. */
  seen(tag: string): number {
    return this.tags.get(tag)?.total ?? 0;
  }

  private async readNew(): Promise<ReadOutcome> {
    const outcome: ReadOutcome = { points: [], issues: [] };
    let names: string[];
    try {
      // Regular files only: a symlink could lead out of /work.
      names = (await readdir(this.dir, { withFileTypes: true }))
        .filter((entry) => entry.isFile() && EVENT_FILE.test(entry.name))
        .map((entry) => entry.name)
        .sort();
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
    let handle;
    try {
      handle = await open(path.join(this.dir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      return; // gone, or replaced by a link since the listing
    }
    try {
      const size = (await handle.stat()).size;
      // In chunks, so a large file never needs one buffer its size; a chunk grows for a record larger than it.
      let chunk = READ_CHUNK_BYTES;
      while (file.offset < size && !file.broken) {
        const buffer = Buffer.allocUnsafe(Math.min(chunk, size - file.offset));
        const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, file.offset);
        const read = recordSpans(buffer.subarray(0, bytesRead), file.offset);
        file.offset += read.consumed;
        file.broken = read.broken;
        outcome.issues.push(...read.issues.map((issue) => ({ ...issue, file: name })));
        scalarsIn(buffer, read.spans, this.state, outcome.points);
        if (read.consumed === 0) {
          if (bytesRead < chunk) break; // the last record is not written whole yet
          chunk *= 2;
        }
      }
    } finally {
      await handle.close();
    }
  }
}
