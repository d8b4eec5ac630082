import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ServiceDurations } from './serviceDurations.js';

const BOUNDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30, 120];

describe('ServiceDurations', () => {
  it("writes what prom-client's Histogram writes for the same calls, counts taken at once", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const durations = new ServiceDurations('d_seconds', 'Durations', BOUNDS).register(ours);
    const histogram = new Histogram({
      name: 'd_seconds',
      help: 'Durations',
      labelNames: ['service'] as const,
      buckets: BOUNDS,
      registers: [theirs],
    });
    // on the bounds, between them, past the last, and a service whose calls are all removed
    const calls: [string, number, number][] = [
      ['a', 0.001, 3],
      ['a', 0.0011, 1],
      ['a', 0.3, 2],
      ['b', 200, 1],
      ['b', 0, 4],
      ['gone', 1, 1],
    ];
    for (const [service, seconds, count] of calls) {
      durations.observe(service, seconds, count);
      for (let i = 0; i < count; i++) histogram.observe({ service }, seconds);
    }
    durations.remove('gone');
    histogram.remove({ service: 'gone' });
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain('d_seconds_bucket{le="0.001",service="a"} 3\n');
    // as JSON too (cluster aggregation reads it), but for prom-client's empty exemplars
    const withoutExemplars = (await theirs.getMetricsAsJSON()).map((metric) => ({
      ...metric,
      values: metric.values.map((value) => {
        const { exemplar: _, ...rest } = value as typeof value & { exemplar?: unknown };
        return rest;
      }),
    }));
    expect(await ours.getMetricsAsJSON()).toEqual(withoutExemplars);
    ours.resetMetrics();
    expect(await ours.metrics()).toBe('# HELP d_seconds Durations\n# TYPE d_seconds histogram\n');
  });
});
