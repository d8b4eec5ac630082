import { describe, expect, it } from 'vitest';
import { mayBeProgress, parseProgressLine } from './parseProgressLine.js';
import type { ProgressSignal } from './progressSignal.js';

describe('parseProgressLine: Lightning (parseLightning)', () => {
  describe('recognised', () => {
    const cases: [name: string, line: string, expected: Partial<ProgressSignal>][] = [
      [
        'Lightning Rich bar (0-based, /9 is the last index)',
        'Epoch 3/9  ━━━━━━━━━━━━━━━━━━━━ 450/1000 0:00:12 • 0:00:15 36.50it/s v_num: 0 train_loss: 0.500',
        {
          format: 'lightning',
          epoch: 3,
          epochBase: 0,
          totalEpochs: 10,
          step: 450,
          totalSteps: 1000,
          etaSeconds: 15,
          elapsedSeconds: 12,
        },
      ],
      [
        'Lightning Rich bar with unknown remaining time',
        'Epoch 0/4  ━━━━━━━━━━━━━━━━━━━━ 0/100 0:00:00 • -:--:-- 0.00it/s',
        { epoch: 0, totalEpochs: 5, step: 0, etaSeconds: undefined },
      ],
      [
        'Lightning fit stopped',
        '`Trainer.fit` stopped: `max_epochs=10` reached.',
        { format: 'lightning', done: true, totalEpochs: 10 },
      ],
      ['Lightning stopped by max_steps', '`Trainer.fit` stopped: `max_steps=5000` reached.', { done: true }],
    ];

    it.each(cases)('%s', (_name, line, expected) => {
      const signal = parseProgressLine(line);
      expect(signal).toBeDefined();
      // `key: undefined` in a case means the signal has no such key.
      const present = Object.entries(expected).filter(([, value]) => value !== undefined);
      expect(signal).toMatchObject(Object.fromEntries(present));
      for (const [key, value] of Object.entries(expected)) {
        if (value === undefined) expect(signal).not.toHaveProperty(key);
      }
      // The cheap pre-test lets it through, as written and in its JSON-escaped form.
      expect(mayBeProgress(line)).toBe(true);
      expect(mayBeProgress(JSON.stringify(line))).toBe(true);
    });
  });

  describe('not progress', () => {
    const lines: [name: string, line: string][] = [
      ['Lightning Rich validation bar', 'Validation ━━━━━━━━━━━━━━━━━━━━ 5/11 0:00:01 • 0:00:01 8.00it/s'],
    ];

    it.each(lines)('%s', (_name, line) => {
      expect(parseProgressLine(line)).toBeUndefined();
    });
  });
});
