import type { ServiceMetricPoint } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { addPoint, chartsToShow, layoutServiceChart } from './serviceCharts.js';

const t0 = Date.parse('2026-01-01T00:00:00Z');
const point = (i: number, extra: Partial<ServiceMetricPoint> = {}): ServiceMetricPoint => ({
  time: new Date(t0 + i * 10_000).toISOString(),
  requests: 10 * i,
  successes: 10 * i,
  status4xx: i,
  status5xx: 0,
  throttled: 0,
  tokens: 0,
  ...extra,
});

describe('service charts', () => {
  it('shows requests and latency once there is traffic, LLM charts once tokens were counted', () => {
    expect(chartsToShow([])).toEqual([]);
    expect(chartsToShow([point(1)])).toEqual(['requests', 'latency']);
    expect(chartsToShow([point(1), point(2, { tokens: 30, ttftP50Ms: 40 })])).toEqual([
      'requests',
      'latency',
      'tokens',
      'ttft',
    ]);
  });

  it('lays out a line per field, y from 0 to a round top, a gap where a bucket had no latency', () => {
    const points = [
      point(0, { latencyP50Ms: 5, latencyP90Ms: 8, latencyP99Ms: 12 }),
      point(1),
      point(2, { latencyP50Ms: 6, latencyP90Ms: 9, latencyP99Ms: 30 }),
    ];
    const requests = layoutServiceChart(points, 'requests', 10, (ms) => String(ms));
    expect(requests.lines.map((l) => l.field)).toEqual(['requests', 'status4xx', 'status5xx', 'throttled']);
    expect(requests.yTicks.at(-1)?.label).toBe('20');
    expect(requests.lines[0]?.polylines).toHaveLength(1);
    expect(requests.lines[0]?.polylines[0]?.split(' ')).toHaveLength(3);
    // At least a minute across, from the first bucket.
    expect(requests.xTicks[0]?.label).toBe(String(t0));
    expect(requests.xTicks.at(-1)?.label).toBe(String(t0 + 60_000));

    const latency = layoutServiceChart(points, 'latency', 10, (ms) => String(ms));
    expect(latency.lines.map((l) => l.field)).toEqual(['latencyP50Ms', 'latencyP90Ms', 'latencyP99Ms']);
    expect(latency.lines[2]?.polylines).toHaveLength(2);
    expect(Number(latency.yTicks.at(-1)?.label)).toBeGreaterThanOrEqual(30);
  });

  it('draws quiet time between buckets as no traffic, not a line across it', () => {
    // The gateway sends only buckets with calls: 0 and 20 (two minutes later) had some.
    const points = [point(0, { latencyP50Ms: 5 }), point(12, { requests: 120, latencyP50Ms: 7 })];
    const requests = layoutServiceChart(points, 'requests', 10, (ms) => String(ms));
    const drawn = requests.lines[0]!.polylines[0]!.split(' ').map((xy) => xy.split(',').map(Number));
    const zeroY = drawn[0]![1]; // the first bucket had 0 requests
    // 0, then 0 right after it and right before the next, then 120: flat across the quiet time.
    expect(drawn).toHaveLength(4);
    expect(drawn.map(([, y]) => y)).toEqual([zeroY, zeroY, zeroY, expect.any(Number) as number]);
    expect(drawn[3]![1]).toBeLessThan(zeroY!);
    // Latency breaks over the quiet time instead of sloping from 5 to 7.
    expect(layoutServiceChart(points, 'latency', 10, (ms) => String(ms)).lines[0]!.polylines).toHaveLength(2);
  });

  it('adds a closed bucket in time order, replacing one of the same time, keeping the newest', () => {
    const points = [point(1), point(3)];
    expect(addPoint(points, point(2)).map((p) => p.requests)).toEqual([10, 20, 30]);
    expect(addPoint(points, point(3, { requests: 99 })).map((p) => p.requests)).toEqual([10, 99]);
    expect(addPoint([point(1), point(2)], point(3), 2).map((p) => p.requests)).toEqual([20, 30]);
  });
});
