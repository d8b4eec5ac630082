import { withQuietBuckets, type ServiceMetricPoint } from '@aiplat/api';
import {
  CHART_BOX,
  chartColour,
  extent,
  linearTicks,
  polylines,
  round,
  scale,
  type ChartBox,
} from '../charts/plotLayout.js';

/*
 * The service page's charts as numbers, apart from the DOM (app.ts draws them with renderPlot):
 * requests with 4xx/5xx/throttled, latency p50/p90/p99, and for LLM services tokens and time to
 * first token, one line per field over the buckets' times. Pure, so it is tested directly.
 */

export type ServiceChartKind = 'requests' | 'latency' | 'tokens' | 'ttft';
export type MetricField = Exclude<keyof ServiceMetricPoint, 'time'>;

export const SERVICE_CHARTS: Readonly<Record<ServiceChartKind, readonly MetricField[]>> = {
  requests: ['requests', 'status4xx', 'status5xx', 'throttled'],
  latency: ['latencyP50Ms', 'latencyP90Ms', 'latencyP99Ms'],
  tokens: ['tokens'],
  ttft: ['ttftP50Ms'],
};

/** Bucket width of the charts, seconds (the gateway's own). */
export const METRICS_STEP_SECONDS = 10;

/** The most buckets the page keeps (an hour of 10 s buckets). */
export const POINTS_KEPT = 360;

/** The shortest time a chart spans. */
export const MIN_SPAN_MS = 60_000;

export interface ServiceChartLayout {
  kind: ServiceChartKind;
  box: ChartBox;
  xTicks: { x: number; label: string }[];
  yTicks: { y: number; label: string }[];
  lines: { field: MetricField; colour: string; polylines: string[] }[];
}

/** Adds a closed bucket to the points (replacing one of the same time), oldest first, at most `keep`. */
export function addPoint(
  points: readonly ServiceMetricPoint[],
  point: ServiceMetricPoint,
  keep = POINTS_KEPT,
): ServiceMetricPoint[] {
  const others = points.filter((p) => p.time !== point.time);
  const all = [...others, point].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  return all.slice(Math.max(0, all.length - keep));
}

/** Which charts have something to show: requests and latency always once there are points; LLM charts once tokens were counted. */
export function chartsToShow(points: readonly ServiceMetricPoint[]): ServiceChartKind[] {
  if (points.length === 0) return [];
  const kinds: ServiceChartKind[] = ['requests', 'latency'];
  if (points.some((p) => p.tokens > 0)) kinds.push('tokens');
  if (points.some((p) => p.ttftP50Ms !== undefined)) kinds.push('ttft');
  return kinds;
}

/**
 * Lays out one chart: y from 0 to a round value above the largest, x over the buckets (at least a
 * minute), `stepSeconds` apart, quiet where no bucket came.
 */
export function layoutServiceChart(
  points: readonly ServiceMetricPoint[],
  kind: ServiceChartKind,
  stepSeconds: number,
  formatTime: (ms: number) => string,
  box: ChartBox = CHART_BOX,
): ServiceChartLayout {
  const fields = SERVICE_CHARTS[kind];
  const rows = withQuietBuckets(points, stepSeconds)
    .map((p) => ({ x: Date.parse(p.time), p }))
    .filter((r) => Number.isFinite(r.x));
  const values = rows.flatMap(({ p }) =>
    fields.map((f) => p[f]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v)),
  );
  const ticks = linearTicks(0, Math.max(...values, 0) || 1);
  const [minX, lastX] = extent(rows.map((r) => r.x)) ?? [0, 0];
  const maxX = Math.max(lastX, minX + MIN_SPAN_MS);
  const px = scale([minX, maxX], [box.left, box.width - box.right]);
  const py = scale([ticks.min, ticks.max], [box.height - box.bottom, box.top]);
  const xTicks = [0, 1, 2, 3].map((i) => {
    const x = minX + ((maxX - minX) * i) / 3;
    return { x: round(px(x)), label: formatTime(x) };
  });
  const yTicks = ticks.values.map((v) => ({ y: round(py(v)), label: String(v) }));
  const lines = fields.map((field, i) => ({
    field,
    colour: chartColour(i),
    polylines: polylines(
      rows.map(({ x, p }): [number, number | null] => {
        const v = p[field];
        return [x, typeof v === 'number' ? v : null];
      }),
      px,
      py,
    ),
  }));
  return { kind, box, xTicks, yTicks, lines };
}
