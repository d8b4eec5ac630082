import { describe, expect, it } from 'vitest';
import { mayBeProgress, parseProgressLine } from './parseProgressLine.js';
import type { ProgressSignal } from './progressSignal.js';

describe('parseProgressLine: Transformers (parseTransformers)', () => {
  describe('recognised', () => {
    const cases: [name: string, line: string, expected: Partial<ProgressSignal>][] = [
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
});
