import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BACK_BUTTON, fake } from '../test/vscodeFake.js';
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

describe('the training flow as a multi-step input', () => {
  it('counts the steps, offers Back from step 2, and keeps the answers going back and forth', async () => {
    // mode; then Back at nodes, command and name; then mode again and on to the end
    fake.quickPickAnswers.push('ddp', 'ddp', 'nvidia', '5', 'Server default');
    fake.inputBoxAnswers.push('n1', 'c1', BACK_BUTTON, BACK_BUTTON, BACK_BUTTON);
    // name and command kept (Enter), nodes, cpu, memory, devices, image, queue, folder
    fake.inputBoxAnswers.push('n1', 'c2', '2', '1', '1Gi', '1', '', 'default', 'home');

    const spec = await askJobSpec();

    expect(fake.quickPicks[0]).toMatchObject({ step: 1, totalSteps: 12, back: false });
    const boxes = fake.inputBoxes.map((b) => [b.prompt, b.value, `${b.step}/${b.totalSteps}`, b.back]);
    expect(boxes.slice(0, 6)).toEqual([
      ['Job name (letters, digits, _ and -)', 'my-job', '2/12', true],
      ['Command every node runs', 'python train.py', '3/12', true],
      ['Nodes', '1', '4/12', true],
      ['Command every node runs', 'c1', '3/12', true], // back: the answer is kept
      ['Job name (letters, digits, _ and -)', 'n1', '2/12', true],
      ['Job name (letters, digits, _ and -)', 'n1', '2/12', true], // forward again: still kept
    ]);
    // Back to the first step: the earlier choice is the active item, and there is no Back.
    expect(fake.quickPicks[1]).toMatchObject({ step: 1, back: false, active: 'ddp' });
    expect(boxes[6]).toEqual(['Command every node runs', 'c1', '3/12', true]);
    // An accelerator adds the devices step: 13 steps from there on.
    expect(fake.quickPicks[2]).toMatchObject({ placeHolder: 'Accelerator', step: 7, totalSteps: 12 });
    expect(boxes.at(-1)).toEqual(['Working folder, relative to /work', 'home', '13/13', true]);
    expect(spec).toMatchObject({
      name: 'n1',
      command: 'c2',
      nodes: 2,
      resources: { accelerator: { type: 'nvidia', count: 1 } },
    });
  });

  it('refuses a value that is not valid and asks again on the same step', async () => {
    fake.quickPickAnswers.push('ddp');
    fake.inputBoxAnswers.push('a', 'b', 'zero', undefined);

    expect(await askJobSpec()).toBeUndefined();
    // one Nodes box: the refused value left it open for the next answer, which cancelled
    expect(fake.inputBoxes.map((b) => b.prompt)).toEqual([
      'Job name (letters, digits, _ and -)',
      'Command every node runs',
      'Nodes',
    ]);
  });

  it('submits nothing when cancelled after going back', async () => {
    fake.quickPickAnswers.push('ray', undefined);
    fake.inputBoxAnswers.push('r', BACK_BUTTON, BACK_BUTTON);

    expect(await askJobSpec()).toBeUndefined();
    expect(fake.messages).toEqual([]);
    expect(fake.quickPicks.map((q) => q.active)).toEqual([undefined, 'ray']);
  });
});
