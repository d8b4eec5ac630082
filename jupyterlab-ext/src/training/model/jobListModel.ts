import { DEFAULT_JOB_LIST_LIMIT, MAX_JOB_LIST_LIMIT, isApiError, type Job, type JobState } from '@aiplat/api';
import type { IDisposable } from '@lumino/disposable';
import { Signal, type ISignal } from '@lumino/signaling';
import type { IConnectionModel } from '../../tokens.js';

export interface JobFilters {
  /** Only jobs in these states; all when empty. */
  states: readonly JobState[];
  /** Only the connected user's jobs. */
  mine: boolean;
  /** `key=value` or `key`; none when empty. */
  tag: string;
}

export const NO_FILTERS: JobFilters = { states: [], mine: false, tag: '' };

/** Does `job` pass `filters`, for `user`? The same rules the server applies to `listJobs`. */
export function jobMatches(job: Job, filters: JobFilters, user: string | undefined): boolean {
  if (filters.states.length > 0 && !filters.states.includes(job.state)) return false;
  if (filters.mine && job.user !== user) return false;
  const tag = filters.tag.trim();
  if (tag) {
    const eq = tag.indexOf('=');
    const key = eq < 0 ? tag : tag.slice(0, eq);
    const tags = job.spec.tags ?? {};
    if (!Object.prototype.hasOwnProperty.call(tags, key)) return false;
    if (eq >= 0 && tags[key] !== tag.slice(eq + 1)) return false;
  }
  return true;
}

function newestFirst(a: Job, b: Job): number {
  return a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt.localeCompare(a.createdAt);
}

/**
 * The job list: a page from `listJobs` with the filters, then kept live from the `jobs` topic
 * (no polling). Reloads when the connection comes back or the filters change.
 */
export class JobListModel implements IDisposable {
  private readonly _connection: IConnectionModel;
  private readonly _jobsChanged = new Signal<this, readonly Job[]>(this);
  private _jobs: Job[] = [];
  private _filters: JobFilters = NO_FILTERS;
  private _nextCursor: string | undefined;
  private _loading = false;
  private _error: string | undefined;
  private _unsubscribe: (() => void) | undefined;
  /** Changes seen while a page loads, applied over it. */
  private _pending: Job[] | undefined;
  private _deletedWhileLoading = new Set<string>();
  private _generation = 0;
  private _disposed = false;

  private readonly _pageSize: number;

  constructor(connection: IConnectionModel, options: { pageSize?: number; filters?: Partial<JobFilters> } = {}) {
    this._connection = connection;
    this._pageSize = options.pageSize ?? DEFAULT_JOB_LIST_LIMIT;
    this._filters = { ...NO_FILTERS, ...options.filters };
    connection.stateChanged.connect(this._onConnection, this);
    if (connection.state.status === 'connected') void this.refresh();
  }

  get jobsChanged(): ISignal<this, readonly Job[]> {
    return this._jobsChanged;
  }

  /** The jobs that pass the filters, newest first. */
  get jobs(): readonly Job[] {
    return this._jobs;
  }

  get filters(): JobFilters {
    return this._filters;
  }

  get loading(): boolean {
    return this._loading;
  }

  /** The last load's error message, if it failed. */
  get error(): string | undefined {
    return this._error;
  }

  get hasMore(): boolean {
    return this._nextCursor !== undefined;
  }

  get user(): string | undefined {
    const state = this._connection.state;
    return state.status === 'connected' ? state.info.user : undefined;
  }

  setFilters(filters: Partial<JobFilters>): Promise<void> {
    this._filters = { ...this._filters, ...filters };
    return this.refresh();
  }

  /** Loads the first page again with the current filters and (re)subscribes to changes. */
  async refresh(): Promise<void> {
    await this._load(undefined);
  }

  /** Appends the next page. */
  async loadMore(): Promise<void> {
    if (this._nextCursor !== undefined) await this._load(this._nextCursor);
  }

