import { describe, expect, it } from 'vitest';
import { JobProgressSchema, type JobProgress } from '@aiplat/api';
import { ProgressTracker } from './progressTracker.js';

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
