import { describe, expect, it } from 'vitest';
import type { IConnectionModel } from '../../tokens.js';
import { DevMachineFormModel, fieldOfPath } from './devMachineFormModel.js';

const offline = { client: undefined } as unknown as IConnectionModel;

describe('the dev machine form', () => {
  it('checks each field as it is typed, with the contract’s message at that field only', () => {
    const form = new DevMachineFormModel(offline);
    form.update({ name: 'bad name!' });
    expect([...form.errors.keys()]).toEqual(['name']);
    expect(form.errors.get('name')?.[0]).toMatch(/name/);
    form.update({ memory: 'lots' });
    expect([...form.errors.keys()].sort()).toEqual(['memory', 'name']);
    form.update({ acceleratorType: 'nvidia', acceleratorCount: '1.5' });
    expect(form.errors.get('acceleratorCount')?.[0]).toMatch(/count|whole|share/);
    form.update({ name: 'box', memory: '8Gi', acceleratorCount: '0.5', workingDir: '../etc' });
    expect([...form.errors.keys()]).toEqual(['workingDir']);
    form.update({ workingDir: 'home/alice', env: 'HF_HOME=/work/cache/hf\nnot an assignment' });
    expect([...form.errors.keys()]).toEqual(['env']);
    expect(form.errors.get('env')?.[0]).toMatch(/line 2: write NAME=value/);
    form.update({ env: 'HF_HOME=/work/cache/hf' });
    expect(form.errors.size).toBe(0);
    expect(form.validate()).toBe(true);
    expect(form.input()).toMatchObject({
      name: 'box',
      ides: ['jupyterlab', 'code-server'],
      resources: { cpu: 2, memory: '8Gi', accelerator: { type: 'nvidia', count: 0.5 } },
      workingDir: 'home/alice',
      env: { HF_HOME: '/work/cache/hf' },
    });
  });

  it('starts from a copy, keeping what it does not show', () => {
    const form = new DevMachineFormModel(offline, {
      name: 'box-copy',
      ides: ['code-server'],
      resources: { cpu: 4, memory: '16Gi', accelerator: { type: 'ascend', count: 1 } },
      env: { HF_HOME: '/work/cache/hf' },
      description: 'mine',
      queue: 'npu',
      priority: 2,
      workingDir: 'home/alice',
    } as never);
    expect(form.values).toMatchObject({
      name: 'box-copy',
      ides: 'code-server',
      acceleratorType: 'ascend',
      queue: 'npu',
    });
    expect(form.input()).toMatchObject({ env: { HF_HOME: '/work/cache/hf' }, description: 'mine', priority: 2 });
    expect(form.errors.size).toBe(0);
  });

  it('refuses to create while offline, saying so', async () => {
    const form = new DevMachineFormModel(offline, { name: 'box' });
    expect(await form.create()).toBeUndefined();
    expect(form.generalErrors).toEqual(['not connected to the AI Platform server']);
  });

  it('maps the API’s issue paths to the fields that show them', () => {
    expect(fieldOfPath('body.spec.name')).toBe('name');
    expect(fieldOfPath('body.spec.resources')).toBe('resources');
    expect(fieldOfPath('body.spec.resources.memory')).toBe('memory');
    expect(fieldOfPath('resources.accelerator.count')).toBe('acceleratorCount');
    expect(fieldOfPath('ides.1')).toBe('ides');
    expect(fieldOfPath('body.spec.queue')).toBe('queue');
    expect(fieldOfPath('body.spec.autoStop.afterHours')).toBe('autoStopHours');
    expect(fieldOfPath('autoStop')).toBe('autoStopHours');
  });
});

