import { describe, expect, it } from 'vitest';
import { lossOfLine as lossOf, type LogLine } from '@aiplat/api';
import { LossSeries, MAX_LOSS_POINTS } from './lossSeries.js';

const line = (text: string, instance = 0, seconds = 0, stream: LogLine['stream'] = 'stdout'): LogLine => ({
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, seconds)).toISOString(),
  instance,
  stream,
  text,
  seq: seconds,
});

describe('loss from the logs', () => {
  it('reads the forms training scripts print, not validation loss nor platform lines', () => {
    expect(lossOf(line('step 10 loss: 0.53'))).toBe(0.53);
    expect(lossOf(line('loss=1e-3'))).toBe(0.001);
    expect(lossOf(line("{'loss': 2.5, 'lr': 0.1}"))).toBe(2.5);
    expect(lossOf(line('train_loss 0.25'))).toBe(0.25);
    expect(lossOf(line('val_loss: 0.9'))).toBeUndefined();
    expect(lossOf(line('loss: 0.5', 0, 0, 'platform'))).toBeUndefined();
    expect(lossOf(line('no numbers here'))).toBeUndefined();
  });

  it('keeps one curve per instance, in order, bounded', () => {
    const loss = new LossSeries();
    expect(loss.add([line('hello')])).toBe(false);
    expect(loss.add([line('loss 2', 1, 1), line('loss 3', 0, 1), line('loss 1', 1, 2)])).toBe(true);
    const t = (s: number) => Date.UTC(2026, 0, 1, 0, 0, s);
    expect(loss.series()).toEqual([
      { instance: 0, points: [[t(1), 3]] },
      {
        instance: 1,
        points: [
          [t(1), 2],
          [t(2), 1],
        ],
      },
    ]);
    loss.add(Array.from({ length: MAX_LOSS_POINTS + 5 }, (_, i) => line(`loss ${i}`, 2, i % 60)));
    const last = loss.series().find((s) => s.instance === 2)!;
    expect(last.points).toHaveLength(MAX_LOSS_POINTS);
    expect(last.points.at(-1)?.[1]).toBe(MAX_LOSS_POINTS + 4);
  });
});
