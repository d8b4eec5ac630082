import { describe } from 'vitest';
import {
  itRecognises,
  type RecognisedLine,
  itIgnores,
  type IgnoredLine,
} from '../../../../testing/src/backend/progressCases.js';

describe('parseProgressLine: Lightning (parseLightning)', () => {
  describe('recognised', () => {
    const cases: RecognisedLine[] = [
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

    itRecognises(cases);
  });

  describe('not progress', () => {
    const lines: IgnoredLine[] = [
      ['Lightning Rich validation bar', 'Validation ━━━━━━━━━━━━━━━━━━━━ 5/11 0:00:01 • 0:00:01 8.00it/s'],
    ];

    itIgnores(lines);
  });
});
