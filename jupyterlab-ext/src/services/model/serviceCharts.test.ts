import type { ServiceMetricPoint } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { mergePoints, serviceChartData } from './serviceCharts.js';

const point = (second: number, more: Partial<ServiceMetricPoint> = {}): ServiceMetricPoint => ({
  time: new Date(Date.UTC(2025, 0, 1, 0, 0, second)).toISOString(),
  requests: 0,
  successes: 0,
  status4xx: 0,
  status5xx: 0,
  throttled: 0,
  tokens: 0,
  ...more,
});

describe('the service charts', () => {
  it('draws traffic always, latency only where there were requests, tokens only for an LLM service', () => {
    const points = [
      point(0),
      point(10, {
        requests: 5,
        successes: 3,
        status4xx: 1,
        status5xx: 1,
        latencyP50Ms: 2,
        latencyP90Ms: 4,
        latencyP99Ms: 9,
      }),
    ];
    const traffic = serviceChartData(points, 'traffic', 10);
    expect(traffic.x).toEqual([Date.UTC(2025, 0, 1) / 1000, Date.UTC(2025, 0, 1) / 1000 + 10]);
    expect(traffic.series.map((s) => s.values)).toEqual([
      [0, 5],
      [0, 1],
      [0, 1],
      [0, 0],
    ]);
    expect(serviceChartData(points, 'latency', 10).series.map((s) => s.values)).toEqual([
      [null, 2],
      [null, 4],
      [null, 9],
    ]);
    expect(serviceChartData(points, 'tokens', 10).series).toEqual([]);
    const llm = [point(0, { requests: 1, tokens: 50, ttftP50Ms: 120 })];
    expect(serviceChartData(llm, 'tokens', 10).series[0]?.values).toEqual([300]);
    expect(serviceChartData(llm, 'ttft', 10).series[0]?.values).toEqual([120]);
  });

  it('draws quiet time between buckets as no traffic, and no latency line across it', () => {
    // The gateway sends only buckets with calls: 0 and 60 had some, nothing came between.
    const points = [point(0, { requests: 3, latencyP50Ms: 5 }), point(60, { requests: 4, latencyP50Ms: 7 })];
    const start = Date.UTC(2025, 0, 1) / 1000;
    const traffic = serviceChartData(points, 'traffic', 10);
    expect(traffic.x).toEqual([start, start + 10, start + 50, start + 60]);
    expect(traffic.series[0]?.values).toEqual([3, 0, 0, 4]);
    expect(serviceChartData(points, 'latency', 10).series[0]?.values).toEqual([5, null, null, 7]);
    // Buckets next to each other stay as they are.
    expect(serviceChartData([point(0), point(10)], 'traffic', 10).x).toHaveLength(2);
  });

  it('merges a page and the topic’s buckets once each, in time order, within a bound', () => {
    const merged = mergePoints([point(10), point(0)], [point(10, { requests: 2 }), point(20)]);
    expect(merged.map((p) => [p.time.slice(17, 19), p.requests])).toEqual([
      ['00', 0],
      ['10', 2],
      ['20', 0],
    ]);
    expect(mergePoints(merged, [point(30)], 2).map((p) => p.time.slice(17, 19))).toEqual(['20', '30']);
  });
});
