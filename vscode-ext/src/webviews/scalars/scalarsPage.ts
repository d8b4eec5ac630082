import { boardCharts, boardRuns, DEFAULT_BOARD_OPTIONS, type BoardOptions, type SourceState } from '@aiplat/api';
import { chartColour } from '../charts/plotLayout.js';
import type { MessageHandlers } from '../messages.js';
import type { HostMessage, ScalarsState, ScalarsStrings, TensorBoardStatus } from './protocol.js';
import { layoutScalarChart, type ScalarChartLayout } from './scalarLayout.js';

/*
 * The TensorBoard page apart from the DOM: what the extension sent (sources, strings, TensorBoard's
 * status), what the user chose (tag filter, smoothing, x axis, log scale, hidden runs), and the
 * charts that follow from both. app.ts only draws `view()` and forwards the controls; tests drive
 * this class with the messages a real panel posts.
 */

/** The warnings shown at most (the newest). */
export const MAX_WARNINGS = 20;

export interface RunView {
  key: string;
  label: string;
  colour: string;
  visible: boolean;
}

export interface SourceView {
  path: string;
  label: string;
  /** Compared sources can be left out again; the panel's first cannot. */
  removable: boolean;
  /** Reading, nothing written yet, or why it could not be read. */
  notice?: string;
  failed: boolean;
}

export interface ScalarsView {
  sources: SourceView[];
  runs: RunView[];
  charts: ScalarChartLayout[];
  /** There are tags, but the filter matches none. */
  noTags: boolean;
  warnings: string[];
  tensorboard?: { text: string; failed: boolean };
}

/** Fills `{0}`, `{1}`... of a translated string. */
export function format(template: string, ...args: string[]): string {
  return template.replace(/\{(\d+)\}/g, (match, index: string) => args[Number(index)] ?? match);
}

export class ScalarsPage {
  strings: ScalarsStrings | undefined;
  options: BoardOptions = DEFAULT_BOARD_OPTIONS;
  sources: SourceState[] = [];
  tensorboard: TensorBoardStatus | undefined;
  error = '';

  readonly handlers: MessageHandlers<HostMessage> = {
    init: (m) => {
      this.strings = m.strings;
      this.options = m.options;
      this.error = '';
    },
    sources: (m) => {
      this.sources = m.sources;
    },
    tensorboard: (m) => {
      this.tensorboard = m.tensorboard;
    },
    error: (m) => {
      this.error = m.message;
    },
  };

  setOptions(patch: Partial<BoardOptions>): void {
    this.options = { ...this.options, ...patch };
  }

  toggleRun(key: string): void {
    const { hidden } = this.options;
    this.setOptions({ hidden: hidden.includes(key) ? hidden.filter((k) => k !== key) : [...hidden, key] });
  }

  /** What VS Code keeps for a window reload: the sources and the chosen options. */
  savedState(): ScalarsState | undefined {
    if (this.sources.length === 0) return undefined;
    return {
      sources: this.sources.map((s) => s.source),
      options: { ...this.options, hidden: [...this.options.hidden] },
    };
  }

  view(formatWall: (seconds: number) => string): ScalarsView {
    const strings = this.strings;
    const runs = boardRuns(this.sources).map((run, i): RunView => ({
      ...run,
      colour: chartColour(i),
      visible: !this.options.hidden.includes(run.key),
    }));
    const colours = new Map(runs.map((run) => [run.key, run.colour]));
    const charts = boardCharts(this.sources, this.options).map((chart) =>
      layoutScalarChart(chart, {
        xAxis: this.options.xAxis,
        logScale: this.options.logScale,
        colour: (key) => colours.get(key) ?? chartColour(0),
        formatWall,
      }),
    );
    const anyTag = this.sources.some((s) => s.series.length > 0);
    const noTags = anyTag && charts.length === 0 && runs.some((run) => run.visible);
    const view: ScalarsView = {
      sources: this.sources.map((state, i) => this.sourceView(state, i)),
      runs,
      charts,
      noTags,
      warnings: this.sources
        .flatMap((s) => s.warnings.map((w) => `${s.source.label}/${w.run}: ${w.file} @ ${w.offset}: ${w.message}`))
        .slice(-MAX_WARNINGS),
    };
    const tensorboard = this.tensorboard;
    if (tensorboard && strings) {
      view.tensorboard =
        tensorboard.status === 'starting'
          ? { text: strings.tensorBoardStarting, failed: false }
          : tensorboard.status === 'opened'
            ? { text: strings.tensorBoardOpened, failed: false }
            : { text: tensorboard.message, failed: true };
    }
    return view;
  }

  private sourceView(state: SourceState, index: number): SourceView {
    const { label, path } = state.source;
    const view: SourceView = { path, label, removable: index > 0, failed: state.error !== undefined };
    const strings = this.strings;
    if (!strings) return view;
    if (state.error !== undefined) view.notice = format(strings.failed, label, state.error);
    else if (state.loading) view.notice = format(strings.loading, label);
    else if (state.series.length === 0) view.notice = format(strings.empty, label, path);
    return view;
  }
}
