import { describe, expect, it } from 'vitest';
import { boardCharts, boardRuns, DEFAULT_BOARD_OPTIONS, runKey, type SourceState } from '@aiplat/api';

const points = (values: number[]) => values.map((value, i) => ({ step: i + 1, wallTime: 1000 + 10 * i, value }));
const state = (path: string, label: string, series: SourceState['series']): SourceState => ({
  source: { path, label },
  series,
  warnings: [],
  loading: false,
});

const states = [
  state('home/summaries/j-1', 'mnist', [
    { run: '.', tag: 'loss', points: points([4, 2, 1]) },
    { run: '.', tag: 'accuracy', points: points([0.1, 0.5, 0.9]) },
  ]),
  state('home/runs', 'runs', [
    { run: 'lr-0.1', tag: 'loss', points: points([3, -1, 0.5]) },
    { run: 'lr-0.1/eval', tag: 'eval/loss', points: points([5]) },
  ]),
];

describe('boardCharts', () => {
  it('draws one chart per tag with a line per source and run, labelled for the legend', () => {
    const charts = boardCharts(states, { ...DEFAULT_BOARD_OPTIONS, smoothing: 0 });
    expect(charts.map((c) => [c.tag, c.lines.map((l) => l.label)])).toEqual([
      ['accuracy', ['mnist']],
      ['eval/loss', ['runs/lr-0.1/eval']],
      ['loss', ['mnist', 'runs/lr-0.1']],
    ]);
    const loss = charts[2]!.lines[0]!;
    expect([loss.x, loss.raw, loss.smoothed]).toEqual([
      [1, 2, 3],
      [4, 2, 1],
      [4, 2, 1],
    ]);
  });

  it('filters tags, hides runs, uses the chosen x axis, smooths, and leaves non-positive values out on a log scale', () => {
    const charts = boardCharts(states, {
      tagFilter: '^loss$',
      smoothing: 0.5,
      xAxis: 'relative',
      logScale: true,
      hidden: [runKey('home/summaries/j-1', '.')],
    });
    expect(charts.map((c) => c.tag)).toEqual(['loss']);
    const [line] = charts[0]!.lines;
    expect(line!.label).toBe('runs/lr-0.1');
    expect(line!.x).toEqual([0, 10, 20]);
    expect(line!.raw).toEqual([3, null, 0.5]);
    expect(line!.smoothed[0]).toBeCloseTo(3);
    expect(line!.smoothed[1]).toBeNull();
  });

  it('lists every run once for the run checkboxes', () => {
    expect(boardRuns(states).map((r) => r.label)).toEqual(['mnist', 'runs/lr-0.1', 'runs/lr-0.1/eval']);
  });
});
