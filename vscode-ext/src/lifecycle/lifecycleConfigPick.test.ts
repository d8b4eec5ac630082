import { encodeLifecycleScript, type LifecycleConfig } from '@aiplat/api';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { askDevMachineSpec, devMachineInput, devMachineStepPrompt } from '../devmachines/devMachineFlow.js';
import { fake } from '../test/vscodeFake.js';
import { lifecycleConfigItems, lifecycleConfigsToOffer, NO_LIFECYCLE_CONFIG } from './lifecycleConfigPick.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

beforeEach(() => fake.reset());

function config(name: string, spec: Partial<LifecycleConfig['spec']> = {}): LifecycleConfig {
  return {
    id: `lc-${name.replace(/[^a-z0-9]/g, '')}000000`,
    owner: 'alice',
    spec: { name, ...spec },
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    usedBy: [],
  };
}

const configs = [
  config('conda-env', { description: 'creates the env once', onCreate: encodeLifecycleScript('conda create') }),
  config('mount-data', { onStart: encodeLifecycleScript('ln -s') }),
  config('blank'),
];

describe('the lifecycle config step of Create Dev Machine', () => {
  it('offers none first, then each config by name with its scripts', () => {
    const items = lifecycleConfigItems(configs);
    expect(items.map((i) => i.value)).toEqual([NO_LIFECYCLE_CONFIG, 'conda-env', 'mount-data', 'blank']);
    expect(items[0]).toMatchObject({ label: 'None' });
    expect(items[1]).toMatchObject({
      label: 'conda-env',
      description: 'on-create.sh',
      detail: 'creates the env once',
    });
    expect(items[2]).toMatchObject({ description: 'on-start.sh' });
    expect(items[3]).toMatchObject({ description: 'no scripts yet' });
    expect(items[3]).not.toHaveProperty('detail');
  });

  it("puts a copy's config first", () => {
    expect(lifecycleConfigItems(configs, 'mount-data').map((i) => i.value)).toEqual([
      'mount-data',
      NO_LIFECYCLE_CONFIG,
      'conda-env',
      'blank',
    ]);
    expect(devMachineStepPrompt('lifecycleConfig', { lifecycleConfig: 'blank' }, [], configs)).toMatchObject({
      kind: 'pick',
      items: [{ value: 'blank' }, { value: NO_LIFECYCLE_CONFIG }, { value: 'conda-env' }, { value: 'mount-data' }],
    });
  });

  it('names the chosen config in the spec, and none when none is chosen', () => {
    const answers = { name: 'box', cpu: '2', memory: '4Gi', queue: 'default', priority: '5', workingDir: 'home' };
    expect(devMachineInput({ ...answers, lifecycleConfig: 'conda-env' })).toMatchObject({
      lifecycleConfig: 'conda-env',
    });
    expect(devMachineInput({ ...answers, lifecycleConfig: NO_LIFECYCLE_CONFIG })).not.toHaveProperty('lifecycleConfig');
    expect(devMachineInput(answers)).not.toHaveProperty('lifecycleConfig');
  });

  it('is asked after the idle steps when the user has configs (SSH and repositories follow), and not otherwise', async () => {
    fake.quickPickAnswers.push('JupyterLab', 'none', '5', 'mount-data', 'No');
    fake.inputBoxAnswers.push('box', '2', '4Gi', '', 'default', 'home', '', '', '');
    const spec = await askDevMachineSpec('Create Dev Machine', {}, [], configs);
    expect(spec).toMatchObject({ name: 'box', lifecycleConfig: 'mount-data' });
    expect(fake.quickPicks.at(-2)).toMatchObject({ step: 12, totalSteps: 14 });

    fake.reset();
    fake.quickPickAnswers.push('JupyterLab', 'none', '5', 'No');
    fake.inputBoxAnswers.push('box', '2', '4Gi', '', 'default', 'home', '', '', '');
    const plain = await askDevMachineSpec('Create Dev Machine', {}, [], []);
    expect(plain).toBeDefined();
    expect(plain).not.toHaveProperty('lifecycleConfig');
  });

  it('offers no configs when they cannot be read', async () => {
    const failing = { listLifecycleConfigs: () => Promise.reject(new Error('offline')) };
    expect(await lifecycleConfigsToOffer(failing)).toEqual([]);
    const listing = { listLifecycleConfigs: () => Promise.resolve({ lifecycleConfigs: configs }) };
    expect(await lifecycleConfigsToOffer(listing)).toBe(configs);
  });
});
