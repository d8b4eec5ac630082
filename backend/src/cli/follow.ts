import {
  ApiError,
  isTerminalJobState,
  type Job,
  type JobLogsQuery,
  type JobLogsResponse,
  type LogLine,
  type LogStream,
} from '@aiplat/api';
import type { CliContext, Connection } from './context.js';
import { messages } from './messages.js';

/*
 * Following over the WebSocket, with HTTP polling when the socket cannot be opened or drops: a job's
 * state (`jobs/<id>`) until it finishes, and logs (`job-logs/<id>`, `service-logs/<name>`) until
 * `end` or their owner is deleted.
 */

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the job reaches a finished state, calling `onChange` once per state it enters (the
 * first call with the state it is in now). Resolves with the finished job.
 */
export async function watchJob(
  conn: Connection,
  ctx: CliContext,
  id: string,
  onChange: (job: Job) => void,
): Promise<Job> {
  let last: Job | undefined;
  let eventsSeen = 0;
  /** True once the job has finished. */
  const seen = (job: Job): boolean => {
    if (last?.state !== job.state) onChange(job);
    last = job;
    return isTerminalJobState(job.state);
  };

  const topic = `jobs/${id}`;
  const viaSocket = await new Promise<Job | ApiError | undefined>((resolve) => {
    let settled = false;
    let unsubscribe: (() => void) | undefined;
    let socket: ReturnType<Connection['openEvents']> | undefined;
    const finish = (result: Job | ApiError | undefined) => {
      if (settled) return;
      settled = true;
      unsubscribe?.();
      socket?.close();
      resolve(result);
    };
    try {
      socket = conn.openEvents({
        onMessage: (message) => {
          if (message.type === 'error') finish(undefined);
          if (message.type !== 'subscribed' || message.topic !== topic) return;
          // Subscribed: from here on no change is missed; read where the job stands now.
          const before = eventsSeen;
          conn.client.getJob({ params: { id } }).then(
            (job) => {
              if (settled) return;
              // A change that arrived meanwhile is at least as new as this read, unless it finished.
              if ((eventsSeen === before || isTerminalJobState(job.state)) && seen(job)) finish(job);
            },
            (error: unknown) => finish(error instanceof ApiError ? error : undefined),
          );
        },
        onClose: () => finish(undefined),
      });
      unsubscribe = socket.subscribe(topic, (event) => {
        if (event.kind !== 'jobs' || settled) return;
        eventsSeen++;
        if (event.data.change === 'deleted') finish(new ApiError('not_found', messages.wait.deleted(id)));
        else if (seen(event.data.job)) finish(event.data.job);
      });
    } catch {
      finish(undefined);
    }
  });
  if (viaSocket instanceof ApiError) throw viaSocket;
  if (viaSocket) return viaSocket;

  // No socket (or it dropped): poll.
  for (;;) {
    const job = await conn.client.getJob({ params: { id } });
    if (seen(job)) return job;
    await sleep(ctx.pollIntervalMs);
  }
}

/** The filters of `aiplat logs`; the HTTP reads apply them on the server, the follow here. */
export interface LogFilter {
  instance?: number;
  since?: string;
  search?: string;
  stream?: LogStream[];
}

export function logQuery(filter: LogFilter): Omit<JobLogsQuery, 'limit' | 'cursor'> {
  return {
    ...(filter.instance !== undefined ? { instance: filter.instance } : {}),
    ...(filter.since !== undefined ? { since: filter.since } : {}),
    ...(filter.search !== undefined ? { search: filter.search } : {}),
    ...(filter.stream !== undefined ? { stream: filter.stream } : {}),
  };
}

function matches(line: LogLine, filter: LogFilter): boolean {
  if (filter.instance !== undefined && line.instance !== filter.instance) return false;
  if (filter.stream && !filter.stream.includes(line.stream)) return false;
  if (filter.since !== undefined && Date.parse(line.time) < Date.parse(filter.since)) return false;
  if (filter.search !== undefined && !line.text.toLowerCase().includes(filter.search.toLowerCase())) return false;
  return true;
}

const PAGE = 5000;

/**
 * Where a stream of log lines comes from: a job's instances or a service's replicas. Both are read a
 * page at a time over HTTP and followed on a streamed topic of `JobLogBatch`es.
 */
