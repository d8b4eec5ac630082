import { describe, expect, it } from 'vitest';
import { JobProgressSchema, type JobProgress } from '@aiplat/api';
import {
  MAX_EXAMINED_CHARS,
  mayBeProgress,
  parseProgressLine,
  ProgressTracker,
  type ProgressSignal,
} from './progress.js';

const ESC = '\x1b';

describe('parseProgressLine: recognised formats', () => {
  const cases: [name: string, line: string, expected: Partial<ProgressSignal>][] = [
    // tqdm
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
      'tqdm redraws written into a pipe: the last one',
      '\r  0%|          | 0/1000 [00:00<?, ?it/s]\r 10%|█         | 100/1000 [00:02<00:18, 50.0it/s]\r 20%|██        | 200/1000 [00:04<00:16, 50.0it/s]',
      { step: 200, totalSteps: 1000, etaSeconds: 16 },
    ],
    [
      'tqdm redraws whose last one is cut short: the last complete one',
      '\r 10%|█         | 100/1000 [00:02<00:18, 50.0it/s]\r 20%|██        | 200/10',
      { step: 100, totalSteps: 1000 },
    ],
    [
      'tqdm redraws ending with a carriage return',
      '\r 10%|█         | 100/1000 [00:02<00:18, 50.0it/s]\r',
      { step: 100, totalSteps: 1000 },
    ],
    [
      'tqdm with colour',
      ` 45%|${ESC}[32m████▌     ${ESC}[0m| 450/1000 [00:12<00:15, 36.5it/s]`,
      { step: 450, totalSteps: 1000 },
    ],
    // Transformers
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
    // Lightning
    [
      'Lightning tqdm bar (0-based epoch)',
      'Epoch 3:  45%|████▌     | 450/1000 [00:12<00:15, 36.50it/s, v_num=0, train_loss=0.500]',
      { format: 'lightning', epoch: 3, epochBase: 0, step: 450, totalSteps: 1000, stepScope: 'epoch', etaSeconds: 15 },
    ],
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
    // Keras
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
    // Other frameworks
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
    // Plain text
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

describe('parseProgressLine: not progress', () => {
  const lines: [name: string, line: string][] = [
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
    ['checkpoint shards bar', 'Loading checkpoint shards: 100%|██████████| 4/4 [00:05<00:00,  1.30s/it]'],
    ['datasets map bar', 'Map: 100%|██████████| 1000/1000 [00:00<00:00, 5000.00 examples/s]'],
    ['datasets split bar', 'Generating train split: 100%|██████████| 60000/60000 [00:00<00:00, 312345.67 examples/s]'],
    ['byte download bar', 'model.safetensors: 100%|██████████| 548M/548M [00:05<00:00, 98.1MB/s]'],
    ['Lightning validation bar', 'Validation DataLoader 0:  50%|█████     | 10/20 [00:00<00:00, 40.00it/s]'],
    ['Lightning sanity bar', 'Sanity Checking DataLoader 0: 100%|██████████| 2/2 [00:00<00:00, 10.00it/s]'],
    ['evaluation bar with an epoch', 'Validation epoch 2/10:  50%|█████     | 10/20 [00:01<00:01, 9.9it/s]'],
    ['Lightning Rich validation bar', 'Validation ━━━━━━━━━━━━━━━━━━━━ 5/11 0:00:01 • 0:00:01 8.00it/s'],
    ['MMEngine validation', 'Epoch(val)  [1][ 50/100]    eta: 0:00:10  time: 0.02'],
    ['Keras bar with an impossible count', '500/469 [==============================] - 5s 10ms/step'],
    ['tqdm bar cut before its time', ' 45%|████▌     | 450/1000 [00:12<'],
    ['pip', 'Successfully installed torch-2.3.0 numpy-1.26.4'],
    ['python traceback', '  File "/usr/lib/python3.11/site-packages/torch/nn/modules/module.py", line 1501'],
    ['empty', ''],
    ['carriage returns only', '\r\r\r'],
  ];

  it.each(lines)('%s', (_name, line) => {
    expect(parseProgressLine(line)).toBeUndefined();
  });
});

describe('parseProgressLine: bounds', () => {
  it('reads progress at the end of a line longer than the examined window', () => {
    const line = `${'x'.repeat(20_000)}\r 20%|██        | 200/1000 [00:04<00:16, 50.0it/s]`;
    expect(parseProgressLine(line)).toMatchObject({ step: 200, totalSteps: 1000 });
  });

  it('does not look further back than the window', () => {
    expect(parseProgressLine(`Epoch 2/10 ${' '.repeat(MAX_EXAMINED_CHARS)}loss 0.3`)).toBeUndefined();
  });

  it('ignores a start-anchored format whose beginning lies before the window', () => {
    const line = ` 120/469 [${'='.repeat(MAX_EXAMINED_CHARS)}>] - ETA: 10s - loss: 0.3`;
    expect(parseProgressLine(line)).toBeUndefined();
  });

  const K = 16 * 1024;
  const fill = (unit: string) => unit.repeat(Math.ceil(K / unit.length));
  const pathological: [name: string, line: string][] = [
    ['digits', fill('1')],
    ['slashes between digits', fill('1/')],
    ['keywords', fill('epoch ')],
    ['keywords and separators', fill('step: = [ ')],
    ['percent bars', fill(' 45%|')],
    ['an endless bar', ` 45%|${fill('█')}| 450/1000 [00:12<`],
    ['unknown-total lookalike', `${fill('9')}it [00:12, `],
    ['nested brackets', fill('[1/2]')],
    ['dict braces', `${fill("{'epoch': ")}}`],
    ['Keras lookalike', `1/2 [${fill('=>.')}`],
    ['Rich lookalike', `Epoch 1/2 ${fill('━ • ')}`],
    ['spaces then a digit', `epoch${fill(' ')}1`],
    ['timedeltas', fill('eta: 1 day, ')],
    ['carriage returns', fill('\r1/')],
  ];

  it.each(pathological)('a 16 KiB line of %s', (_name, line) => {
    expect(line.length).toBeGreaterThanOrEqual(K);
    parseProgressLine(line);
    // The same shapes inside the window: every parser sees them in full.
    parseProgressLine(line.slice(0, MAX_EXAMINED_CHARS));
    parseProgressLine(line.slice(1, MAX_EXAMINED_CHARS));
  });
});

// ---- tracker ---------------------------------------------------------------------------------------

const T0 = Date.parse('2024-11-23T12:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

/** Feeds `[seconds, line]` pairs and returns the progress after each line, checked against the contract. */
function feed(tracker: ProgressTracker, lines: [number, string][]): (JobProgress | undefined)[] {
  return lines.map(([seconds, line]) => {
    const progress = tracker.push(line, at(seconds));
    if (progress) expect(JobProgressSchema.parse(progress)).toEqual(progress);
    return progress;
  });
}

describe('ProgressTracker', () => {
  it('has no progress before a progress line', () => {
    const t = new ProgressTracker();
    expect(t.push('Starting training', at(0))).toBeUndefined();
    expect(t.progress()).toBeUndefined();
  });

  it('follows a tqdm bar: percent, steps, tqdm ETA, updatedAt', () => {
    const t = new ProgressTracker();
    expect(t.push('  0%|          | 0/1000 [00:00<?, ?it/s]', at(0))).toEqual({
      percent: 0,
      step: 0,
      totalSteps: 1000,
      updatedAt: '2024-11-23T12:00:00.000Z',
    });
    expect(t.push(' 45%|████▌     | 450/1000 [00:12<00:15, 36.5it/s]', at(12.5))).toEqual({
      percent: 45,
      step: 450,
      totalSteps: 1000,
      etaSeconds: 15,
      updatedAt: '2024-11-23T12:00:12.500Z',
    });
    expect(t.push('100%|██████████| 1000/1000 [00:27<00:00, 36.5it/s]', at(27))).toMatchObject({
      percent: 100,
      etaSeconds: 0,
    });
  });

  it('a Keras run: epochs combine with the per-epoch counter; ETA adds the remaining epochs', () => {
    const t = new ProgressTracker();
    const [start, first, end, next, second] = feed(t, [
      [0, 'Epoch 1/10'],
      [1, ' 100/400 [======>.......................] - ETA: 3s - loss: 0.5000'],
      [4, '400/400 [==============================] - 4s 10ms/step - loss: 0.4000'],
      [4, 'Epoch 2/10'],
      [5, ' 100/400 [======>.......................] - ETA: 3s - loss: 0.3000'],
    ]);
    expect(start).toEqual({ percent: 0, epoch: 1, totalEpochs: 10, updatedAt: at(0).toISOString() });
    // Epoch duration from the ETA: 3 s for 300 of 400 steps → 4 s; 9 epochs left after this one.
    expect(first).toMatchObject({ percent: 2.5, step: 100, totalSteps: 400, epoch: 1, etaSeconds: 39 });
    expect(end).toMatchObject({ percent: 10, step: 400, epoch: 1, etaSeconds: 36 });
    expect(next).toMatchObject({ percent: 10, step: 0, totalSteps: 400, epoch: 2, etaSeconds: 36 });
    expect(second).toMatchObject({ percent: 12.5, step: 100, epoch: 2, etaSeconds: 35 });
  });

  it('a Transformers run: header, global bar, log dicts; evaluation bars are ignored; the end is 100 %', () => {
    const t = new ProgressTracker();
    const out = feed(t, [
      [0, '***** Running training *****'],
      [0, '  Num examples = 8,000'],
      [0, '  Num Epochs = 2'],
      [0, '  Instantaneous batch size per device = 16'],
      [0, '  Total train batch size (w. parallel, distributed & accumulation) = 16'],
      [0, '  Gradient Accumulation steps = 1'],
      [0, '  Total optimization steps = 1,000'],
      [0, '  Number of trainable parameters = 66,955,010'],
      [1, '  0%|          | 0/1000 [00:00<?, ?it/s]'],
      [61, '\r 10%|█         | 100/1000 [00:30<04:30,  3.33it/s]\r 25%|██▌       | 250/1000 [01:00<03:00,  4.17it/s]'],
      [61, "{'loss': 0.6, 'grad_norm': 2.1, 'learning_rate': 3.75e-05, 'epoch': 0.5}"],
      [62, '\r 40%|████      | 25/63 [00:01<00:01, 25.00it/s]'],
      [
        63,
        "{'eval_loss': 0.4, 'eval_runtime': 2.5, 'eval_samples_per_second': 400.0, 'eval_steps_per_second': 25.2, 'epoch': 1.0}",
      ],
      [240, '100%|██████████| 1000/1000 [04:00<00:00,  4.17it/s]'],
      [242, '100%|██████████| 63/63 [00:02<00:00, 25.00it/s]'],
      [
        245,
        "{'train_runtime': 245.1, 'train_samples_per_second': 65.3, 'train_steps_per_second': 4.08, 'train_loss': 0.45, 'epoch': 2.0}",
      ],
      [246, ' 50%|█████     | 5/10 [00:01<00:01, 5.00it/s]'],
    ]);
    expect(out.slice(0, 2)).toEqual([undefined, undefined]);
    expect(out[2]).toEqual({ totalEpochs: 2, updatedAt: at(0).toISOString() });
    expect(out.slice(3, 6)).toEqual([undefined, undefined, undefined]);
    expect(out[6]).toEqual({ totalSteps: 1000, totalEpochs: 2, updatedAt: at(0).toISOString() });
    expect(out[7]).toBeUndefined();
    expect(out[8]).toMatchObject({ percent: 0, step: 0, totalSteps: 1000 });
    expect(out[9]).toMatchObject({ percent: 25, step: 250, etaSeconds: 180 });
    expect(out[10]).toMatchObject({ percent: 25, step: 250, epoch: 1, totalEpochs: 2, etaSeconds: 180 });
    expect(out[11]).toBeUndefined(); // the evaluation bar inside training
    expect(out[12]).toMatchObject({ percent: 25, epoch: 2, etaSeconds: 178 });
    expect(out[13]).toMatchObject({ percent: 100, step: 1000, etaSeconds: 0 });
    expect(out[14]).toBeUndefined(); // the final evaluation bar
    expect(out[15]).toEqual({
      percent: 100,
      step: 1000,
      totalSteps: 1000,
      epoch: 2,
      totalEpochs: 2,
      etaSeconds: 0,
      updatedAt: at(245).toISOString(),
    });
    expect(out[16]).toBeUndefined(); // frozen after the end
    expect(t.progress()?.updatedAt).toBe(at(245).toISOString());
  });

  it('Transformers without a header: the bar with fractional epochs counts the whole run', () => {
    const t = new ProgressTracker();
    feed(t, [
      [0, ' 25%|██▌       | 250/1000 [01:00<03:00,  4.17it/s]'],
      [0, "{'loss': 0.6, 'learning_rate': 3.75e-05, 'epoch': 0.75}"],
    ]);
    expect(t.progress()).toMatchObject({ percent: 25, step: 250, totalSteps: 1000, epoch: 1 });
  });

  it('Transformers without a bar: epochs done over Num Epochs', () => {
    const t = new ProgressTracker();
    feed(t, [
      [0, '  Num Epochs = 4'],
      [10, "{'loss': 0.6, 'learning_rate': 3.75e-05, 'epoch': 1.0}"],
      [20, "{'loss': 0.5, 'learning_rate': 3.5e-05, 'epoch': 1.5}"],
    ]);
    expect(t.progress()).toMatchObject({ percent: 37.5, epoch: 2, totalEpochs: 4 });
  });

  it('a Lightning tqdm run: 0-based epochs; no percent without the number of epochs until fit stops', () => {
    const t = new ProgressTracker();
    const out = feed(t, [
      [0, 'Sanity Checking DataLoader 0: 100%|██████████| 2/2 [00:00<00:00, 10.00it/s]'],
      [5, 'Epoch 0:  50%|█████     | 50/100 [00:05<00:05, 10.00it/s, v_num=0]'],
      [10, 'Validation DataLoader 0:  50%|█████     | 10/20 [00:00<00:00, 40.00it/s]'],
      [12, 'Epoch 1:  20%|██        | 20/100 [00:02<00:08, 10.00it/s, v_num=0, val_loss=0.5]'],
      [40, '`Trainer.fit` stopped: `max_epochs=3` reached.'],
    ]);
    expect(out[0]).toBeUndefined();
    expect(out[1]).toEqual({ step: 50, totalSteps: 100, epoch: 1, updatedAt: at(5).toISOString() });
    expect(out[2]).toBeUndefined();
    expect(out[3]).toEqual({ step: 20, totalSteps: 100, epoch: 2, updatedAt: at(12).toISOString() });
    expect(out[4]).toMatchObject({ percent: 100, epoch: 3, totalEpochs: 3, etaSeconds: 0 });
  });

  it('a Lightning Rich bar: epochs and steps combine; ETA from the bar and the epoch duration', () => {
    const t = new ProgressTracker();
    t.push('Epoch 1/4  ━━━━━━━━━━━━━━━━━━━━━━ 50/100 0:00:05 • 0:00:05 10.00it/s v_num: 0', at(0));
    // Epoch 2 of 5, half done: (1 + 0.5) / 5; 5 s left in it plus 3 epochs of 10 s.
    expect(t.progress()).toMatchObject({ percent: 30, epoch: 2, totalEpochs: 5, step: 50, etaSeconds: 35 });
  });

  it('plain text: epoch numbers seen from 0 make the format 0-based', () => {
    const t = new ProgressTracker();
    expect(t.push('epoch 0/10 loss=2.3', at(0))).toMatchObject({ epoch: 1, totalEpochs: 10, percent: 0 });
    expect(t.push('epoch 1/10 loss=1.9', at(60))).toMatchObject({ epoch: 2, percent: 10 });
  });

  it('plain text: a step counter that restarts with the epoch is per epoch', () => {
    const t = new ProgressTracker();
    expect(t.push('Epoch [1/2], Step [300/600], Loss: 0.50', at(0))).toMatchObject({ percent: 25 });
    expect(t.push('Epoch [2/2], Step [100/600], Loss: 0.40', at(10))).toMatchObject({
      percent: 58.3,
      epoch: 2,
      step: 100,
      totalSteps: 600,
    });
  });

  it('plain text: a step counter that keeps growing across epochs counts the run', () => {
    const t = new ProgressTracker();
    expect(t.push('epoch 1/2 step 300/1200', at(0))).toMatchObject({ percent: 12.5 });
    expect(t.push('epoch 2/2 step 700/1200', at(10))).toMatchObject({ percent: 58.3 });
    expect(t.push('epoch 2/2 step 900/1200', at(20))).toMatchObject({ percent: 75 });
  });

  it('percent does not go back when a per-epoch counter restarts', () => {
    const t = new ProgressTracker();
    const percents = feed(t, [
      [0, 'Epoch 1/2'],
      [1, '469/469 [==============================] - 5s 10ms/step - loss: 0.3'],
      // A stray redraw of the new epoch's counter before its epoch line.
      [2, '  1/469 [..............................] - ETA: 5s - loss: 0.3'],
      [2, 'Epoch 2/2'],
      [3, '  2/469 [..............................] - ETA: 5s - loss: 0.3'],
    ]).map((p) => p?.percent);
    expect(percents).toEqual([0, 50, 50, 50, 50.2]);
  });

  it('a counter that restarts without epoch numbers is per epoch: no percent then', () => {
    const t = new ProgressTracker();
    expect(t.push(' 85%|████████▌ | 400/469 [00:40<00:07,  9.90it/s]', at(0))).toMatchObject({ percent: 85.3 });
    const restarted = t.push('  2%|▏         | 10/469 [00:01<00:45,  9.90it/s]', at(50));
    expect(restarted).toEqual({ step: 10, totalSteps: 469, updatedAt: at(50).toISOString() });
  });

  it('a nested bar with a smaller total is ignored while the main bar runs; a larger one takes over', () => {
    const t = new ProgressTracker();
    t.push(' 10%|█         | 100/1000 [00:10<01:30, 10.00it/s]', at(0));
    expect(t.push(' 50%|█████     | 5/10 [00:01<00:01,  5.00it/s]', at(1))).toBeUndefined();
    expect(t.progress()).toMatchObject({ percent: 10, step: 100, totalSteps: 1000 });
    expect(t.push('  1%|          | 100/10000 [00:10<16:30, 10.00it/s]', at(2))).toMatchObject({
      percent: 10, // the floor holds
      step: 100,
      totalSteps: 10000,
    });
  });

  it('a finished bar with no epochs around it (a download) gives way to the next bar', () => {
    const t = new ProgressTracker();
    t.push('100%|██████████| 9912422/9912422 [00:01<00:00, 9123456.78it/s]', at(0));
    expect(t.progress()).toMatchObject({ percent: 100 });
    expect(t.push('  5%|▌         | 23/469 [00:01<00:19, 23.00it/s]', at(3))).toEqual({
      percent: 4.9,
      step: 23,
      totalSteps: 469,
      etaSeconds: 19,
      updatedAt: at(3).toISOString(),
    });
  });

  it('estimates the ETA from the rate: not before two samples a second apart, then smoothed', () => {
    const t = new ProgressTracker();
    const etas = feed(t, [
      [0, 'step 100/1000'],
      [0.5, 'step 150/1000'],
      [2, 'step 200/1000'], // 0.05 per second → 0.8 / 0.05 = 16 s
      [4, 'step 300/1000'], // 0.05 per second again → 14 s
      [6, 'step 500/1000'], // 0.1 per second; smoothed 0.3 × 0.1 + 0.7 × 0.05 = 0.065 → 7.7 s
    ]).map((p) => p?.etaSeconds);
    expect(etas).toEqual([undefined, undefined, 16, 14, 8]);
  });

  it('a printed ETA counts down for a minute after it was printed, then the rate takes over', () => {
    const t = new ProgressTracker();
    t.push(' 25%|██▌       | 250/1000 [01:00<03:00,  4.17it/s]', at(0));
    expect(t.push("{'loss': 0.6, 'epoch': 0.5}", at(30))?.etaSeconds).toBe(150);
    // 90 s later, still at 25 %: the rate is 0, no estimate.
    expect(t.push("{'loss': 0.6, 'epoch': 0.5}", at(90))).not.toHaveProperty('etaSeconds');
  });

  it('MMEngine: the run ETA as printed', () => {
    const t = new ProgressTracker();
    t.push('Epoch(train)  [1][ 50/391]  lr: 1.0000e-01  eta: 0:12:34  time: 0.0500  loss: 2.3026', at(0));
    expect(t.progress()).toEqual({
      step: 50,
      totalSteps: 391,
      epoch: 1,
      etaSeconds: 754,
      updatedAt: at(0).toISOString(),
    });
  });

  it('DCGAN: 0-based epochs with a per-epoch counter', () => {
    const t = new ProgressTracker();
    t.push('[0/5][0/1583]\tLoss_D: 1.9\tLoss_G: 5.1', at(0));
    t.push('[1/5][791/1583]\tLoss_D: 0.9\tLoss_G: 3.1', at(60));
    expect(t.progress()).toMatchObject({ epoch: 2, totalEpochs: 5, percent: 30 });
  });

  it('follows the lowest instance that printed progress', () => {
    const t = new ProgressTracker();
    expect(t.push('step 10/100', at(0), 1)).toMatchObject({ step: 10 });
    expect(t.push('step 5/100', at(1), 0)).toMatchObject({ step: 5, percent: 10 }); // instance 0 takes over
    expect(t.push('step 50/100', at(2), 1)).toBeUndefined();
    expect(t.push('step 20/100', at(3), 0)).toMatchObject({ step: 20, percent: 20 });
  });

  it('reset() forgets the run', () => {
    const t = new ProgressTracker();
    feed(t, [
      [0, 'Epoch 3/10'],
      [1, "{'train_runtime': 1.0, 'epoch': 3.0}"],
    ]);
    expect(t.progress()).toMatchObject({ percent: 100 });
    t.reset();
    expect(t.progress()).toBeUndefined();
    expect(t.push('epoch 1/10', at(5))).toEqual({
      percent: 0,
      epoch: 1,
      totalEpochs: 10,
      updatedAt: at(5).toISOString(),
    });
  });

  it('processes 100k lines that are not progress', () => {
    const t = new ProgressTracker();
    const shapes = [
      (i: number) => `2024-11-23 12:00:${String(i % 60).padStart(2, '0')},123 INFO worker ${i} loaded 3/4 shards`,
      (i: number) => `rank ${i % 8}/8: allreduce bucket ${i} of size 25MB`,
      (i: number) => `[2024/11/23 12:00:00] GPU ${i % 8}/8 memory ${i}MiB / 81920MiB`,
      (i: number) => `  File "/usr/lib/python3.11/site-packages/torch/nn/modules/module.py", line ${i}`,
      (i: number) => `Warning: gradient ${i} overflowed, skipping step and reducing loss scale`,
      () => 'plain text with no digits at all',
      (i: number) => `#${i} [2/4] RUN pip install -r requirements.txt`,
    ];
    let n = 0;
    for (let i = 0; i < 100_000; i++) {
      const shape = shapes[i % shapes.length];
      if (shape && t.push(shape(i), at(i / 1000)) !== undefined) n++;
    }
    expect(n).toBe(0);
    expect(t.progress()).toBeUndefined();
  });
});
