import { boardCharts, DEFAULT_BOARD_OPTIONS, type BoardOptions, type SourceState } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { durationLabel, layoutScalarChart, valueLabel, type ScalarLayoutOptions } from './scalarLayout.js';

const source: SourceState = {
  source: { path: 'home/runs', label: 'runs' },
  series: [
    {
      run: 'a',
      tag: 'loss',
      points: [4, 2, 1, -1, 0.5].map((value, i) => ({ step: 10 * i, wallTime: 1_700_000_000 + 30 * i, value })),
    },
  ],
  warnings: [],
  loading: false,
};

const layout = (options: Partial<BoardOptions>, wall: ScalarLayoutOptions['formatWall'] = (s) => `t${s}`) => {
  const board = { ...DEFAULT_BOARD_OPTIONS, ...options };
  const [chart] = boardCharts([source], board);
  return layoutScalarChart(chart!, {
    xAxis: board.xAxis,
    logScale: board.logScale,
    colour: () => '#123456',
    formatWall: wall,
  });
};

describe('a tag chart laid out', () => {
  it('draws each run raw and smoothed over round step ticks, the last value for the legend', () => {
    const chart = layout({ smoothing: 0 });
    expect(chart.tag).toBe('loss');
    expect(chart.xTicks.map((t) => t.label)).toEqual(['0', '10', '20', '30', '40']);
    expect(chart.yTicks.map((t) => t.label)).toEqual(['-2', '0', '2', '4']);
    const [line] = chart.lines;
    expect(line).toMatchObject({ label: 'runs/a', colour: '#123456', count: 5, last: 0.5, lastSmoothed: 0.5 });
    expect(line!.raw).toHaveLength(1);
    expect(line!.raw[0]!.split(' ')).toHaveLength(5);
    // No smoothing: the smoothed line is the raw one.
    expect(line!.smoothed).toEqual(line!.raw);
  });

  it('smooths with the weight chosen, leaving the raw line as it is', () => {
    const none = layout({ smoothing: 0 }).lines[0]!;
    const strong = layout({ smoothing: 0.9 }).lines[0]!;
    expect(strong.raw).toEqual(none.raw);
    expect(strong.smoothed).not.toEqual(none.smoothed);
    // Debiased: the smoothed line starts at the first value.
    expect(strong.smoothed[0]!.split(' ')[0]).toBe(none.raw[0]!.split(' ')[0]);
  });

  it('puts relative time or wall time along x', () => {
    expect(layout({ xAxis: 'relative' }).xTicks.map((t) => t.label)).toEqual(['0s', '50s', '1m 40s', '2m 30s']);
    const wall = layout({ xAxis: 'wall' }, (s) => `at ${s - 1_700_000_000}`);
    expect(wall.xTicks.map((t) => t.label)).toEqual(['at 0', 'at 40', 'at 80', 'at 120']);
  });

  it('on a log scale: powers of ten, and a gap where a value is not positive', () => {
    const chart = layout({ logScale: true, smoothing: 0 });
    expect(chart.yTicks.map((t) => t.label)).toEqual(['0.1', '1', '10']);
    expect(chart.lines[0]!.raw.map((points) => points.split(' ').length)).toEqual([3, 1]);
    expect(chart.lines[0]!.count).toBe(4);
  });

  it('labels durations and values for people', () => {
    expect([0, 12.5, 60, 150, 3600, 5430].map(durationLabel)).toEqual(['0s', '12.5s', '1m', '2m 30s', '1h', '1h 30m']);
    expect([0.123456, 1234567, 2].map(valueLabel)).toEqual(['0.1235', '1235000', '2']);
  });
});
