import { describe } from 'vitest';
import {
  itRecognises,
  type RecognisedLine,
  itIgnores,
  type IgnoredLine,
} from '../../../../testing/src/backend/progressCases.js';

describe('parseProgressLine: tqdm bars (parseTqdm)', () => {
  describe('recognised', () => {
    const cases: RecognisedLine[] = [
      [
        'tqdm bar',
        ' 45%|████▌     | 450/1000 [00:12<00:15, 36.5it/s]',
        { format: 'tqdm', step: 450, totalSteps: 1000, etaSeconds: 15, etaScope: 'counter', elapsedSeconds: 12 },
      ],
      [
        'tqdm bar at 0 with ?it/s and no remaining time',
        '  0%|          | 0/1000 [00:00<?, ?it/s]',
        { format: 'tqdm', step: 0, totalSteps: 1000, etaSeconds: undefined },
      ],
      [
        'tqdm bar with s/it',
        ' 12%|█▏        | 12/100 [00:30<03:40,  2.50s/it]',
        { format: 'tqdm', step: 12, totalSteps: 100, etaSeconds: 220 },
      ],
      [
        'tqdm bar with hours',
        ' 33%|███▎      | 3300/10000 [1:02:03<2:05:00,  1.12it/s]',
        { step: 3300, totalSteps: 10000, etaSeconds: 7500, elapsedSeconds: 3723 },
      ],
      [
        'tqdm bar finished',
        '100%|██████████| 1000/1000 [00:27<00:00, 36.50it/s]',
        { step: 1000, totalSteps: 1000, etaSeconds: 0 },
      ],
      [
        'tqdm ascii bar with postfix',
        ' 45%|####5     | 450/1000 [00:12<00:15, 36.50it/s, loss=0.512, lr=1e-4]',
        { step: 450, totalSteps: 1000 },
      ],
      [
        'tqdm with a description',
        'Training:  45%|████▌     | 450/1000 [00:12<00:15, 36.50it/s]',
        { format: 'tqdm', step: 450, totalSteps: 1000 },
      ],
      [
        'tqdm with an epoch description',
        'Epoch 2/10:  45%|████▌     | 450/1000 [00:12<00:15, 36.50it/s, loss=0.5]',
        { format: 'tqdm', epoch: 2, totalEpochs: 10, step: 450, totalSteps: 1000, stepScope: 'epoch' },
      ],
      [
        'tqdm with unit_scale counts',
        ' 45%|████▌     | 4.50k/10.0k [00:12<00:15, 360it/s]',
        { step: 4500, totalSteps: 10000 },
      ],
      [
        'tqdm with a batch unit',
        'train:  45%|████▌     | 45/100 [00:12<00:15, 3.65batch/s]',
        { step: 45, totalSteps: 100 },
      ],
      ['tqdm with unknown total', '450it [00:12, 36.5it/s]', { format: 'tqdm', step: 450, totalSteps: undefined }],
      ['tqdm with unknown total at start', '0it [00:00, ?it/s]', { step: 0 }],
      [
        'tqdm with unknown total and a description',
        'Epoch 2: 450it [00:12, 36.5it/s, loss=0.3]',
        { step: 450, epoch: 2, stepScope: 'epoch' },
      ],
      [
        'Lightning tqdm bar (0-based epoch)',
        'Epoch 3:  45%|████▌     | 450/1000 [00:12<00:15, 36.50it/s, v_num=0, train_loss=0.500]',
        {
          format: 'lightning',
          epoch: 3,
          epochBase: 0,
          step: 450,
          totalSteps: 1000,
          stepScope: 'epoch',
          etaSeconds: 15,
        },
      ],
    ];

    itRecognises(cases);
  });

  describe('not progress', () => {
    const lines: IgnoredLine[] = [
      ['checkpoint shards bar', 'Loading checkpoint shards: 100%|██████████| 4/4 [00:05<00:00,  1.30s/it]'],
      ['datasets map bar', 'Map: 100%|██████████| 1000/1000 [00:00<00:00, 5000.00 examples/s]'],
      [
        'datasets split bar',
        'Generating train split: 100%|██████████| 60000/60000 [00:00<00:00, 312345.67 examples/s]',
      ],
      ['byte download bar', 'model.safetensors: 100%|██████████| 548M/548M [00:05<00:00, 98.1MB/s]'],
      ['Lightning validation bar', 'Validation DataLoader 0:  50%|█████     | 10/20 [00:00<00:00, 40.00it/s]'],
      ['Lightning sanity bar', 'Sanity Checking DataLoader 0: 100%|██████████| 2/2 [00:00<00:00, 10.00it/s]'],
      ['evaluation bar with an epoch', 'Validation epoch 2/10:  50%|█████     | 10/20 [00:01<00:01, 9.9it/s]'],
      ['tqdm bar cut before its time', ' 45%|████▌     | 450/1000 [00:12<'],
    ];

    itIgnores(lines);
  });
});
