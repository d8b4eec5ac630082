import type { ApiClient, LogLine } from '@aiplat/api';
import type { EventSource } from '../connection/liveEvents.js';
import type { Subscription } from '../model/emitter.js';

export const SERVICE_LOG_PAGE_SIZE = 5000;

export interface ServiceLogFollowerOptions {
  client: ApiClient;
  events: EventSource;
  name: string;
  onLines: (lines: LogLine[]) => void;
  /** The service was deleted and every line was delivered. */
  onEnd?: () => void;
  onError?: (error: unknown) => void;
}

/**
 * Follows the logs of a service's serving version (every replica, merged by time) as job logs are
 * followed (../logs/logFollower.ts): the pages already written over HTTP, then the
 * `service-logs/<name>` stream from the last page's cursor, so nothing is missed or repeated; the
 * socket resumes from `cursor` after a reconnect.
 */
export class ServiceLogFollower {
  private _cursor: string | undefined;
  private subscription: Subscription | undefined;
  private _ended = false;
  private disposed = false;

  constructor(private readonly options: ServiceLogFollowerOptions) {}

  get cursor(): string | undefined {
    return this._cursor;
  }

  get ended(): boolean {
    return this._ended;
  }

  async start(): Promise<void> {
    const { client, name } = this.options;
    try {
      for (;;) {
        const page = await client.serviceLogs({
          params: { name },
          query: { limit: SERVICE_LOG_PAGE_SIZE, ...(this._cursor ? { cursor: this._cursor } : {}) },
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
      `service-logs/${name}`,
      (event) => {
        if (event.kind !== 'service-logs' || this.disposed || this._ended) return;
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
