import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fake } from '../test/vscodeFake.js';
import {
  askDevMachineSpec,
  devMachineStepPrompt,
  idlePolicyOfAnswers,
  type DevMachineStepId,
} from './devMachineFlow.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

beforeEach(() => fake.reset());

/** What the step's input box says of `value`: undefined when it takes it. */
function check(id: DevMachineStepId, value: string): string | undefined {
  const prompt = devMachineStepPrompt(id, {});
  if (prompt.kind !== 'input') throw new Error(`${id} is not typed`);
  return prompt.validate?.(value);
}

describe('the Create Dev Machine flow', () => {
  it.each<[DevMachineStepId, string, RegExp]>([
    ['name', 'bad name!', /name/],
    ['cpu', '0', /cpu/],
    ['cpu', '', /cores/],
    ['memory', 'lots', /memory/],
    ['acceleratorCount', '1.5', /count|whole/],
    ['queue', 'no queue', /queue/],
    ['workingDir', '../etc', /workingDir|\/work/],
    ['image', 'not an image!', /image/],
    ['autoStop', '0', /1 to 24/],
    ['autoStop', '25', /1 to 24/],
    ['autoStop', '1.5', /whole number/],
    ['autoStop', 'two', /whole number/],
    ['autoStop', '-3', /whole number/],
    ['idleMinutes', '0', /1 to 1440/],
    ['idleMinutes', '1441', /1 to 1440/],
    ['idleMinutes', '2.5', /whole number/],
    ['idleMinutes', 'ten', /whole number/],
    ['idleCpu', '101', /0 to 100/],
    ['idleCpu', '-1', /0 to 100/],
    ['idleCpu', 'low', /0 to 100/],
  ])('refuses at its step: %s = %j', (id, value, message) => {
    expect(check(id, value)).toMatch(message);
  });

  it.each<[DevMachineStepId, string]>([
    ['name', 'my-box'],
    ['cpu', '0.5'],
    ['memory', '8Gi'],
    ['acceleratorCount', '0.5'],
    ['acceleratorCount', '2'],
    ['queue', 'gpu'],
    ['workingDir', 'home/alice/project'],
    ['image', ''],
    ['image', 'registry.example.com/ai/torch:2.4'],
    ['autoStop', ''],
    ['autoStop', '  '],
    ['autoStop', '1'],
    ['autoStop', ' 8 '],
    ['autoStop', '24'],
    ['idleMinutes', ''],
    ['idleMinutes', '1'],
    ['idleMinutes', ' 30 '],
    ['idleMinutes', '1440'],
    ['idleCpu', ''],
    ['idleCpu', '0'],
    ['idleCpu', '5'],
    ['idleCpu', '2.5'],
    ['idleCpu', '100'],
  ])('takes a good answer: %s = %j', (id, value) => {
    expect(check(id, value)).toBeUndefined();
  });

  it('builds the spec from the answers, and a copy keeps what the flow does not ask', async () => {
    fake.quickPickAnswers.push('VS Code (code-server)', 'nvidia', '3', 'Open terminals + Jobs submitted from it', 'No');
    fake.inputBoxAnswers.push('copy-box', '4', '16Gi', '0.5', 'torch:2.4', 'gpu', 'home/alice', '8', '30', '5', '');
    const spec = await askDevMachineSpec('Copy of box', {
      name: 'box',
      env: { HF_HOME: '/work/cache/hf' },
      description: 'the original',
    });
    expect(spec).toMatchObject({
      name: 'copy-box',
      ides: ['code-server'],
      resources: { cpu: 4, memory: '16Gi', accelerator: { type: 'nvidia', count: 0.5 } },
      image: 'torch:2.4',
      queue: 'gpu',
      priority: 3,
      workingDir: 'home/alice',
      autoStop: { afterHours: 8 },
      idlePolicy: {
        thresholds: { cpuPercent: 5 },
        combine: 'all',
        forMinutes: 30,
        excludeProcesses: [],
        activity: { kernels: false, terminals: true, codeServer: false, jobs: true },
      },
      env: { HF_HOME: '/work/cache/hf' },
      description: 'the original',
    });
    expect(fake.inputBoxes[0]).toMatchObject({ title: 'Copy of box', value: 'box', step: 1, totalSteps: 13 });
    expect(fake.inputBoxes.at(-4)).toMatchObject({ prompt: 'Auto-stop after how many hours? (empty: never)' });
    expect(fake.inputBoxes.at(-3)).toMatchObject({
      prompt: 'Stop when idle for how many minutes? (empty: never)',
      step: 12,
      totalSteps: 14,
    });
    // Given a time, what keeps it up (all picked at first) and the CPU threshold are asked too.
    expect(fake.quickPicks.at(-2)).toMatchObject({
      step: 13,
      totalSteps: 16,
      labels: ['Busy notebook kernels', 'Open terminals', 'VS Code (code-server) connected', 'Jobs submitted from it'],
      picked: ['Busy notebook kernels', 'Open terminals', 'VS Code (code-server) connected', 'Jobs submitted from it'],
    });
    expect(fake.inputBoxes.at(-2)).toMatchObject({ prompt: expect.stringMatching(/^Idle below what CPU %/), step: 14 });
    // Then SSH and the repositories, last.
    expect(fake.quickPicks.at(-1)).toMatchObject({ step: 15, labels: ['No', 'Yes'] });
    expect(fake.inputBoxes.at(-1)).toMatchObject({
      prompt: expect.stringMatching(/^Git repository to clone/),
      step: 16,
    });
  });

  it('leaves auto-stop out when the answer is empty, and offers a copied one', async () => {
    fake.quickPickAnswers.push('JupyterLab', 'none', '5', 'No');
    fake.inputBoxAnswers.push('box', '1', '1Gi', '', 'default', 'home', '', '', '');
    const spec = await askDevMachineSpec('Copy of box', { autoStop: { afterHours: 3 } });
    expect(spec).toBeDefined();
    expect(spec?.autoStop).toBeUndefined();
    expect(spec?.idlePolicy).toBeUndefined();
    expect(fake.quickPicks).toHaveLength(4);
    expect(devMachineStepPrompt('autoStop', { autoStop: { afterHours: 3 } })).toMatchObject({ initial: '3' });
    expect(devMachineStepPrompt('autoStop', {})).toMatchObject({ initial: '' });
  });

  it('builds the idle policy: none without a time, and a copy keeps what the flow does not ask', () => {
    expect(idlePolicyOfAnswers({ idleMinutes: '  ' })).toBeUndefined();
    expect(idlePolicyOfAnswers({ idleMinutes: '60', idleActivity: '', idleCpu: '' })).toEqual({
      thresholds: {},
      combine: 'all',
      forMinutes: 60,
      excludeProcesses: [],
      activity: { kernels: false, terminals: false, codeServer: false, jobs: false },
    });
    const copied = {
      thresholds: { cpuPercent: 10, memoryPercent: 20 },
      combine: 'any' as const,
      forMinutes: 90,
      excludeProcesses: ['syncd'],
      activity: { kernels: true, terminals: false, codeServer: true, jobs: true },
    };
    expect(idlePolicyOfAnswers({ idleMinutes: '45', idleActivity: 'kernels,codeServer', idleCpu: '' }, copied)).toEqual(
      {
        thresholds: { memoryPercent: 20 },
        combine: 'any',
        forMinutes: 45,
        excludeProcesses: ['syncd'],
        activity: { kernels: true, terminals: false, codeServer: true, jobs: false },
      },
    );
    // A copy offers its policy at each step.
    expect(devMachineStepPrompt('idleMinutes', { idlePolicy: copied })).toMatchObject({ initial: '90' });
    expect(devMachineStepPrompt('idleCpu', { idlePolicy: copied })).toMatchObject({ initial: '10' });
    const activity = devMachineStepPrompt('idleActivity', { idlePolicy: copied });
    expect(activity.kind === 'pick' && activity.items.filter((i) => i.picked).map((i) => i.value)).toEqual([
      'kernels',
      'codeServer',
      'jobs',
    ]);
  });
});
