import { withQuietBuckets, type ServiceMetricPoint } from '@aiplat/api';
import type { ChartData } from '../../training/model/chartData.js';

/** The service's charts, each with the keys of its lines (the view names them). */
export const SERVICE_CHARTS = {
  traffic: ['requests', 'status4xx', 'status5xx', 'throttled'],
  latency: ['latencyP50Ms', 'latencyP90Ms', 'latencyP99Ms'],
  tokens: ['tokensPerMinute'],
  ttft: ['ttftP50Ms'],
} as const;
export type ServiceChartId = keyof typeof SERVICE_CHARTS;
export type ServiceLineKey = (typeof SERVICE_CHARTS)[ServiceChartId][number];

/** Buckets kept in a detail view: a day of 10-second buckets. */
export const MAX_METRIC_POINTS = 8640;

function lineValue(point: ServiceMetricPoint, key: ServiceLineKey, step: number): number | null {
  if (key === 'tokensPerMinute') return (point.tokens * 60) / step;
  return point[key] ?? null;
}

/**
 * One chart's data as the job charts take it (x in Unix seconds, one series per line, `null` where a
 * bucket has no value, e.g. no latency without requests; quiet where no bucket came). A chart none
 * of whose lines has a value anywhere (tokens of a non-LLM service) has no series: nothing to draw.
 */
export function serviceChartData(
  sparse: readonly ServiceMetricPoint[],
  chart: ServiceChartId,
  step: number,
): ChartData {
  const points = withQuietBuckets(sparse, step);
  const x = points.map((p) => Date.parse(p.time) / 1000);
  const keys = SERVICE_CHARTS[chart];
  const series = keys.map((key, instance) => ({ instance, values: points.map((p) => lineValue(p, key, step)) }));
  const drawn = chart === 'traffic' ? true : series.some((s) => s.values.some((v) => v !== null && v !== 0));
  return { x, series: drawn ? series : [] };
}

/**
 * Adds buckets to a series sorted by time: a bucket with a time already held replaces it (the
 * gateway closes a bucket once, but a page and the topic may both bring it), the oldest beyond
 * `max` are dropped.
 */
export function mergePoints(
  points: readonly ServiceMetricPoint[],
  added: readonly ServiceMetricPoint[],
  max = MAX_METRIC_POINTS,
): ServiceMetricPoint[] {
  const byTime = new Map(points.map((p) => [p.time, p]));
  for (const point of added) byTime.set(point.time, point);
  const merged = [...byTime.values()].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  return merged.length > max ? merged.slice(merged.length - max) : merged;
}
