import { describe } from 'vitest';
import {
  itRecognises,
  type RecognisedLine,
  itIgnores,
  type IgnoredLine,
} from '../../../../testing/src/backend/progressCases.js';

describe('parseProgressLine: MMEngine and MMCV (parseMmengine)', () => {
  describe('recognised', () => {
    const cases: RecognisedLine[] = [
      [
        'MMEngine epoch-based',
        '11/23 12:00:00 - mmengine - INFO - Epoch(train)  [1][ 50/391]  lr: 1.0000e-01  eta: 0:12:34  time: 0.0500  data_time: 0.0100  memory: 1024  loss: 2.3026',
        {
          format: 'mmengine',
          epoch: 1,
          epochBase: 1,
          step: 50,
          totalSteps: 391,
          stepScope: 'epoch',
          etaSeconds: 754,
          etaScope: 'run',
        },
      ],
      [
        'MMEngine iteration-based with days',
        '11/23 12:00:00 - mmengine - INFO - Iter(train) [  500/90000]  lr: 2.0000e-02  eta: 1 day, 2:03:04  time: 1.0  loss: 1.2',
        { step: 500, totalSteps: 90000, stepScope: 'run', etaSeconds: 93784, etaScope: 'run' },
      ],
      [
        'MMCV 1.x',
        '2024-11-23 12:00:00,000 - mmdet - INFO - Epoch [1][50/391]\tlr: 1.000e-01, eta: 0:12:34, time: 0.050, loss: 2.3026',
        { epoch: 1, step: 50, totalSteps: 391, etaSeconds: 754 },
      ],
    ];

    itRecognises(cases);
  });

  describe('not progress', () => {
    const lines: IgnoredLine[] = [['MMEngine validation', 'Epoch(val)  [1][ 50/100]    eta: 0:00:10  time: 0.02']];

    itIgnores(lines);
  });
});
