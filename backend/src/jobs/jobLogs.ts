import {
  ApiError,
  type JobLogBatch,
  type JobLogsQuery,
  type JobProgress,
  type JobLogsResponse,
  type LogLine,
} from '@aiplat/api';
import type { LogLine as FileLogLine, LogStream as FileLogStream } from '../logs/logFormat.js';
import { followLogBlocks, readLogBlocksToEnd } from '../logs/logBlocks.js';
import { nextLogSeq, readLog } from '../logs/logReader.js';
import { rawLogLines, type RawLogLine } from '../logs/rawLogLine.js';
import { LogSplicer, type LogLineTemplate } from '../logs/logSplicer.js';

/** One instance's log file. */
export interface LogSource {
  index: number;
  file: string;
}

/** Where each instance's reading stands: instance index → next sequence number. */
export type LogCursor = Record<number, number>;

export function encodeLogCursor(cursor: LogCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeLogCursor(text: string | undefined): LogCursor {
  if (text === undefined || text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const valid =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.entries(value).every(([k, v]) => /^\d+$/.test(k) && Number.isSafeInteger(v) && (v as number) >= 0);
  if (!valid) {
    throw new ApiError('validation_failed', 'cursor is not one this server gave out; read again without it', {
      issues: [{ path: 'cursor', message: 'not a log cursor from this server' }],
    });
  }
  return value as LogCursor;
}

const TO_FILE_STREAM = { stdout: 'out', stderr: 'err', platform: 'platform' } as const;
const FROM_FILE_STREAM = { out: 'stdout', err: 'stderr', platform: 'platform' } as const;

export function toApiLine(index: number, line: FileLogLine): LogLine {
  return { time: line.t, instance: index, stream: FROM_FILE_STREAM[line.s], text: line.m, seq: line.seq };
}

/**
 * One page of a job's logs: each instance read from its own place in the cursor, merged by time
 * (ties by instance, then sequence). The next cursor moves each instance only past the lines this
 * page returned (or filtered out), so pages never skip or repeat a line.
 */
export async function readJobLogs(sources: readonly LogSource[], query: JobLogsQuery): Promise<JobLogsResponse> {
  const cursor = decodeLogCursor(query.cursor);
  const selected = query.instance === undefined ? sources : sources.filter((s) => s.index === query.instance);
  if (query.instance !== undefined && selected.length === 0) {
    throw new ApiError(
      'validation_failed',
      `instance ${query.instance} does not exist; this job has ${sources.length}`,
      {
        issues: [{ path: 'query.instance', message: `at most ${sources.length - 1}` }],
      },
    );
  }
  const streams = query.stream?.map((s) => TO_FILE_STREAM[s]) as FileLogStream[] | undefined;
  const pages = await Promise.all(
    selected.map(async (source) => ({
      source,
      page: await readLog(source.file, {
        fromSeq: cursor[source.index] ?? 0,
        ...(query.since ? { sinceTime: query.since } : {}),
        ...(query.until ? { untilTime: query.until } : {}),
        limit: query.limit,
        ...(streams ? { streams } : {}),
        ...(query.search ? { search: query.search } : {}),
      }),
    })),
  );
  const merged = pages
    .flatMap(({ source, page }) => page.lines.map((line) => toApiLine(source.index, line)))
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.instance - b.instance || a.seq - b.seq));
  const lines = merged.slice(0, query.limit);
  const next: LogCursor = { ...cursor };
  let more = merged.length > lines.length;
  for (const { source, page } of pages) {
    const taken = lines.filter((l) => l.instance === source.index);
    const all = page.lines.length;
    if (taken.length === all) next[source.index] = page.nextSeq;
    else next[source.index] = (taken[taken.length - 1]?.seq ?? (cursor[source.index] ?? 0) - 1) + 1;
    more ||= page.more;
  }
  return { lines, nextCursor: encodeLogCursor(next), more };
}

export interface LogFollowOptions {
  sources: readonly LogSource[];
  cursor: LogCursor;
  /**
   * Takes each batch (`encoded`: a `JobLogBatch` as JSON text, built without decoding the lines).
   * Awaited before more is read: a slow reader slows the follow instead of piling up lines.
   */
  send: (batch: JobLogBatch) => Promise<void>;
  sendEncoded?: (json: string) => Promise<void>;
  /** The job's progress as of a batch's cursor, sent with the batch (`JobLogBatch.progress`). */
  progressAt?: (cursor: LogCursor) => Promise<JobProgress | undefined>;
  /** Instead of batches: the lines of one instance as read, messages still JSON-encoded. */
  receiveRaw?: (index: number, lines: readonly RawLogLine[]) => Promise<void>;
  pollIntervalMs?: number;
  /** Bytes of log read at a time, and so about the most one batch holds (`LOG_BLOCK_BYTES`). */
  blockBytes?: number;
}

