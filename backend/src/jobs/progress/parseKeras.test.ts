import { describe } from 'vitest';
import {
  itRecognises,
  type RecognisedLine,
  itIgnores,
  type IgnoredLine,
} from '../../../../testing/src/backend/progressCases.js';

const ESC = '\x1b';

describe('parseProgressLine: Keras (parseKeras)', () => {
  describe('recognised', () => {
    const cases: RecognisedLine[] = [
      ['Keras epoch line', 'Epoch 2/10', { format: 'keras', epoch: 2, epochBase: 1, totalEpochs: 10 }],
      [
        'Keras 2 step line',
        ' 120/469 [====>.........................] - ETA: 10s - loss: 0.3000 - accuracy: 0.9000',
        { format: 'keras', step: 120, totalSteps: 469, stepScope: 'epoch', etaSeconds: 10, etaScope: 'counter' },
      ],
      [
        'Keras 2 step line with minutes',
        '  12/1875 [..............................] - ETA: 1:02 - loss: 2.2101',
        { step: 12, totalSteps: 1875, etaSeconds: 62 },
      ],
      [
        'Keras 2 end of epoch',
        '469/469 [==============================] - 5s 10ms/step - loss: 0.2989 - accuracy: 0.9147 - val_loss: 0.1',
        { step: 469, totalSteps: 469, etaSeconds: 0, elapsedSeconds: 5 },
      ],
      [
        'Keras 2 end of epoch (per sample)',
        '60000/60000 [==============================] - 5s 83us/sample - loss: 0.2989',
        { step: 60000, totalSteps: 60000, elapsedSeconds: 5 },
      ],
      [
        'Keras 3 step line (ANSI and backspaces)',
        `${'\b'.repeat(60)}\r${ESC}[1m120/469${ESC}[0m ${ESC}[32m━━━━━${ESC}[0m${ESC}[37m━━━━━━━━━━━━━━━${ESC}[0m ${ESC}[1m10s${ESC}[0m 22ms/step - accuracy: 0.8123 - loss: 0.5012`,
        { format: 'keras', step: 120, totalSteps: 469, etaSeconds: 10 },
      ],
      [
        'Keras 3 end of epoch: the time is the time spent',
        `${ESC}[1m469/469${ESC}[0m ${ESC}[32m━━━━━━━━━━━━━━━━━━━━${ESC}[0m${ESC}[37m${ESC}[0m ${ESC}[1m5s${ESC}[0m 10ms/step - accuracy: 0.9 - loss: 0.3`,
        { step: 469, totalSteps: 469, etaSeconds: 0, elapsedSeconds: 5 },
      ],
      [
        'Keras 3 without colour',
        ' 12/469 ━━━━━━━━━━━━━━━━━━━━ 1:05 140ms/step - loss: 1.9',
        { step: 12, totalSteps: 469, etaSeconds: 65 },
      ],
      [
        'Keras verbose=2',
        '469/469 - 5s - 11ms/step - accuracy: 0.91 - loss: 0.29',
        { step: 469, totalSteps: 469, elapsedSeconds: 5 },
      ],
    ];

    itRecognises(cases);
  });

  describe('not progress', () => {
    const lines: IgnoredLine[] = [
      ['Keras bar with an impossible count', '500/469 [==============================] - 5s 10ms/step'],
    ];

    itIgnores(lines);
  });
});
