import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { EVENT_FILE, RunReader, type RunIssue } from './runReader.js';
import type { ScalarPoint } from './scalars.js';

export interface LogDirLimits {
  /** Points kept per run and tag. */
  pointsPerTag: number;
  /** Runs followed at most (the first found, by path). */
  maxRuns: number;
  /** Folders looked into per search for runs, at most. */
  maxFolders: number;
  /** Folder depth searched below the log directory. */
  maxDepth: number;
  /** A search for new runs at most this often; known runs are read on every refresh. */
  searchEveryMs: number;
}

export const DEFAULT_LOG_DIR_LIMITS: LogDirLimits = {
  pointsPerTag: 1000,
  maxRuns: 500,
  maxFolders: 10_000,
  maxDepth: 8,
  searchEveryMs: 5000,
};

export interface RunPoints {
  run: string;
  points: ScalarPoint[];
}

export interface LogDirIssue extends RunIssue {
  run: string;
}

export interface LogDirUpdate {
  /** New points per run, in file order. */
  runs: RunPoints[];
  issues: LogDirIssue[];
}

/** Issues remembered per log directory (answers repeat them; a damaged file stays damaged). */
const KEPT_ISSUES = 50;

/**
 * A log directory as TensorBoard reads one: every folder in it (itself included) that holds
 * tfevents files is a run, named by its path inside it ("." for itself). Each refresh reads only
 * what was appended; whoever triggers it, every listener hears the new points once.
 */
export class LogDir {
  private readonly runs = new Map<string, RunReader>();
  private readonly listeners = new Set<(update: LogDirUpdate) => void>();
  private readonly kept: LogDirIssue[] = [];
  private refreshing: Promise<LogDirUpdate> | undefined;
  private searchedAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly root: string,
    private readonly limits: LogDirLimits = DEFAULT_LOG_DIR_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reads what was written since the last refresh; concurrent calls share one. */
  refresh(): Promise<LogDirUpdate> {
    this.refreshing ??= this.readNew().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** Hears every refresh's new points; returns the unsubscribe. */
  listen(listener: (update: LogDirUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  get runNames(): string[] {
    return [...this.runs.keys()].sort();
  }

  run(name: string): RunReader | undefined {
    return this.runs.get(name);
  }

  /** The last damaged records met, oldest first. */
  get issues(): readonly LogDirIssue[] {
    return this.kept;
  }

  private async readNew(): Promise<LogDirUpdate> {
    if (this.now() - this.searchedAt >= this.limits.searchEveryMs) {
      this.searchedAt = this.now();
      for (const name of await this.findRuns()) {
        if (this.runs.size >= this.limits.maxRuns) break;
        if (!this.runs.has(name)) {
          this.runs.set(name, new RunReader(path.join(this.root, name), this.limits.pointsPerTag));
        }
      }
    }
    const update: LogDirUpdate = { runs: [], issues: [] };
    for (const [name, reader] of this.runs) {
      const outcome = await reader.read();
      if (outcome.points.length > 0) update.runs.push({ run: name, points: outcome.points });
      update.issues.push(...outcome.issues.map((issue) => ({ ...issue, run: name })));
    }
    this.kept.push(...update.issues);
    this.kept.splice(0, Math.max(0, this.kept.length - KEPT_ISSUES));
    if (update.runs.length > 0 || update.issues.length > 0) {
      for (const listener of this.listeners) listener(update);
    }
    return update;
  }

  /** Folders holding event files, breadth first (shallow runs first), within the limits. */
  private async findRuns(): Promise<string[]> {
    const found: string[] = [];
    let level: string[] = ['.'];
    let visited = 0;
    for (let depth = 0; depth <= this.limits.maxDepth && level.length > 0; depth++) {
      const next: string[] = [];
      for (const relative of level) {
        if (visited++ >= this.limits.maxFolders) return found;
        let entries;
        try {
          entries = await readdir(path.join(this.root, relative), { withFileTypes: true });
        } catch {
          continue;
        }
        if (entries.some((e) => e.isFile() && EVENT_FILE.test(e.name))) found.push(relative);
        for (const entry of entries) {
          // Hidden folders (.git, .ipynb_checkpoints) hold no runs worth a walk.
          if (entry.isDirectory() && !entry.name.startsWith('.')) {
            next.push(relative === '.' ? entry.name : `${relative}/${entry.name}`);
          }
        }
      }
      level = next.sort();
    }
    return found;
  }
}
