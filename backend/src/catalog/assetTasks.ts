import { randomBytes } from 'node:crypto';
import { ApiError, type AssetTask, type RecordCheck } from '@aiplat/api';
import type { EventPublisher } from '../server/eventPublisher.js';

export type TaskInit = Pick<AssetTask, 'action' | 'kind' | 'assetId' | 'assetName' | 'owner' | 'source' | 'version'>;
type Phase = AssetTask['phase'];

/** What a running task's work sees: its cancel signal and a way to report progress. */
export interface TaskControl {
  readonly id: string;
  readonly signal: AbortSignal;
  progress(update: { phase?: Phase; bytesDone?: number; bytesTotal?: number; filesDone?: number }): void;
  setRecords(records: RecordCheck): void;
}

/** The work of a task; resolves to what it did (the task's message), rejects with why it failed. */
export type TaskWork = (control: TaskControl) => Promise<string | undefined>;

export interface AssetTasksOptions {
  now?: () => Date;
  /** Least time between two progress events of one task. */
  progressEveryMs?: number;
  /** Finished tasks kept per user. */
  keepFinished?: number;
}

interface Entry {
  task: AssetTask;
  abort: AbortController;
  lastPublished: number;
  done: Promise<void>;
}

const isAbort = (e: unknown) => (e as Error | undefined)?.name === 'AbortError';

/**
 * Imports, accelerations and exports as background tasks: progress published on `asset-tasks`
 * (at most every `progressEveryMs`), cancel through an AbortSignal the work must honour. Tasks
 * live in memory: a backend restart ends them (the catalog marks what they were filling failed).
 */
export class AssetTasks {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => Date;
  private readonly progressEveryMs: number;
  private readonly keepFinished: number;

  constructor(
    private readonly events: EventPublisher,
    options: AssetTasksOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.progressEveryMs = options.progressEveryMs ?? 200;
    this.keepFinished = options.keepFinished ?? 100;
  }

  /**
   * Starts `work`; `cleanup` runs after a failure or cancel (before the task reads as ended) to
   * remove what it wrote. Returns the task as it starts.
   */
  start(
    init: TaskInit,
    work: TaskWork,
    cleanup?: (outcome: 'failed' | 'cancelled', message: string) => Promise<void>,
  ): AssetTask {
    const task: AssetTask = {
      ...init,
      id: `at-${randomBytes(6).toString('hex')}`,
      state: 'running',
      phase: 'queued',
      bytesDone: 0,
      filesDone: 0,
      createdAt: this.now().toISOString(),
    };
    const abort = new AbortController();
    const entry: Entry = { task, abort, lastPublished: 0, done: Promise.resolve() };
    this.entries.set(task.id, entry);
    const control: TaskControl = {
      id: task.id,
      signal: abort.signal,
      progress: (update) => {
        if (task.state !== 'running') return;
        const phaseChanged = update.phase !== undefined && update.phase !== task.phase;
        Object.assign(task, update);
        if (phaseChanged || Date.now() - entry.lastPublished >= this.progressEveryMs) this.publish(entry);
      },
      setRecords: (records) => {
        task.records = records;
      },
    };
    this.publish(entry);
    entry.done = (async () => {
      try {
        const message = await work(control);
        abort.signal.throwIfAborted();
        task.state = 'succeeded';
        if (message) task.message = message;
      } catch (error) {
        const cancelled = abort.signal.aborted || isAbort(error);
        const message = cancelled ? 'cancelled; nothing it wrote was kept' : messageOf(error);
        await cleanup?.(cancelled ? 'cancelled' : 'failed', message).catch(() => undefined);
        task.state = cancelled ? 'cancelled' : 'failed';
        task.message = message;
      }
      task.finishedAt = this.now().toISOString();
      this.publish(entry);
      this.forgetOldFinished(task.owner);
    })();
    return structuredClone(task);
  }

  list(owner: string, assetId?: string): AssetTask[] {
    return [...this.entries.values()]
      .map((entry) => entry.task)
      .filter((task) => task.owner === owner && (assetId === undefined || task.assetId === assetId))
      .reverse()
      .map((task) => structuredClone(task));
  }

  get(id: string, owner: string): AssetTask {
    return structuredClone(this.owned(id, owner).task);
  }

  /** Cancels a running task and waits until what it wrote is gone. */
  async cancel(id: string, owner: string): Promise<AssetTask> {
    const entry = this.owned(id, owner);
    if (entry.task.state !== 'running') {
      throw new ApiError(
        'conflict',
        `task ${id} has already ${entry.task.state}; only a running task can be cancelled`,
      );
    }
    entry.abort.abort();
    await entry.done;
    return structuredClone(entry.task);
  }

  /** Waits for a task to end (tests, shutdown). */
  async settled(id: string): Promise<AssetTask | undefined> {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    await entry.done;
    return structuredClone(entry.task);
  }

  /** Cancels every running task and waits for their cleanup (shutdown). */
  async close(): Promise<void> {
    for (const entry of this.entries.values()) entry.abort.abort();
    await Promise.all([...this.entries.values()].map((entry) => entry.done));
  }

  /** Running tasks of an asset (an asset with a running import is not deleted). */
  running(assetId: string): AssetTask[] {
    return [...this.entries.values()]
      .map((entry) => entry.task)
      .filter((task) => task.assetId === assetId && task.state === 'running');
  }

  private owned(id: string, owner: string): Entry {
    const entry = this.entries.get(id);
    if (!entry || entry.task.owner !== owner) throw new ApiError('not_found', `no task ${id} of yours`);
    return entry;
  }

  private publish(entry: Entry): void {
    entry.lastPublished = Date.now();
    this.events.publish('asset-tasks', 'asset-tasks', structuredClone(entry.task), { user: entry.task.owner });
  }

  private forgetOldFinished(owner: string): void {
    const finished = [...this.entries.values()].filter(
      (entry) => entry.task.owner === owner && entry.task.state !== 'running',
    );
    for (const entry of finished.slice(0, Math.max(0, finished.length - this.keepFinished))) {
      this.entries.delete(entry.task.id);
    }
  }
}

function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
