import { isTerminalJobState, type ApiClient, type Job, type JobChange } from '@aiplat/api';
import type { EventSource } from '../connection/liveEvents.js';
import { Emitter, type Subscription } from '../model/emitter.js';

export const JOBS_PAGE_SIZE = 100;
const MAX_READS_WHILE_CHANGING = 3;

export interface JobsModelOptions {
  /** The client of the current connection; undefined while disconnected. */
  client: () => ApiClient | undefined;
  events: EventSource;
}

/**
 * The user's view of the jobs, free of `vscode`: the first pages from `GET /api/jobs`, kept live by
 * the `jobs` topic (`updated` upserts, `deleted` removes). Newest first, as the server lists them.
 */
export class JobsModel {
  private _jobs: Job[] = [];
  private _nextCursor: string | undefined;
  private _loaded = false;
  private _error: unknown;
  private readonly changed = new Emitter<void>();
  private readonly subscription: Subscription;
  /** Only the newest first-page read applies its answer (an older one may finish later). */
  private firstPageReads = 0;
  private latestFirstPage: Promise<void> = Promise.resolve();
  /** Changes received from the `jobs` topic, to tell whether one arrived during a read. */
  private eventsSeen = 0;

  readonly onDidChangeJobs = this.changed.event;

  constructor(private readonly options: JobsModelOptions) {
    this.subscription = options.events.subscribe(
      'jobs',
      (event) => {
        if (event.kind !== 'jobs') return;
        this.eventsSeen++;
        this.apply(event.data);
      },
      // Every (re)subscription re-reads the list, so nothing changed in between is missed.
      { onSubscribed: () => void this.refresh() },
    );
  }

  get jobs(): readonly Job[] {
    return this._jobs;
  }

  get loaded(): boolean {
    return this._loaded;
  }

  get hasMore(): boolean {
    return this._nextCursor !== undefined;
  }

  /** The last listing error, cleared by a successful refresh. */
  get error(): unknown {
    return this._error;
  }

  get runningCount(): number {
    return this._jobs.filter((job) => job.state === 'Running').length;
  }

  get activeCount(): number {
    return this._jobs.filter((job) => !isTerminalJobState(job.state)).length;
  }

  find(id: string): Job | undefined {
    return this._jobs.find((job) => job.id === id);
  }

  /** Re-reads the first page (and forgets later pages). */
  refresh(): Promise<void> {
    const read = this.load(undefined);
    this.latestFirstPage = read;
    return read;
  }

  async loadMore(): Promise<void> {
    if (this._nextCursor !== undefined) await this.load(this._nextCursor);
  }

  /** Forgets everything (the connection was lost or changed). */
  clear(): void {
    this._jobs = [];
    this._nextCursor = undefined;
    this._loaded = false;
    this._error = undefined;
    this.changed.fire();
  }

  /**
   * Shows the answer of an action (submit, stop, start again) at once, then re-reads the list: the
   * answer may arrive after a newer change from the topic (a stop answers Stopping after the
   * topic already said Stopped), and the re-read settles it.
   */
  applyAnswer(job: Job): Promise<void> {
    this.apply({ change: 'updated', job });
    return this.refresh();
  }

  /** Applies a change from the `jobs` topic (or a deletion the user just made). */
  apply(change: JobChange): void {
    if (change.change === 'deleted') {
      const before = this._jobs.length;
      this._jobs = this._jobs.filter((job) => job.id !== change.id);
      if (this._jobs.length !== before) this.changed.fire();
      return;
    }
    const job = stripInstances(change.job);
    const index = this._jobs.findIndex((j) => j.id === job.id);
    if (index >= 0) this._jobs[index] = job;
    else this._jobs.unshift(job);
    this.changed.fire();
  }

  private async load(cursor: string | undefined): Promise<void> {
    const client = this.options.client();
    if (!client) {
      this.clear();
      return;
    }
    const read = cursor === undefined ? ++this.firstPageReads : this.firstPageReads;
    try {
      let page: Awaited<ReturnType<ApiClient['listJobs']>>;
      for (let attempt = 1; ; attempt++) {
        const seen = this.eventsSeen;
        page = await client.listJobs({ query: { limit: JOBS_PAGE_SIZE, ...(cursor ? { cursor } : {}) } });
        // A newer read started meanwhile: its answer counts; resolve when it is applied.
        if (read !== this.firstPageReads) return await this.latestFirstPage;
        // A change that arrived while the page was read may be older or newer than the page:
        // read again rather than guess (a few times; a busy server keeps changing).
        if (this.eventsSeen === seen || attempt >= MAX_READS_WHILE_CHANGING) break;
      }
      const incoming = page.jobs;
      if (cursor === undefined) this._jobs = incoming;
      else {
        const known = new Set(this._jobs.map((job) => job.id));
        this._jobs = [...this._jobs, ...incoming.filter((job) => !known.has(job.id))];
      }
      this._nextCursor = page.nextCursor;
      this._loaded = true;
      this._error = undefined;
    } catch (error) {
      this._error = error;
    }
    this.changed.fire();
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** A `JobDetail` from an action's answer carries instances; the list keeps plain jobs. */
function stripInstances(job: Job & { instances?: unknown }): Job {
  if (!('instances' in job)) return job;
  const { instances: _instances, ...plain } = job;
  return plain;
}
