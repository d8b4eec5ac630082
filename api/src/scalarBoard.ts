import type { ApiClient } from './client.js';
import type { EventSocket } from './eventSocket.js';
import { mergeScalarSeries, seriesKey, smooth, tagMatches, xValues, type XAxis } from './scalarCharts.js';
import { scalarsTopic, type ScalarSeries, type ScalarWarning } from './schemas/scalars.js';

/** A log directory shown on a board: a job's summaries or a folder, labelled for the legend. */
export interface ScalarSource {
  path: string;
  label: string;
  jobId?: string;
}

export interface SourceState {
  source: ScalarSource;
  series: ScalarSeries[];
  warnings: ScalarWarning[];
  loading: boolean;
  /** Why it could not be read (the API's words). */
  error?: string;
}

export interface BoardOptions {
  /** A regular expression (or text) the tags must match. */
  tagFilter: string;
  /** TensorBoard's smoothing weight, 0 to 0.999. */
  smoothing: number;
  xAxis: XAxis;
  logScale: boolean;
  /** Lines left out, by `lineKey`. */
  hidden: readonly string[];
}

export const DEFAULT_BOARD_OPTIONS: BoardOptions = {
  tagFilter: '',
  smoothing: 0.6,
  xAxis: 'step',
  logScale: false,
  hidden: [],
};

export interface ChartLine {
  /** `seriesKey(source path, run, tag)`. */
  key: string;
  /** What the legend says: `<source>/<run>`, or the source alone for its top-level run. */
  label: string;
  /** The run's key across tags (hiding a run hides it in every chart). */
  lineKey: string;
  x: number[];
  raw: (number | null)[];
  smoothed: (number | null)[];
}

export interface TagChart {
  tag: string;
  lines: ChartLine[];
}

/** The run key used by `hidden`: the same run in every tag's chart. */
export function runKey(source: string, run: string): string {
  return `${source}\u0000${run}`;
}

function label(source: ScalarSource, run: string): string {
  return run === '.' ? source.label : `${source.label}/${run}`;
}

/**
 * The charts of a board: one per tag (sorted, filtered), each with a line per source and run that
 * wrote it (hidden runs left out), x values by the chosen axis, raw and smoothed values; with a log
 * scale, values that are not positive are left out (null) as TensorBoard does.
 */
export function boardCharts(states: readonly SourceState[], options: BoardOptions): TagChart[] {
  const byTag = new Map<string, ChartLine[]>();
  for (const state of states) {
    for (const series of state.series) {
      if (!tagMatches(series.tag, options.tagFilter)) continue;
      const lineKey = runKey(state.source.path, series.run);
      if (options.hidden.includes(lineKey)) continue;
      const raw = series.points.map((p) => (options.logScale && p.value !== null && p.value <= 0 ? null : p.value));
      const line: ChartLine = {
        key: seriesKey(state.source.path, series.run, series.tag),
        label: label(state.source, series.run),
        lineKey,
        x: xValues(series.points, options.xAxis),
        raw,
        smoothed: smooth(raw, options.smoothing),
      };
      let lines = byTag.get(series.tag);
      if (!lines) byTag.set(series.tag, (lines = []));
      lines.push(line);
    }
  }
  return [...byTag.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([tag, lines]) => ({ tag, lines }));
}

/** Every run of a board, for the run checkboxes: its key and legend label. */
export function boardRuns(states: readonly SourceState[]): { key: string; label: string }[] {
  const runs = new Map<string, string>();
  for (const state of states) {
    for (const series of state.series) runs.set(runKey(state.source.path, series.run), label(state.source, series.run));
  }
  return [...runs.entries()]
    .map(([key, text]) => ({ key, label: text }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

export interface ScalarBoardConnection {
  readonly client: ApiClient | undefined;
  /** Only `subscribe` is used: an IDE's own event source that outlives reconnects fits too. */
  readonly events?: Pick<EventSocket, 'subscribe'> | undefined;
}

/**
 * The sources of a scalars board kept current: each read over HTTP once and followed on its
 * `scalars/<path>` topic (subscribed first, so nothing written in between is missed), again after a
 * reconnect. DOM-free; `onChange` runs after every change.
 */
export class ScalarBoard {
  private readonly states = new Map<string, SourceState>();
  private readonly unsubscribes = new Map<string, () => void>();
  private disposed = false;

  constructor(
    private readonly connection: ScalarBoardConnection,
    private readonly onChange: () => void,
  ) {}

  get sources(): SourceState[] {
    return [...this.states.values()];
  }

  add(source: ScalarSource): void {
    if (this.states.has(source.path) || this.disposed) return;
    this.states.set(source.path, { source, series: [], warnings: [], loading: true });
    this.onChange();
    void this.load(source.path);
  }

  remove(path: string): void {
    this.unsubscribes.get(path)?.();
    this.unsubscribes.delete(path);
    if (this.states.delete(path)) this.onChange();
  }

  /** Reads every source again and follows it on the current connection (after a reconnect). */
  reload(): void {
    for (const path of this.states.keys()) void this.load(path);
  }

  dispose(): void {
    this.disposed = true;
    for (const unsubscribe of this.unsubscribes.values()) unsubscribe();
    this.unsubscribes.clear();
  }

  private async load(path: string): Promise<void> {
    const client = this.connection.client;
    const state = this.states.get(path);
    if (!state) return;
    if (!client) {
      this.update(path, { loading: false, error: 'not connected' });
      return;
    }
    this.unsubscribes.get(path)?.();
    const events = this.connection.events;
    const pending: ScalarSeries[][] = [];
    let loaded = false;
    const unsubscribe = events?.subscribe(scalarsTopic(path), (event) => {
      if (event.kind !== 'scalars' || this.disposed) return;
      if (!loaded) pending.push(event.data.series);
      else {
        const current = this.states.get(path);
        if (!current) return;
        this.update(path, {
          series: mergeScalarSeries(current.series, event.data.series),
          warnings: [...current.warnings, ...event.data.warnings],
        });
      }
    });
    if (unsubscribe) this.unsubscribes.set(path, unsubscribe);
    try {
      const answer = await client.scalarSeries({ query: { path } });
      loaded = true;
      let series = answer.series;
      for (const batch of pending) series = mergeScalarSeries(series, batch);
      this.update(path, { series, warnings: answer.warnings, loading: false, error: undefined });
    } catch (error) {
      loaded = true;
      this.update(path, { loading: false, error: (error as Error).message });
    }
  }

  private update(path: string, patch: Partial<SourceState>): void {
    const state = this.states.get(path);
    if (!state || this.disposed) return;
    const next = { ...state, ...patch };
    if (patch.error === undefined && 'error' in patch) delete next.error;
    this.states.set(path, next);
    this.onChange();
  }
}
