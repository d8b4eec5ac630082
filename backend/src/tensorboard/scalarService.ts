import { stat } from 'node:fs/promises';
import {
  ApiError,
  SCALAR_POINTS_PER_TAG,
  type ScalarPoint as ApiScalarPoint,
  type ScalarRunsResponse,
  type ScalarSeries,
  type ScalarSeriesResponse,
  type ScalarWarning,
} from '@aiplat/api';
import type { StreamOpener } from '../server/eventHub.js';
import type { PathResolver } from '../workspace/pathResolver.js';
import { DEFAULT_LOG_DIR_LIMITS, LogDir, type LogDirIssue, type LogDirLimits, type LogDirUpdate } from './logDir.js';
import type { ScalarPoint } from './scalars.js';

export interface ScalarServiceOptions {
  resolver: PathResolver;
  /** How often a followed log directory is read again. */
  pollMs: number;
  /** Log directories kept in memory at most; the least recently used one is dropped (unless followed). */
  maxLogDirs?: number;
  limits?: Partial<LogDirLimits>;
}

export interface SeriesQuery {
  run?: string | undefined;
  tag?: string | undefined;
  fromStep?: number | undefined;
  toStep?: number | undefined;
  points: number;
}

/**
 * The platform's own scalar charts: log directories under /work read as TensorBoard reads them,
 * answered per run and tag, and followed live on the `scalars/<path>` topic (read again every
 * `pollMs` while anyone follows). Paths are resolved like a listing: confined, the caller's own home.
 */
export class ScalarService {
  private readonly logDirs = new Map<string, LogDir>();
  private readonly pollers = new Map<LogDir, NodeJS.Timeout>();
  private readonly limits: LogDirLimits;

  constructor(private readonly options: ScalarServiceOptions) {
    this.limits = { ...DEFAULT_LOG_DIR_LIMITS, ...options.limits };
  }

  async runs(user: string, path: string): Promise<ScalarRunsResponse> {
    const { logDir, apiPath } = await this.open(user, path);
    await logDir.refresh();
    const runs = logDir.runNames.map((name) => {
      const reader = logDir.run(name)!;
      return {
        name,
        tags: reader.tagNames.map((tag) => {
          const points = reader.series(tag);
          const last = points.at(-1)!;
          return {
            tag,
            count: reader.seen(tag),
            lastStep: last.step,
            lastWallTime: last.wallTime,
            lastValue: finite(last.value),
          };
        }),
      };
    });
    return { path: apiPath, runs: runs.filter((run) => run.tags.length > 0), warnings: warnings(logDir.issues) };
  }

  async series(user: string, path: string, query: SeriesQuery): Promise<ScalarSeriesResponse> {
    const { logDir, apiPath } = await this.open(user, path);
    await logDir.refresh();
    if (query.run !== undefined && !logDir.run(query.run)) {
      throw new ApiError(
        'not_found',
        `${apiPath} has no run ${query.run}; its runs: ${logDir.runNames.join(', ') || 'none yet'}`,
      );
    }
    const series: ScalarSeries[] = [];
    for (const name of query.run !== undefined ? [query.run] : logDir.runNames) {
      const reader = logDir.run(name)!;
      for (const tag of query.tag !== undefined ? [query.tag] : reader.tagNames) {
        const inRange = reader
          .series(tag)
          .filter(
            (p) =>
              (query.fromStep === undefined || p.step >= query.fromStep) &&
              (query.toStep === undefined || p.step <= query.toStep),
          );
        if (inRange.length > 0) series.push({ run: name, tag, points: spread(inRange, query.points).map(toApiPoint) });
      }
    }
    return { path: apiPath, series, warnings: warnings(logDir.issues) };
  }

  /** The `scalars/<path>` topic: new points pushed as the files grow, read again every `pollMs`. */
  opener(): StreamOpener<'scalars'> {
    return async (subscription) => {
      const { logDir, apiPath } = await this.open(subscription.user.name, subscription.id);
      const stop = logDir.listen((update) => {
        subscription.send({ path: apiPath, ...toSeries(update) }).catch(() => undefined);
      });
      this.follow(logDir);
      return () => {
        stop();
        this.unfollow(logDir);
      };
    };
  }

  close(): void {
    for (const timer of this.pollers.values()) clearInterval(timer);
    this.pollers.clear();
    this.logDirs.clear();
  }

  private async open(user: string, path: string): Promise<{ logDir: LogDir; apiPath: string }> {
    const resolved = await this.options.resolver.resolve(user, path, { access: 'read' });
    if (!(await stat(resolved.absPath)).isDirectory()) {
      throw new ApiError('bad_request', `${resolved.apiPath} is a file; give the folder that holds the event files`);
    }
    let logDir = this.logDirs.get(resolved.absPath);
    if (logDir) this.logDirs.delete(resolved.absPath);
    else logDir = new LogDir(resolved.absPath, this.limits);
    this.logDirs.set(resolved.absPath, logDir); // most recently used last
    this.evict();
    return { logDir, apiPath: resolved.apiPath };
  }

  private evict(): void {
    const max = this.options.maxLogDirs ?? 64;
    for (const [key, logDir] of this.logDirs) {
      if (this.logDirs.size <= max) return;
      if (!this.pollers.has(logDir)) this.logDirs.delete(key);
    }
  }

  private follow(logDir: LogDir): void {
    if (this.pollers.has(logDir)) return;
    const timer = setInterval(() => void logDir.refresh().catch(() => undefined), this.options.pollMs);
    timer.unref();
    this.pollers.set(logDir, timer);
  }

  private unfollow(logDir: LogDir): void {
    if (logDir.listenerCount > 0) return;
    clearInterval(this.pollers.get(logDir));
    this.pollers.delete(logDir);
  }
}

function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function toApiPoint(point: ScalarPoint): ApiScalarPoint {
  return { step: point.step, wallTime: point.wallTime, value: finite(point.value) };
}

function warnings(issues: readonly LogDirIssue[]): ScalarWarning[] {
  return issues.map(({ run, file, offset, message }) => ({ run, file, offset, message }));
}

/** A refresh's new points grouped per run and tag, as the topic sends them. */
function toSeries(update: LogDirUpdate): { series: ScalarSeries[]; warnings: ScalarWarning[] } {
  const series: ScalarSeries[] = [];
  for (const { run, points } of update.runs) {
    const byTag = new Map<string, ApiScalarPoint[]>();
    for (const point of points) {
      let list = byTag.get(point.tag);
      if (!list) byTag.set(point.tag, (list = []));
      list.push(toApiPoint(point));
    }
    // A writer faster than the poll sends no more per push than a chart keeps.
    for (const [tag, tagPoints] of byTag) series.push({ run, tag, points: spread(tagPoints, SCALAR_POINTS_PER_TAG) });
  }
  return { series, warnings: warnings(update.issues) };
}

/** At most `max` points spread evenly over the list, the first and the last kept. */
export function spread<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const out: T[] = [];
  const stride = (points.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(points[Math.round(i * stride)]!);
  return out;
}
