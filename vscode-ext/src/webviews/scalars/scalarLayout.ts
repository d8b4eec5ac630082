import type { TagChart, XAxis } from '@aiplat/api';
import {
  CHART_BOX,
  extent,
  linearTicks,
  logTicks,
  polylines,
  powerLabel,
  round,
  scale,
  tickLabel,
  type ChartBox,
} from '../charts/plotLayout.js';

/*
 * One tag's chart as numbers (the page draws it with ../charts/plotView.ts): x by step, relative or
 * wall time, y linear or log, each run's raw line (drawn faint) and smoothed line (solid) as
 * TensorBoard draws them. Pure, so it is tested directly.
 */

export interface ScalarLayoutOptions {
  xAxis: XAxis;
  logScale: boolean;
  /** Each run's colour (`ChartLine.lineKey`), the same in every chart. */
  colour: (lineKey: string) => string;
  /** A wall time (seconds since the epoch) for people. */
  formatWall: (seconds: number) => string;
}

export interface ScalarLineLayout {
  key: string;
  lineKey: string;
  label: string;
  colour: string;
  /** Polyline point lists, split where a value is missing (NaN, or not positive on a log scale). */
  raw: string[];
  smoothed: string[];
  /** Points with a value. */
  count: number;
  /** The last value, raw and smoothed, for the legend. */
  last?: number;
  lastSmoothed?: number;
}

export interface ScalarChartLayout {
  tag: string;
  box: ChartBox;
  xTicks: { x: number; label: string }[];
  yTicks: { y: number; label: string }[];
  lines: ScalarLineLayout[];
}

/** Seconds as `45s`, `2m 30s`, `1h 5m`: the relative axis' labels. */
export function durationLabel(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(seconds);
  if (s < 60) return `${sign}${Number(s.toFixed(1))}s`;
  const whole = Math.round(s);
  if (whole < 3600) {
    const rest = whole % 60;
    return `${sign}${Math.floor(whole / 60)}m${rest ? ` ${rest}s` : ''}`;
  }
  const minutes = Math.floor((whole % 3600) / 60);
  return `${sign}${Math.floor(whole / 3600)}h${minutes ? ` ${minutes}m` : ''}`;
}

/** A value for the legend: four significant digits. */
export function valueLabel(value: number): string {
  return String(Number(value.toPrecision(4)));
}

function finite(values: readonly (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null && Number.isFinite(v));
}

/** The x domain and its ticks (values, not positions): round numbers, or four times of day. */
function xAxis(
  xs: number[],
  options: ScalarLayoutOptions,
): { domain: [number, number]; ticks: { value: number; label: string }[] } {
  const [min, highest] = extent(xs) ?? [0, 1];
  let max = highest;
  if (options.xAxis === 'wall') {
    // A minute at least, so the time labels differ.
    if (max - min < 60) max = min + 60;
    const ticks = [0, 1, 2, 3].map((i) => min + ((max - min) * i) / 3);
    return { domain: [min, max], ticks: ticks.map((value) => ({ value, label: options.formatWall(value) })) };
  }
  if (max === min) max = min + 1;
  // Steps are whole numbers: no tick between two of them.
  const ticks = linearTicks(min, max, 4, options.xAxis === 'step' ? 1 : 0);
  const label = options.xAxis === 'relative' ? durationLabel : (v: number) => tickLabel(v, ticks.step);
  return { domain: [ticks.min, ticks.max], ticks: ticks.values.map((value) => ({ value, label: label(value) })) };
}

/** Lays out one tag's chart: every visible run's raw and smoothed line on shared axes. */
export function layoutScalarChart(
  chart: TagChart,
  options: ScalarLayoutOptions,
  box: ChartBox = CHART_BOX,
): ScalarChartLayout {
  const left = box.left;
  const right = box.width - box.right;
  const top = box.top;
  const bottom = box.height - box.bottom;
  const x = xAxis(
    chart.lines.flatMap((line) => line.x),
    options,
  );
  const px = scale(x.domain, [left, right]);
  const xTicks = x.ticks.map((tick) => ({ x: round(px(tick.value)), label: tick.label }));

  const range = extent(chart.lines.flatMap((line) => [...finite(line.raw), ...finite(line.smoothed)]));
  let py: (y: number) => number;
  let yTicks: ScalarChartLayout['yTicks'];
  if (options.logScale && range) {
    const ticks = logTicks(...range);
    const at = scale([ticks.min, ticks.max], [bottom, top]);
    py = (y) => at(Math.log10(y));
    yTicks = ticks.exponents.map((e) => ({ y: round(at(e)), label: powerLabel(e) }));
  } else {
    const ticks = linearTicks(...(range ?? [0, 1]));
    py = scale([ticks.min, ticks.max], [bottom, top]);
    yTicks = ticks.values.map((v) => ({ y: round(py(v)), label: tickLabel(v, ticks.step) }));
  }

  const lines = chart.lines.map((line): ScalarLineLayout => {
    const pairs = (ys: readonly (number | null)[]) =>
      line.x.map((xv, i): [number, number | null] => [xv, ys[i] ?? null]);
    const raw = finite(line.raw);
    const smoothed = finite(line.smoothed);
    const layout: ScalarLineLayout = {
      key: line.key,
      lineKey: line.lineKey,
      label: line.label,
      colour: options.colour(line.lineKey),
      raw: polylines(pairs(line.raw), px, py),
      smoothed: polylines(pairs(line.smoothed), px, py),
      count: raw.length,
    };
    if (raw.length > 0) layout.last = raw[raw.length - 1];
    if (smoothed.length > 0) layout.lastSmoothed = smoothed[smoothed.length - 1];
    return layout;
  });
  return { tag: chart.tag, box, xTicks, yTicks, lines };
}
