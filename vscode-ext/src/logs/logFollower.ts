import type { ApiClient, LogLine } from '@aiplat/api';
import type { EventSource } from '../connection/liveEvents.js';
import type { Subscription } from '../model/emitter.js';

export const LOG_PAGE_SIZE = 5000;

export interface LogFollowerOptions {
  client: ApiClient;
  events: EventSource;
  jobId: string;
  /** Where to start: a cursor kept from an earlier follower; the beginning of the log if absent. */
  cursor?: string;
  onLines: (lines: LogLine[]) => void;
  /** The job finished and every line was delivered. */
  onEnd?: () => void;
  onError?: (error: unknown) => void;
}

/**
 * Follows one job's logs (every instance, merged by time): reads the pages already written over
 * HTTP from `cursor`, then the `job-logs/<id>` stream from the last page's `nextCursor`, so nothing
 * is missed or repeated. `cursor` is always the position after the last line delivered; a new
 * follower started from it resumes exactly there (and so does the socket after a reconnect).
 */
export class LogFollower {
  private _cursor: string | undefined;
  private subscription: Subscription | undefined;
  private _ended = false;
  private disposed = false;

  constructor(private readonly options: LogFollowerOptions) {
    this._cursor = options.cursor;
  }

  get cursor(): string | undefined {
    return this._cursor;
  }

  get ended(): boolean {
    return this._ended;
  }

  async start(): Promise<void> {
    const { client, jobId } = this.options;
    try {
      for (;;) {
        const page = await client.jobLogs({
          params: { id: jobId },
          query: { limit: LOG_PAGE_SIZE, ...(this._cursor ? { cursor: this._cursor } : {}) },
        });
        if (this.disposed) return;
        this._cursor = page.nextCursor;
        if (page.lines.length > 0) this.options.onLines(page.lines);
        if (!page.more) break;
      }
    } catch (error) {
      this.options.onError?.(error);
      return;
    }
    if (this.disposed) return;
    this.subscription = this.options.events.subscribe(
      `job-logs/${jobId}`,
      (event) => {
        if (event.kind !== 'job-logs' || this.disposed || this._ended) return;
        this._cursor = event.data.cursor;
        if (event.data.lines.length > 0) this.options.onLines(event.data.lines);
        if (event.data.end) {
          this._ended = true;
          this.subscription?.dispose();
          this.subscription = undefined;
          this.options.onEnd?.();
        }
      },
      { cursor: () => this._cursor },
    );
  }

  dispose(): void {
    this.disposed = true;
    this.subscription?.dispose();
    this.subscription = undefined;
  }
}