  private async _load(cursor: string | undefined): Promise<void> {
    const client = this._connection.client;
    if (!client || this._disposed) return;
    this._subscribe();
    const generation = ++this._generation;
    this._loading = true;
    this._pending = [];
    this._deletedWhileLoading = new Set();
    this._emit();
    const f = this._filters;
    try {
      const page = await client.listJobs({
        query: {
          ...(f.states.length ? { state: [...f.states] } : {}),
          ...(f.tag.trim() ? { tag: f.tag.trim() } : {}),
          mine: f.mine,
          limit: this._pageSize,
          ...(cursor ? { cursor } : {}),
        },
      });
      if (generation !== this._generation || this._disposed) return;
      const byId = new Map((cursor ? this._jobs : []).map((j) => [j.id, j]));
      for (const job of page.jobs) if (!this._deletedWhileLoading.has(job.id)) byId.set(job.id, job);
      this._jobs = [...byId.values()];
      this._nextCursor = page.nextCursor;
      this._error = undefined;
      for (const job of this._pending ?? []) this._apply(job);
      this._jobs.sort(newestFirst);
    } catch (e) {
      if (generation !== this._generation || this._disposed) return;
      this._error = isApiError(e) || e instanceof Error ? e.message : String(e);
    } finally {
      if (generation === this._generation) {
        this._loading = false;
        this._pending = undefined;
      }
    }
    if (!this._disposed) this._emit();
  }

  private _subscribe(): void {
    if (this._unsubscribe) return;
    const events = this._connection.events;
    if (!events) return;
    this._unsubscribe = events.subscribe('jobs', (event) => {
      if (event.kind !== 'jobs') return;
      const change = event.data;
      if (change.change === 'deleted') {
        this._deletedWhileLoading.add(change.id);
        const before = this._jobs.length;
        this._jobs = this._jobs.filter((j) => j.id !== change.id);
        if (this._jobs.length !== before) this._emit();
        return;
      }
      if (this._pending) this._pending.push(change.job);
      if (this._apply(change.job)) {
        this._jobs.sort(newestFirst);
        this._emit();
      }
    });
  }

  /** Puts a changed job in the list (or takes it out if it no longer passes); true if the list changed. */
  private _apply(job: Job): boolean {
    const index = this._jobs.findIndex((j) => j.id === job.id);
    const matches = jobMatches(job, this._filters, this.user);
    if (index >= 0) {
      if (matches) this._jobs[index] = job;
      else this._jobs.splice(index, 1);
      return true;
    }
    if (!matches) return false;
    this._jobs.push(job);
    return true;
  }

  private _onConnection(): void {
    this._unsubscribe?.();
    this._unsubscribe = undefined;
    if (this._connection.state.status === 'connected') {
      void this.refresh();
    } else if (this._connection.state.status === 'disconnected') {
      this._jobs = [];
      this._nextCursor = undefined;
      this._emit();
    }
  }

  private _emit(): void {
    this._jobsChanged.emit(this._jobs);
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this._unsubscribe?.();
    this._unsubscribe = undefined;
    Signal.clearData(this);
  }
}

/** The number of the user's jobs running now, for the status bar: kept live from the `jobs` topic. */
export class RunningJobsCount implements IDisposable {
  private readonly _list: JobListModel;
  private readonly _changed = new Signal<this, number>(this);
  private _count = 0;

  constructor(connection: IConnectionModel) {
    this._list = new JobListModel(connection, {
      pageSize: MAX_JOB_LIST_LIMIT,
      filters: { states: ['Running'], mine: true },
    });
    this._list.jobsChanged.connect(this._update, this);
  }

  get changed(): ISignal<this, number> {
    return this._changed;
  }

  get count(): number {
    return this._count;
  }

  private _update(): void {
    const count = this._list.jobs.length;
    if (count === this._count) return;
    this._count = count;
    this._changed.emit(count);
  }

  get isDisposed(): boolean {
    return this._list.isDisposed;
  }

  dispose(): void {
    if (this.isDisposed) return;
    this._list.dispose();
    Signal.clearData(this);
  }
}
