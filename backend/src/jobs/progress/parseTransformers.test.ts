import { describe } from 'vitest';
import { itRecognises, type RecognisedLine } from '../../../../testing/src/backend/progressCases.js';

describe('parseProgressLine: Transformers (parseTransformers)', () => {
  describe('recognised', () => {
    const cases: RecognisedLine[] = [
      [
        'Transformers log dict',
        "{'loss': 0.5123, 'grad_norm': 1.2345, 'learning_rate': 1e-05, 'epoch': 1.5}",
        { format: 'transformers', epochsDone: 1.5 },
      ],
      [
        'Transformers log dict after a tqdm.write clear',
        "\r 45%|████▌     | 450/1000 [00:12<00:15, 36.5it/s]\r                              \r{'loss': 0.4, 'learning_rate': 4.5e-05, 'epoch': 0.27}",
        { format: 'transformers', epochsDone: 0.27 },
      ],
      [
        'Transformers eval dict',
        "{'eval_loss': 0.3912, 'eval_accuracy': 0.88, 'eval_runtime': 2.51, 'eval_samples_per_second': 398.4, 'eval_steps_per_second': 25.1, 'epoch': 1.0}",
        { epochsDone: 1 },
      ],
      [
        'Transformers dict with numpy floats',
        "{'loss': 0.5, 'grad_norm': np.float64(1.2), 'learning_rate': 2e-05, 'epoch': np.float64(0.5)}",
        { epochsDone: 0.5 },
      ],
      [
        'Transformers end of training',
        "{'train_runtime': 245.1, 'train_samples_per_second': 65.3, 'train_steps_per_second': 4.08, 'train_loss': 0.45, 'epoch': 2.0}",
        { format: 'transformers', done: true },
      ],
      ['Transformers header: epochs', '  Num Epochs = 3', { format: 'transformers', totalEpochs: 3 }],
      [
        'Transformers header: steps, with a logger prefix',
        '[INFO|trainer.py:2134] 2024-11-23 12:00:00,123 >>   Total optimization steps = 22,500',
        { format: 'transformers', totalSteps: 22500, stepScope: 'run', step: undefined },
      ],
    ];

    itRecognises(cases);
  });
});