describe('the dev machine form’s lifecycle config', () => {
  it('offers the user’s configs by name and names the one chosen in the spec', async () => {
    const connection = {
      client: {
        listLifecycleConfigs: () =>
          Promise.resolve({ lifecycleConfigs: [{ spec: { name: 'pip' } }, { spec: { name: 'conda' } }] }),
      },
    } as unknown as IConnectionModel;
    const form = new DevMachineFormModel(connection, { name: 'box' });
    await form.loadConfigNames();
    expect(form.configNames).toEqual(['conda', 'pip']);
    expect(form.input()).not.toHaveProperty('lifecycleConfig');
    form.update({ lifecycleConfig: 'pip' });
    expect(form.input()).toMatchObject({ name: 'box', lifecycleConfig: 'pip' });
    expect(form.errors.size).toBe(0);
    form.update({ lifecycleConfig: '' });
    expect(form.input()).not.toHaveProperty('lifecycleConfig');
  });

  it('keeps a copied machine’s config, offered even before the list is read', () => {
    const form = new DevMachineFormModel(offline, { name: 'box-copy', lifecycleConfig: 'pip' });
    expect(form.values.lifecycleConfig).toBe('pip');
    expect(form.configNames).toEqual(['pip']);
    expect(form.input()).toMatchObject({ lifecycleConfig: 'pip' });
  });
});

describe('the dev machine form’s auto-stop', () => {
  it('never stops by itself when left empty', () => {
    const form = new DevMachineFormModel(offline, { name: 'box' });
    expect(form.values.autoStopHours).toBe('');
    form.update({ autoStopHours: '  ' });
    expect(form.errors.size).toBe(0);
    expect(form.input()).not.toHaveProperty('autoStop');
  });

  it('takes 1 to 24 whole hours, with the contract’s message at the field as it is typed', () => {
    const form = new DevMachineFormModel(offline, { name: 'box' });
    for (const typed of ['0', '25', '1.5', '-3', 'two']) {
      form.update({ autoStopHours: typed });
      expect([...form.errors.keys()], typed).toEqual(['autoStopHours']);
      expect(form.errors.get('autoStopHours')?.[0]).toMatch(
        /^autoStop\.afterHours must be a whole number from 1 to 24 \(hours of running before it stops\)/,
      );
    }
    expect(form.errors.get('autoStopHours')?.[0]).toMatch(/got "two"/);
    for (const [typed, hours] of [
      ['1', 1],
      [' 8 ', 8],
      ['24', 24],
    ] as const) {
      form.update({ autoStopHours: typed });
      expect(form.errors.size, typed).toBe(0);
      expect(form.input()).toMatchObject({ autoStop: { afterHours: hours } });
    }
    expect(form.validate()).toBe(true);
  });

  it('starts from a copy’s auto-stop', () => {
    const form = new DevMachineFormModel(offline, { name: 'box-copy', autoStop: { afterHours: 6 } });
    expect(form.values.autoStopHours).toBe('6');
    expect(form.input()).toMatchObject({ autoStop: { afterHours: 6 } });
  });
});

