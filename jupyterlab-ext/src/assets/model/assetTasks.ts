import type { AssetKind, AssetTask, ModelSummary } from '@aiplat/api';
import { ChangingModel } from '../../model/changingModel.js';

/** How far a task got, 0 to 1; undefined while its total is unknown (a download that did not say its length). */
export function taskFraction(task: AssetTask): number | undefined {
  if (!task.bytesTotal) return undefined;
  return Math.min(1, Math.max(0, task.bytesDone / task.bytesTotal));
}

export const isRunning = (task: AssetTask): boolean => task.state === 'running';

/** Newest first, as the API lists them. */
const newestFirst = (a: AssetTask, b: AssetTask) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);

/** The weights' dtype to show: the config's torch_dtype, else the dtype most tensors have. */
export function mainDtype(summary: ModelSummary | undefined): string | undefined {
  if (!summary) return undefined;
  if (summary.torchDtype) return summary.torchDtype;
  const counts = Object.entries(summary.dtypes ?? {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return counts[0]?.[0];
}

/**
 * The import, acceleration and export tasks of one kind's assets, as the API listed them and the
 * `asset-tasks` topic updates them: the running ones of each asset (their progress, a Cancel), and
 * each asset's last ended task (an import's record check, why it failed) until the user dismisses it.
 */
export class AssetTaskBook extends ChangingModel {
  private readonly _tasks = new Map<string, AssetTask>();
  private readonly _dismissed = new Set<string>();

  constructor(readonly kind: AssetKind) {
    super();
  }

  /**
   * Takes the API's list (tasks of other kinds are left out): it replaces what was known, except
   * that tasks known to have ended stay (and stay ended) — the server may have forgotten them, and a
   * list read while an event was under way may be older than the event. A running task the list
   * lacks is gone (the server restarted): dropped.
   */
  reset(tasks: readonly AssetTask[]): void {
    const ended = [...this._tasks.values()].filter((t) => !isRunning(t));
    this._tasks.clear();
    for (const task of ended) this._tasks.set(task.id, task);
    for (const task of tasks) {
      const known = this._tasks.get(task.id);
      if (task.kind === this.kind && !(known && isRunning(task))) this._tasks.set(task.id, task);
    }
    this.emit();
  }

  /**
   * A task as the topic tells it. A late event of a task never overrides its end (events of one
   * task can arrive out of order only across a reconnect, but an ended task never runs again).
   */
  put(task: AssetTask): boolean {
    if (task.kind !== this.kind) return false;
    const known = this._tasks.get(task.id);
    if (known && !isRunning(known) && isRunning(task)) return false;
    this._tasks.set(task.id, task);
    this.emit();
    return true;
  }

  get(id: string): AssetTask | undefined {
    return this._tasks.get(id);
  }

  /** The asset's running tasks, newest first. */
  running(assetId: string): AssetTask[] {
    return [...this._tasks.values()].filter((t) => t.assetId === assetId && isRunning(t)).sort(newestFirst);
  }

  /**
   * The asset's newest task once it ended (an import's record check, an export's folder, why a
   * task failed), unless dismissed or a newer one runs.
   */
  lastEnded(assetId: string): AssetTask | undefined {
    const last = [...this._tasks.values()].filter((t) => t.assetId === assetId).sort(newestFirst)[0];
    return last && !isRunning(last) && !this._dismissed.has(last.id) ? last : undefined;
  }

  dismiss(taskId: string): void {
    this._dismissed.add(taskId);
    this.emit();
  }
}
