import { metricValue, type JobMetricsResponse, type MetricKind } from '@aiplat/api';
import { CHART_BOX, chartColour, niceStep, round, tickLabel, type ChartBox } from '../charts/plotLayout.js';

/*
 * The job details charts as numbers, apart from the DOM (the webview draws them as SVG): which
 * series, their units, the axes' ticks and where each point goes. Pure, so it is tested directly.
 * The box, ticks and palette are every chart's (../charts/plotLayout.ts).
 */

/** Binary units, as `formatBytes` of the contract prints them. */
const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

export { METRIC_KINDS, type MetricKind } from '@aiplat/api';
/** What a chart shows: a sampled metric, or the loss the job printed in its logs. */
export type ChartKind = MetricKind | 'loss';

/** One line: an instance's values over time (x in ms since the epoch). */
export interface ChartSeries {
  instance: number;
  points: [x: number, y: number][];
}

/** The shortest time a chart spans. */
export const MIN_SPAN_MS = 60_000;

export interface ChartLayout {
  box: ChartBox;
  /** The unit of the y values as drawn: `%`, `KiB`, `MiB`, `GiB`... */
  unit: string;
  xTicks: { x: number; label: string }[];
  yTicks: { y: number; label: string }[];
  lines: { instance: number; colour: string; points: string }[];
}

/** The series of one kind; instances without a value of that kind are left out. */
export function metricSeries(metrics: JobMetricsResponse, kind: MetricKind): ChartSeries[] {
  return metrics.instances
    .map(({ instance, points }) => ({
      instance,
      points: points
        .map((p): [number, number | undefined] => [Date.parse(p.time), metricValue(p, kind)])
        .filter((p): p is [number, number] => p[1] !== undefined && Number.isFinite(p[0])),
    }))
    .filter((s) => s.points.length > 0);
}

export function isByteKind(kind: ChartKind): boolean {
  return kind === 'memory' || kind === 'acceleratorMemory';
}

/** The unit of the values of a chart that are not bytes: loss has none. */
function plainUnit(kind: ChartKind): string {
  return kind === 'loss' ? '' : '%';
}

/** The binary unit that shows `max` bytes best, and its size in bytes. */
export function byteUnit(max: number): { unit: string; size: number } {
  let power = 0;
  while (max >= 1024 ** (power + 1) && power < BYTE_UNITS.length - 1) power++;
  return { unit: BYTE_UNITS[power] ?? 'B', size: 1024 ** power };
}

/**
 * Lays out a chart: y from 0 to a round number above the largest value (in `%` or the binary unit
 * that fits), x over the samples' times (at least a minute).
 */
export function layoutChart(
  series: ChartSeries[],
  kind: ChartKind,
  formatTime: (ms: number) => string,
  box: ChartBox = CHART_BOX,
): ChartLayout {
  const all = series.flatMap((s) => s.points);
  const { unit, size } = isByteKind(kind)
    ? byteUnit(Math.max(0, ...all.map((p) => p[1])))
    : { unit: plainUnit(kind), size: 1 };
  // Nothing above 0 yet: a 0 to 1 scale rather than none.
  const maxValue = Math.max(0, ...all.map((p) => p[1] / size)) || 1;
  const step = niceStep(maxValue);
  const top = Math.max(step, Math.ceil(maxValue / step) * step);
  let minX = Math.min(...all.map((p) => p[0]));
  let maxX = Math.max(...all.map((p) => p[0]));
  if (!Number.isFinite(minX)) minX = maxX = 0;
  // A job that just started: a minute from its first sample, so the time labels differ and the
  // line grows from the left as samples come.
  if (maxX - minX < MIN_SPAN_MS) maxX = minX + MIN_SPAN_MS;
  const plotWidth = box.width - box.left - box.right;
  const plotHeight = box.height - box.top - box.bottom;
  const px = (x: number) => box.left + ((x - minX) / (maxX - minX)) * plotWidth;
  const py = (y: number) => box.top + plotHeight - (y / top) * plotHeight;

  const yTicks: ChartLayout['yTicks'] = [];
  for (let v = 0; v <= top + step / 2; v += step) yTicks.push({ y: round(py(v)), label: tickLabel(v, step) });
  const xTicks: ChartLayout['xTicks'] = [0, 1, 2, 3].map((i) => {
    const x = minX + ((maxX - minX) * i) / 3;
    return { x: round(px(x)), label: formatTime(x) };
  });
  const lines = series.map((s, i) => ({
    instance: s.instance,
    colour: chartColour(i),
    points: s.points.map(([x, y]) => `${round(px(x))},${round(py(y / size))}`).join(' '),
  }));
  return { box, unit, xTicks, yTicks, lines };
}
