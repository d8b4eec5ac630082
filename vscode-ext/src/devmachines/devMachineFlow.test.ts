import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fake } from '../test/vscodeFake.js';
import { askDevMachineSpec, devMachineStepPrompt, type DevMachineStepId } from './devMachineFlow.js';

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
  ])('takes a good answer: %s = %j', (id, value) => {
    expect(check(id, value)).toBeUndefined();
  });

  it('builds the spec from the answers, and a copy keeps what the flow does not ask', async () => {
    fake.quickPickAnswers.push('VS Code (code-server)', 'nvidia', '3');
    fake.inputBoxAnswers.push('copy-box', '4', '16Gi', '0.5', 'torch:2.4', 'gpu', 'home/alice', '8');
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
      env: { HF_HOME: '/work/cache/hf' },
      description: 'the original',
    });
    expect(fake.inputBoxes[0]).toMatchObject({ title: 'Copy of box', value: 'box', step: 1, totalSteps: 10 });
    expect(fake.inputBoxes.at(-1)).toMatchObject({ prompt: 'Auto-stop after how many hours? (empty: never)' });
  });

  it('leaves auto-stop out when the answer is empty, and offers a copied one', async () => {
    fake.quickPickAnswers.push('JupyterLab', 'none', '5');
    fake.inputBoxAnswers.push('box', '1', '1Gi', '', 'default', 'home', '');
    const spec = await askDevMachineSpec('Copy of box', { autoStop: { afterHours: 3 } });
    expect(spec).toBeDefined();
    expect(spec?.autoStop).toBeUndefined();
    expect(devMachineStepPrompt('autoStop', { autoStop: { afterHours: 3 } })).toMatchObject({ initial: '3' });
    expect(devMachineStepPrompt('autoStop', {})).toMatchObject({ initial: '' });
  });
});