describe('the dev machine form’s idle policy', () => {
  it('is off by default, and sends none', () => {
    const form = new DevMachineFormModel(offline, { name: 'box' });
    expect(form.values).toMatchObject({
      idleEnabled: false,
      idleMinutes: '60',
      idleCombine: 'all',
      idleKernels: true,
      idleTerminals: true,
      idleCodeServer: true,
      idleJobs: true,
    });
    expect(form.input()).not.toHaveProperty('idlePolicy');
    form.update({ idleMinutes: 'never' });
    expect(form.errors.size).toBe(0);
    expect(form.validate()).toBe(true);
  });

  it('builds the policy from the values', () => {
    const form = new DevMachineFormModel(offline, { name: 'box' });
    form.update({
      idleEnabled: true,
      idleMinutes: ' 30 ',
      idleCpuPercent: '5',
      idleMemoryPercent: '',
      idleCombine: 'any',
      idleTerminals: false,
      idleExcludeProcesses: ' syncd, ,tensorboard ,',
    });
    expect(form.errors.size).toBe(0);
    expect(form.validate()).toBe(true);
    expect(form.input().idlePolicy).toEqual({
      thresholds: { cpuPercent: 5 },
      combine: 'any',
      forMinutes: 30,
      excludeProcesses: ['syncd', 'tensorboard'],
      activity: { kernels: true, terminals: false, codeServer: true, jobs: true },
    });
  });

  it('puts the contract’s messages at the idle fields as they are typed', () => {
    const form = new DevMachineFormModel(offline, { name: 'box' });
    form.update({ idleEnabled: true, idleMinutes: '' });
    expect([...form.errors.keys()]).toEqual(['idleMinutes']);
    expect(form.errors.get('idleMinutes')?.[0]).toBe('idlePolicy.forMinutes is required');
    for (const typed of ['0', '1441', '2.5', 'soon']) {
      form.update({ idleMinutes: typed });
      expect(form.errors.get('idleMinutes')?.[0], typed).toMatch(
        /^idlePolicy\.forMinutes must be a whole number from 1 to 1440 \(minutes\)/,
      );
    }
    form.update({ idleMinutes: '1440', idleCpuPercent: '101', idleMemoryPercent: 'half' });
    expect([...form.errors.keys()].sort()).toEqual(['idleCpuPercent', 'idleMemoryPercent']);
    expect(form.errors.get('idleCpuPercent')?.[0]).toMatch(/cpuPercent must be a percentage from 0 to 100 \(got 101\)/);
    expect(form.errors.get('idleMemoryPercent')?.[0]).toMatch(/got "half"/);
    form.update({ idleExcludeProcesses: 'x'.repeat(65) });
    expect(form.errors.has('idleExcludeProcesses')).toBe(true);
    expect(form.validate()).toBe(false);
    // Turning the policy off clears its problems.
    form.update({ idleEnabled: false });
    expect(form.errors.size).toBe(0);
    form.update({ idleEnabled: true, idleCpuPercent: '0', idleMemoryPercent: '100', idleExcludeProcesses: 'syncd' });
    expect(form.errors.size).toBe(0);
  });

  it('maps the API’s idle policy paths to their fields', () => {
    expect(fieldOfPath('body.spec.idlePolicy.forMinutes')).toBe('idleMinutes');
    expect(fieldOfPath('idlePolicy.thresholds.cpuPercent')).toBe('idleCpuPercent');
    expect(fieldOfPath('idlePolicy.thresholds.memoryPercent')).toBe('idleMemoryPercent');
    expect(fieldOfPath('idlePolicy.combine')).toBe('idleCombine');
    expect(fieldOfPath('idlePolicy.excludeProcesses.2')).toBe('idleExcludeProcesses');
    expect(fieldOfPath('idlePolicy.activity.jobs')).toBe('idlePolicy');
    expect(fieldOfPath('body.spec.idlePolicy')).toBe('idlePolicy');
  });

  it('starts from a copy’s policy, keeping its accelerator threshold', () => {
    const form = new DevMachineFormModel(offline, {
      name: 'box-copy',
      idlePolicy: {
        thresholds: { cpuPercent: 10, acceleratorPercent: 3 },
        combine: 'all',
        forMinutes: 45,
        excludeProcesses: ['syncd', 'watcher'],
        activity: { kernels: true, terminals: true, codeServer: false, jobs: true },
      },
    });
    expect(form.values).toMatchObject({
      idleEnabled: true,
      idleMinutes: '45',
      idleCpuPercent: '10',
      idleMemoryPercent: '',
      idleCodeServer: false,
      idleExcludeProcesses: 'syncd, watcher',
    });
    expect(form.input().idlePolicy).toEqual({
      thresholds: { cpuPercent: 10, acceleratorPercent: 3 },
      combine: 'all',
      forMinutes: 45,
      excludeProcesses: ['syncd', 'watcher'],
      activity: { kernels: true, terminals: true, codeServer: false, jobs: true },
    });
    expect(form.errors.size).toBe(0);
  });
});
