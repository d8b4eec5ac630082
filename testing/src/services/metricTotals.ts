import type { ServiceMetricPoint } from '@aiplat/api';

export type MetricTotals = Pick<
  ServiceMetricPoint,
  'requests' | 'successes' | 'status4xx' | 'status5xx' | 'throttled' | 'tokens'
>;

/**
 * A service's counts over all the points of a metrics answer. Points are wall-clock buckets (a
 * minute's, an hour's), so a test's calls may fall on both sides of an edge: count them all.
 */
export function metricTotals(points: readonly ServiceMetricPoint[]): MetricTotals {
  const totals = { requests: 0, successes: 0, status4xx: 0, status5xx: 0, throttled: 0, tokens: 0 };
  for (const point of points) {
    totals.requests += point.requests;
    totals.successes += point.successes;
    totals.status4xx += point.status4xx;
    totals.status5xx += point.status5xx;
    totals.throttled += point.throttled;
    totals.tokens += point.tokens;
  }
  return totals;
}
