import type { JobMetricsBatch, JobMetricsResponse, MetricPoint } from './schemas/jobRequests.js';

/** What the metric charts show, one chart each. */
export const METRIC_KINDS = ['cpu', 'memory', 'accelerator', 'acceleratorMemory'] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];

/** A point's value of one kind; undefined when the point has none (no accelerator, say). */
export function metricValue(point: MetricPoint, kind: MetricKind): number | undefined {
  switch (kind) {
    case 'cpu':
      return point.cpuPercent;
    case 'memory':
      return point.memoryBytes;
    case 'accelerator':
      return point.accelerator?.utilizationPercent;
    case 'acceleratorMemory':
      return point.accelerator?.memoryBytes;
  }
}

/** Points kept per instance from the live topic before the (averaged) history is read again. */
export const LIVE_POINTS_CAP = 1200;

/**
 * The metrics with a live batch appended: each instance's new points after its last one (by time),
 * instances new to the job added. `overflow` says an instance passed `cap` points: the caller reads
 * the averaged history again instead of growing without bound.
 */
export function appendMetricPoints(
  metrics: JobMetricsResponse | undefined,
  batch: JobMetricsBatch,
  cap = LIVE_POINTS_CAP,
): { metrics: JobMetricsResponse; overflow: boolean } {
  const instances = [...(metrics?.instances ?? [])];
  let overflow = false;
  for (const incoming of batch.instances) {
    const at = instances.findIndex((i) => i.instance === incoming.instance);
    const points = at >= 0 ? instances[at]!.points : [];
    const last = points[points.length - 1]?.time;
    const fresh = incoming.points.filter((p) => last === undefined || Date.parse(p.time) > Date.parse(last));
    const merged = { instance: incoming.instance, points: [...points, ...fresh] };
    if (merged.points.length > cap) overflow = true;
    if (at >= 0) instances[at] = merged;
    else instances.push(merged);
  }
  instances.sort((a, b) => a.instance - b.instance);
  return { metrics: { instances }, overflow };
}
