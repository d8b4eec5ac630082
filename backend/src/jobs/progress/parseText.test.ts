import { describe } from 'vitest';
import {
  itRecognises,
  type RecognisedLine,
  itIgnores,
  type IgnoredLine,
} from '../../../../testing/src/backend/progressCases.js';

describe('parseProgressLine: plain text (parseText)', () => {
  describe('recognised', () => {
    const cases: RecognisedLine[] = [
      [
        'Detectron2',
        '[11/23 12:00:00 d2.utils.events]:  eta: 0:12:34  iter: 19  total_loss: 2.1  lr: 0.0002  max_mem: 1234M',
        { format: 'text', step: 19, etaSeconds: 754, etaScope: 'run' },
      ],
      [
        'PyTorch MNIST example',
        'Train Epoch: 1 [640/60000 (1%)]\tLoss: 2.301',
        { epoch: 1, step: 640, totalSteps: 60000, stepScope: 'epoch' },
      ],
      [
        'DCGAN example',
        '[0/5][50/1583]\tLoss_D: 1.2345\tLoss_G: 3.4567\tD(x): 0.8\tD(G(z)): 0.1 / 0.05',
        { epoch: 0, totalEpochs: 5, step: 50, totalSteps: 1583, stepScope: 'epoch' },
      ],
      ['epoch n/m', 'epoch 2/10', { format: 'text', epoch: 2, totalEpochs: 10 }],
      ['Epoch [n/m]', 'Epoch [2/10] train_loss=0.31', { epoch: 2, totalEpochs: 10 }],
      ['Epoch: n/m', 'INFO Epoch: 2/10 loss 0.3', { epoch: 2, totalEpochs: 10 }],
      ['Epoch n of m', 'Epoch 2 of 10 done in 31s', { epoch: 2, totalEpochs: 10 }],
      [
        'epoch and step on one line',
        'Epoch [2/10], Step [100/600], Loss: 0.2345',
        { epoch: 2, totalEpochs: 10, step: 100, totalSteps: 600 },
      ],
      ['step n/m', 'step 150/1000 loss=0.25', { step: 150, totalSteps: 1000 }],
      ['Step: n / m', 'Step: 150 / 1000', { step: 150, totalSteps: 1000 }],
      ['iter n/m', 'iter 30/100 loss 0.1', { step: 30, totalSteps: 100 }],
      ['iteration n/m', '[rank0]: iteration 30/100 | loss 0.1', { step: 30, totalSteps: 100 }],
      ['batch n/m', 'epoch 3/20 batch 45/50 loss=0.3', { epoch: 3, totalEpochs: 20, step: 45, totalSteps: 50 }],
      ['leading [n/m] alone', '[2/10]', { step: 2, totalSteps: 10 }],
      ['leading [n/m] with metrics', '[2/10] loss=0.25 acc=0.91', { step: 2, totalSteps: 10 }],
      ['key=value', 'epoch=2 step=150 loss=0.3', { epoch: 2, step: 150, totalSteps: undefined }],
      ['JSON lines', '{"epoch": 2, "step": 150, "loss": 0.3}', { epoch: 2, step: 150 }],
      ['global_step', 'global_step=1500 loss=0.2', { step: 1500 }],
      ['Chinese', '第 2/10 轮', { format: 'text', epoch: 2, totalEpochs: 10 }],
      ['Chinese without spaces', '训练 第2/10轮 损失 0.3', { epoch: 2, totalEpochs: 10 }],
    ];

    itRecognises(cases);
  });

  describe('not progress', () => {
    const lines: IgnoredLine[] = [
      ['shards', 'loaded 3/4 shards'],
      ['date', '2024/11/23 12:00:00 INFO starting'],
      ['mmengine date prefix alone', '11/23 12:00:00 - mmengine - INFO - Checkpoints will be saved to /work/out'],
      ['rank', 'rank 0/2 initialised'],
      ['GPU', 'GPU 1/8: NVIDIA A100-SXM4-80GB'],
      ['node', '[node 1/2] connected to 10.0.0.2:29500'],
      ['fraction in prose', 'accuracy 9/10 on the held-out set'],
      ['path', 'saving to /data/runs/2/10/model.pt'],
      ['URL', 'Downloading https://example.com/datasets/1/2/train.csv'],
      ['docker build step', 'Step 1/5 : FROM python:3.11-slim'],
      ['BuildKit step', '#5 [2/4] RUN pip install -r requirements.txt'],
      ['ninja', '[3/12] /usr/local/cuda/bin/nvcc -O3 -c csrc/attention.cu -o build/attention.o'],
      ['yarn', '[1/4] 🔍  Resolving packages...'],
      ['cmake', '[ 50%] Building CXX object CMakeFiles/ext.dir/ext.cpp.o'],
      ['steps setting', '  Gradient Accumulation steps = 1'],
      ['epochs setting', 'epochs = 10'],
      ['max_epochs', 'Trainer(max_epochs=10, devices=2)'],
      ['warmup_steps', 'warmup_steps=500'],
      ['step in prose', 'step 2 of the pipeline'],
      ['counter over its total', 'epoch 11/10'],
      ['zero total', 'step 0/0'],
      ['float after the total', 'epoch 2/10.5'],
      ['date after a keyword', 'step 2024/11/23'],
    ];

    itIgnores(lines);
  });
});
