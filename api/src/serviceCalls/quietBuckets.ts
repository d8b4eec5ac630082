import type { ServiceMetricPoint } from '../schemas/serviceMetrics.js';

/* No zod here: the IDEs' webviews take this file without the schemas (and zod's eval). */

/** A bucket in which nothing called the service: no requests, so no latency either. */
export function quietBucket(time: string): ServiceMetricPoint {
  return { time, requests: 0, successes: 0, status4xx: 0, status5xx: 0, throttled: 0, tokens: 0 };
}

/**
 * The points (sorted by time) with the quiet time between them said: the gateway keeps only the
 * buckets that had calls, and a chart joining those would draw traffic across the minutes between
 * them. Each gap of more than one bucket gets a quiet bucket at each end, which drops the counts
 * to 0 and breaks the latency lines there.
 */
export function withQuietBuckets(points: readonly ServiceMetricPoint[], stepSeconds: number): ServiceMetricPoint[] {
  const stepMs = stepSeconds * 1000;
  const out: ServiceMetricPoint[] = [];
  let previous: number | undefined;
  for (const point of points) {
    const at = Date.parse(point.time);
    if (previous !== undefined && at - previous > stepMs) {
      out.push(quietBucket(new Date(previous + stepMs).toISOString()));
      if (at - previous > 2 * stepMs) out.push(quietBucket(new Date(at - stepMs).toISOString()));
    }
    out.push(point);
    previous = at;
  }
  return out;
}