export interface LogFeed {
  readPage(query: JobLogsQuery): Promise<JobLogsResponse>;
  /** The streamed topic (`job-logs/<id>`, `service-logs/<name>`); none: follow by polling only. */
  topic?: string;
  /** The owner's change topic (`jobs/<id>`, `services/<name>`): a `deleted` change ends the follow. */
  changes: string;
  /**
   * Read before each polled page when the socket is not there: true once no new line can come (the
   * page read after it then held the last ones). Throws (not found) once the owner is deleted.
   */
  finished(): Promise<boolean>;
}

/** A job's logs: its instances, followed until the job has finished. */
export function jobLogFeed(conn: Connection, id: string): LogFeed {
  return {
    readPage: (query) => conn.client.jobLogs({ params: { id }, query }),
    topic: `job-logs/${id}`,
    changes: `jobs/${id}`,
    finished: async () => isTerminalJobState((await conn.client.getJob({ params: { id } })).state),
  };
}

/** Reads every page from `cursor` on; returns the cursor after the last one. */
async function readPages(
  feed: LogFeed,
  filter: LogFilter,
  cursor: string | undefined,
  onLines: (lines: LogLine[]) => void,
): Promise<string | undefined> {
  for (;;) {
    const page = await feed.readPage({
      ...logQuery(filter),
      limit: PAGE,
      ...(cursor !== undefined ? { cursor } : {}),
    });
    if (page.lines.length > 0) onLines(page.lines);
    cursor = page.nextCursor;
    if (!page.more) return cursor;
  }
}

/**
 * Prints a job's logs: every existing line (paged over HTTP), then, with `follow`, new lines over
 * the WebSocket from the last page's cursor until the job has finished and every line was sent.
 * Each line comes exactly once and, per instance, in order.
 */
export function streamLogs(
  conn: Connection,
  ctx: CliContext,
  id: string,
  filter: LogFilter,
  follow: boolean,
  onLines: (lines: LogLine[]) => void,
): Promise<void> {
  return streamFeed(conn, ctx, jobLogFeed(conn, id), filter, follow, onLines);
}

/**
 * Prints a feed's lines: every existing one (paged over HTTP), then, with `follow`, new ones over
 * the WebSocket from the last page's cursor until the feed ends (or its owner is deleted), polling
 * from that cursor when the socket cannot be opened or drops.
 */
export async function streamFeed(
  conn: Connection,
  ctx: CliContext,
  feed: LogFeed,
  filter: LogFilter,
  follow: boolean,
  onLines: (lines: LogLine[]) => void,
): Promise<void> {
  let cursor = await readPages(feed, filter, undefined, onLines);
  if (!follow) return;

  const topic = feed.topic;
  const ended =
    topic !== undefined &&
    (await new Promise<boolean>((resolve) => {
      let settled = false;
      const unsubscribes: (() => void)[] = [];
      let socket: ReturnType<Connection['openEvents']> | undefined;
      const finish = (done: boolean) => {
        if (settled) return;
        settled = true;
        for (const unsubscribe of unsubscribes) unsubscribe();
        socket?.close();
        resolve(done);
      };
      try {
        socket = conn.openEvents({
          onMessage: (message) => {
            if (message.type === 'error') finish(false);
          },
          onClose: () => finish(false),
        });
        // A deleted owner's follow just stops: poll, which reports it gone.
        unsubscribes.push(
          socket.subscribe(feed.changes, (event) => {
            if (
              (event.kind === 'jobs' || event.kind === 'services' || event.kind === 'devmachines') &&
              event.data.change === 'deleted'
            )
              finish(false);
          }),
        );
        unsubscribes.push(
          socket.subscribe(
            topic,
            (event) => {
              const logKind =
                event.kind === 'job-logs' || event.kind === 'service-logs' || event.kind === 'devmachine-logs';
              if (!logKind || settled) return;
              const lines = event.data.lines.filter((line) => matches(line, filter));
              if (lines.length > 0) onLines(lines);
              cursor = event.data.cursor;
              if (event.data.end) finish(true);
            },
            cursor === undefined ? undefined : { cursor },
          ),
        );
      } catch {
        finish(false);
      }
    }));
  if (ended) return;

  // No socket (or it dropped): poll from the last cursor until the feed has ended.
  for (;;) {
    const finished = await feed.finished();
    cursor = await readPages(feed, filter, cursor, onLines);
    // Read before the pages: once finished, those pages held every last line.
    if (finished) return;
    await sleep(ctx.pollIntervalMs);
  }
}