export interface LogFollow {
  /**
   * The job has finished: send what is left, then a batch with `end: true`, then stop. With
   * `lastLines`, skip ahead so that at most that many lines of each instance are left to send.
   */
  finish(options?: { lastLines?: number }): Promise<void>;
  dispose(): void;
}

/** A `LogLine` of the contract as JSON, for `LogSplicer`: `{"time":…,"instance":…,"stream":…,"text":…,"seq":…}`. */
function wireLineTemplate(index: number): LogLineTemplate {
  const before = (s: FileLogStream) => `","instance":${index},"stream":"${FROM_FILE_STREAM[s]}","text":`;
  return {
    head: '{"time":"',
    beforeMessage: { out: before('out'), err: before('err'), platform: before('platform') },
    beforeSeq: ',"seq":',
    tail: '}',
    separator: ',',
  };
}

/** Follows every instance log of a job from a cursor, as batches that each carry the cursor after them. */
export function followJobLogs(options: LogFollowOptions): LogFollow {
  const position: LogCursor = { ...options.cursor };
  const splicers = new Map<number, LogSplicer>();
  let disposed = false;
  let chain = Promise.resolve();
  /** The lines of `block` after `position[index]`, to the receiver; resolves once it took them. */
  const take = async (index: number, block: Buffer): Promise<void> => {
    const from = position[index] ?? 0;
    if (options.receiveRaw) {
      const fresh: RawLogLine[] = [];
      let next = from;
      for (const line of rawLogLines(block)) {
        if (line.seq < next) continue;
        fresh.push(line);
        next = line.seq + 1;
      }
      if (fresh.length === 0) return;
      position[index] = next;
      return options.receiveRaw(index, fresh);
    }
    let splicer = splicers.get(index);
    if (!splicer) splicers.set(index, (splicer = new LogSplicer(wireLineTemplate(index))));
    const spliced = splicer.splice(block, from);
    if (spliced.count === 0) return;
    position[index] = spliced.nextSeq;
    // The lines are copied as the JSON they are in the file; only the cursor is new.
    const progress = await options.progressAt?.({ ...position });
    const progressJson = progress ? `,"progress":${JSON.stringify(progress)}` : '';
    const json = `{"lines":[${spliced.json.toString('utf8')}],"cursor":"${encodeLogCursor(position)}"${progressJson}}`;
    if (options.sendEncoded) await options.sendEncoded(json);
    else await options.send(JSON.parse(json) as JobLogBatch);
  };
  /** One block at a time, so the cursors a client receives only grow. */
  const deliver = (index: number, block: Buffer): Promise<void> => {
    const run = chain.then(() => (disposed ? undefined : take(index, block)));
    chain = run.catch(() => undefined);
    return run;
  };
  const stops = options.sources.map((source) =>
    followLogBlocks(source.file, position[source.index] ?? 0, (block) => deliver(source.index, block), {
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      ...(options.blockBytes === undefined ? {} : { blockBytes: options.blockBytes }),
    }),
  );
  const dispose = () => {
    disposed = true;
    for (const stop of stops) stop();
  };
  const end = async () => {
    if (options.receiveRaw) return;
    const batch: JobLogBatch = { lines: [], cursor: encodeLogCursor(position), end: true };
    if (options.sendEncoded) await options.sendEncoded(JSON.stringify(batch));
    else await options.send(batch);
  };
  return {
    dispose,
    async finish(finishOptions = {}) {
      for (const stop of stops) stop();
      await chain;
      for (const source of options.sources) {
        if (disposed) return;
        if (finishOptions.lastLines !== undefined) {
          const end = nextLogSeq(source.file);
          position[source.index] = Math.max(position[source.index] ?? 0, end - finishOptions.lastLines);
        }
        // The job's files may be deleted meanwhile: then there is nothing left to send.
        await readLogBlocksToEnd(
          source.file,
          position[source.index] ?? 0,
          (block) => deliver(source.index, block),
          options.blockBytes,
        ).catch(() => undefined);
      }
      if (disposed) return;
      await end();
      disposed = true;
    },
  };
}
