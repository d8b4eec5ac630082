import { z } from 'zod';
import { intParam } from './params.js';

/** One time bucket of a service's traffic, as the gateway counted it. */
export const ServiceMetricPointSchema = z
  .object({
    /** ISO 8601 start of the bucket. */
    time: z.string(),
    requests: z.number().int().nonnegative(),
    successes: z.number().int().nonnegative(),
    status4xx: z.number().int().nonnegative(),
    status5xx: z.number().int().nonnegative(),
    /** Refused with 429 by a QPS, concurrency or token limit. */
    throttled: z.number().int().nonnegative(),
    /** Latency to the last byte, milliseconds; absent in a bucket without requests. */
    latencyP50Ms: z.number().nonnegative().optional(),
    latencyP90Ms: z.number().nonnegative().optional(),
    latencyP99Ms: z.number().nonnegative().optional(),
    /** LLM services: tokens (prompt + completion) counted from `usage`, and time to first token (streams). */
    tokens: z.number().int().nonnegative(),
    ttftP50Ms: z.number().nonnegative().optional(),
  })
  .meta({ id: 'ServiceMetricPoint' });
export type ServiceMetricPoint = z.infer<typeof ServiceMetricPointSchema>;

export const ServiceMetricsQuerySchema = z.object({
  /** One version's traffic; every version when left out. */
  version: intParam(1, 1_000_000).optional(),
  /** One replica of that version. */
  replica: intParam(0, 1000).optional(),
  /** Bucket width in seconds. */
  step: intParam(1, 3600).default(10),
  /** ISO 8601; the last hour when left out. */
  since: z.iso.datetime({ offset: true, message: 'since must be an ISO 8601 time' }).optional(),
});
export type ServiceMetricsQuery = z.output<typeof ServiceMetricsQuerySchema>;

export const ServiceMetricsResponseSchema = z
  .object({ step: z.number().int().positive(), points: z.array(ServiceMetricPointSchema) })
  .meta({ id: 'ServiceMetrics' });
export type ServiceMetricsResponse = z.infer<typeof ServiceMetricsResponseSchema>;

/** `service-metrics/<name>`: the bucket that just closed, every version and replica together. */
export const ServiceMetricsUpdateSchema = z.object({ name: z.string(), point: ServiceMetricPointSchema });
