import { describe, expect, it } from 'vitest';
import { appendMetricPoints, type MetricPoint } from '@aiplat/api';

const point = (second: number): MetricPoint => ({
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
  memoryBytes: 1024 * second,
  processCount: 1,
});

describe('appendMetricPoints', () => {
  it('appends only points after the last one, per instance, adding new instances in order', () => {
    const history = { instances: [{ instance: 1, points: [point(1), point(2)] }] };
    const { metrics, overflow } = appendMetricPoints(history, {
      jobId: 'j',
      instances: [
        { instance: 1, points: [point(2), point(3)] },
        { instance: 0, points: [point(3)] },
      ],
    });
    expect(overflow).toBe(false);
    expect(metrics.instances.map((i) => [i.instance, i.points.map((p) => p.memoryBytes / 1024)])).toEqual([
      [0, [3]],
      [1, [1, 2, 3]],
    ]);
  });

  it('says when an instance passes the cap, so the averaged history is read again', () => {
    const history = { instances: [{ instance: 0, points: [point(1), point(2)] }] };
    expect(
      appendMetricPoints(history, { jobId: 'j', instances: [{ instance: 0, points: [point(3)] }] }, 2).overflow,
    ).toBe(true);
  });
});
