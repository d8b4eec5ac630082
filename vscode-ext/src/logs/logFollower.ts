import type { ApiClient, JobLogsResponse, LogLine } from '@aiplat/api';
import type { EventSource } from '../connection/liveEvents.js';
import type { Subscription } from '../model/emitter.js';

export const LOG_PAGE_SIZE = 5000;

/** The event kinds that carry log lines (each a `JobLogBatch`). */
export type LogKind = 'job-logs' | 'service-logs' | 'devmachine-logs';

/** Whose log a follower reads: a page over HTTP, then a streamed topic of the same lines. */
export interface LogSource {
  /** The event kind of the topic's batches. */
  kind: LogKind;
  /** The streamed topic, e.g. `job-logs/<id>`. */
  topic: string;
  /** Reads a page of lines from `cursor` (the beginning when absent). */
  read(client: ApiClient, query: { limit: number; cursor?: string }): Promise<JobLogsResponse>;
}

/** A job's logs: every instance, merged by time. */
export function jobLogSource(jobId: string): LogSource {
  return {
    kind: 'job-logs',
    topic: `job-logs/${jobId}`,
    read: (client, query) => client.jobLogs({ params: { id: jobId }, query }),
  };
}

/** A service's logs: the serving version's replicas (each line's `instance`), merged by time. */
export function serviceLogSource(name: string): LogSource {
  return {
    kind: 'service-logs',
    topic: `service-logs/${name}`,
    read: (client, query) => client.serviceLogs({ params: { name }, query }),
  };
}

/** A dev machine's lifecycle script output (its one instance, 0). */
export function devMachineLogSource(id: string): LogSource {
  return {
    kind: 'devmachine-logs',
    topic: `devmachine-logs/${id}`,
    read: (client, query) => client.devMachineLogs({ params: { id }, query }),
  };
}

export interface LogFollowerOptions {
  client: ApiClient;
  events: EventSource;
  source: LogSource;
  /** Where to start: a cursor kept from an earlier follower; the beginning of the log if absent. */
  cursor?: string;
  onLines: (lines: LogLine[]) => void;
  /** The job finished (the service was deleted) and every line was delivered. */
  onEnd?: () => void;
  onError?: (error: unknown) => void;
}

/**
 * Follows one job's, service's or dev machine's logs (every instance, merged by time): reads the pages already
 * written over HTTP from `cursor`, then the source's stream from the last page's `nextCursor`, so nothing
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
    const { client, source } = this.options;
    try {
      for (;;) {
        const page = await source.read(client, {
          limit: LOG_PAGE_SIZE,
          ...(this._cursor ? { cursor: this._cursor } : {}),
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
      source.topic,
      (event) => {
        if (event.kind !== 'job-logs' && event.kind !== 'service-logs' && event.kind !== 'devmachine-logs') return;
        if (event.kind !== source.kind || this.disposed || this._ended) return;
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
