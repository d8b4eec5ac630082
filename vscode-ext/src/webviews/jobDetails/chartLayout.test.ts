import { describe, expect, it } from 'vitest';
import { niceStep } from '../charts/plotLayout.js';
import { byteUnit, layoutChart, metricSeries } from './chartLayout.js';

const t0 = Date.parse('2026-01-01T00:00:00Z');
const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);

describe('chart layout', () => {
  it('picks round steps and binary units', () => {
    expect([niceStep(100), niceStep(37), niceStep(1), niceStep(0.3)]).toEqual([50, 10, 0.5, 0.1]);
    expect(byteUnit(512)).toEqual({ unit: 'B', size: 1 });
    expect(byteUnit(3 * 2 ** 20)).toEqual({ unit: 'MiB', size: 2 ** 20 });
    expect(byteUnit(5 * 2 ** 30)).toEqual({ unit: 'GiB', size: 2 ** 30 });
  });

  it('lays out memory in MiB with labelled axes and one line per instance', () => {
    const metrics = {
      instances: [0, 1].map((instance) => ({
        instance,
        points: [0, 1, 2].map((i) => ({
          time: new Date(t0 + i * 10_000).toISOString(),
          memoryBytes: (i + 1 + instance) * 100 * 2 ** 20,
          processCount: 1,
          ...(instance === 0 ? { cpuPercent: 50 } : {}),
        })),
      })),
    };
    const layout = layoutChart(metricSeries(metrics, 'memory'), 'memory', time);
    expect(layout.unit).toBe('MiB');
    expect(layout.yTicks.map((t) => t.label)).toEqual(['0', '100', '200', '300', '400']);
    expect(layout.xTicks.map((t) => t.label)).toEqual(['00:00:00', '00:00:20', '00:00:40', '00:01:00']);
    expect(layout.lines.map((l) => l.instance)).toEqual([0, 1]);
    expect(layout.lines[0]?.points.split(' ')).toHaveLength(3);
    // the top value touches the top of the plot, 0 its bottom
    const { box } = layout;
    expect(layout.lines[1]?.points.split(' ').at(-1)).toMatch(new RegExp(`,${box.top}$`));
    // CPU only where an instance reported it; nothing of a kind nobody reported
    expect(metricSeries(metrics, 'cpu').map((s) => s.instance)).toEqual([0]);
    expect(metricSeries(metrics, 'accelerator')).toEqual([]);
    expect(layoutChart(metricSeries(metrics, 'cpu'), 'cpu', time).unit).toBe('%');
  });

  it('spans at least a minute from the first sample: distinct time labels, no division by zero', () => {
    const layout = layoutChart([{ instance: 0, points: [[t0, 0]] }], 'cpu', time);
    expect(layout.xTicks.map((t) => t.label)).toEqual(['00:00:00', '00:00:20', '00:00:40', '00:01:00']);
    const two = layoutChart(
      [
        {
          instance: 0,
          points: [
            [t0, 1],
            [t0 + 1000, 2],
          ],
        },
      ],
      'cpu',
      time,
    );
    expect(new Set(two.xTicks.map((t) => t.label)).size).toBe(4);
    expect(layout.lines[0]?.points).not.toContain('NaN');
    expect(layout.yTicks.map((t) => t.label)).toEqual(['0', '0.5', '1']);
  });
});
