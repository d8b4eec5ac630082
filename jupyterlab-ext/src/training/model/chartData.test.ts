import { describe, expect, it } from 'vitest';
import { lossChartData, metricChartData } from './chartData.js';

describe('chart data', () => {
  it('aligns each instance’s metric on the union of times, null where it has none', () => {
    const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    const x0 = Date.UTC(2026, 0, 1) / 1000;
    const data = metricChartData(
      {
        instances: [
          {
            instance: 0,
            points: [
              { time: t(0), cpuPercent: 50, memoryBytes: 10, processCount: 1 },
              { time: t(2), cpuPercent: 70, memoryBytes: 20, processCount: 1 },
            ],
          },
          { instance: 1, points: [{ time: t(1), cpuPercent: 90, memoryBytes: 30, processCount: 1 }] },
        ],
      },
      'cpu',
    );
    expect(data.x).toEqual([x0, x0 + 1, x0 + 2]);
    expect(data.series).toEqual([
      { instance: 0, values: [50, null, 70] },
      { instance: 1, values: [null, 90, null] },
    ]);
    expect(metricChartData({ instances: [{ instance: 0, points: [] }] }, 'accelerator').series).toEqual([]);
    expect(metricChartData(undefined, 'memory')).toEqual({ x: [], series: [] });
  });

  it('takes loss curves from the lines that print a loss, not val_loss', () => {
    const line = (seq: number, text: string) => ({
      time: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
      instance: 0,
      seq,
      stream: 'stdout' as const,
      text,
    });
    const data = lossChartData([
      line(0, 'epoch 1 loss: 0.9'),
      line(1, "{'loss': 0.5, 'learning_rate': 1e-5}"),
      line(2, 'val_loss=0.7'),
      line(3, 'step 3 train_loss=2.5e-1'),
    ]);
    expect(data.series).toEqual([{ instance: 0, values: [0.9, 0.5, 0.25] }]);
  });
});
