import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fake } from '../test/vscodeFake.js';
import { askJobSpec } from './trainingFlow.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

beforeEach(() => fake.reset());

describe('the guided training flow', () => {
  it('asks ps and workers for a ps-worker job, and a GPU count when an accelerator is chosen', async () => {
    fake.quickPickAnswers.push('ps-worker', 'nvidia', '0', 'kubernetes');
    fake.inputBoxAnswers.push('tf', 'python tf.py', '2', '3', '4', '16Gi', '0.5', 'tf:2.15', 'gpu', 'home/tf');

    const spec = await askJobSpec();

    expect(fake.inputBoxes.map((b) => b.prompt)).toContain('Parameter servers');
    expect(spec).toMatchObject({
      name: 'tf',
      mode: 'ps-worker',
      ps: 2,
      workers: 3,
      resources: { cpu: 4, memory: '16Gi', accelerator: { type: 'nvidia', count: 0.5 } },
      image: 'tf:2.15',
      queue: 'gpu',
      priority: 0,
      engine: 'kubernetes',
      workingDir: 'home/tf',
    });
  });

  it('builds a Ray head and one worker group', async () => {
    fake.quickPickAnswers.push('ray', 'none', '5', 'Server default');
    fake.inputBoxAnswers.push('r', 'python ray_job.py', '3', '1', '2Gi', '', 'default', 'home');

    const spec = await askJobSpec();

    expect(spec).toMatchObject({
      mode: 'ray',
      head: { resources: { cpu: 1, memory: '2Gi' } },
      workerGroups: [{ name: 'workers', replicas: 3, resources: { cpu: 1, memory: '2Gi' } }],
    });
    expect(spec && 'engine' in spec ? spec.engine : undefined).toBeUndefined();
    expect(spec && 'image' in spec ? spec.image : undefined).toBeUndefined();
  });

  it('offers the default priority first', async () => {
    fake.quickPickAnswers.push('ddp', 'none', undefined);
    fake.inputBoxAnswers.push('a', 'b', '1', '1', '1Gi', '', 'default');
    expect(await askJobSpec()).toBeUndefined();
    expect(fake.quickPicks[2]?.labels).toEqual(['5', '0', '1', '2', '3', '4', '6', '7', '8', '9']);
  });
});
