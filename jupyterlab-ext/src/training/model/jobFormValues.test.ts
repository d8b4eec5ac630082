import { JobSpecSchema } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import {
  defaultFormValues,
  defaultWorkerGroup,
  fieldForIssuePath,
  formFieldKeys,
  specFromValues,
  valuesFromSpec,
} from './jobFormValues.js';
import { scriptPrefill, shellQuote } from './scriptPrefill.js';

describe('job form values', () => {
  it('makes a valid spec of each mode from filled-in values', () => {
    const base = { ...defaultFormValues(), name: 'job-1', command: 'echo hi' };
    for (const values of [
      { ...base, nodes: '2', env: 'EPOCHS=2\n\n# note', tags: 'team=vision', hyperparameters: '{"lr": 0.01}' },
      { ...base, mode: 'ps-worker' as const, ps: '1', workers: '2' },
      { ...base, mode: 'ps-worker' as const, separatePsResources: true, psResources: { ...base.resources, cpu: '2' } },
      { ...base, mode: 'ray' as const, workerGroups: [defaultWorkerGroup(0)] },
    ]) {
      const { spec, issues } = specFromValues(values);
      expect(issues).toEqual([]);
      expect(JobSpecSchema.safeParse(spec).success, JSON.stringify(spec)).toBe(true);
    }
    const { spec } = specFromValues({ ...base, env: 'EPOCHS=2', hyperparameters: '{"lr": 0.01}' });
    expect(spec).toMatchObject({ env: { EPOCHS: '2' }, hyperparameters: { lr: 0.01 }, nodes: 1 });
  });

  it('reads datasets and models as lists of references, and back', () => {
    const base = { ...defaultFormValues(), name: 'sft', command: 'python train.py' };
    const { spec } = specFromValues({ ...base, datasets: ' alpaca-zh@v2, faq\nqa ', models: 'tiny-llama@v1' });
    expect(spec).toMatchObject({ datasets: ['alpaca-zh@v2', 'faq', 'qa'], models: ['tiny-llama@v1'] });
    expect(JobSpecSchema.safeParse(spec).success).toBe(true);
    expect(specFromValues(base).spec).not.toHaveProperty('datasets');
    expect(valuesFromSpec(spec as never)).toMatchObject({ datasets: 'alpaca-zh@v2, faq, qa', models: 'tiny-llama@v1' });
    const bad = JobSpecSchema.safeParse(specFromValues({ ...base, datasets: 'no/slash' }).spec);
    expect(bad.error?.issues[0]?.path).toEqual(['datasets', 0]);
    expect(fieldForIssuePath('body.spec.datasets.0', formFieldKeys(base))).toBe('datasets');
  });

  it('reports text it cannot read at its field', () => {
    const { issues } = specFromValues({ ...defaultFormValues(), env: 'NOPE', hyperparameters: '{lr: 1}' });
    expect(issues.map((i) => i.field)).toEqual(['env', 'hyperparameters']);
    expect(specFromValues({ ...defaultFormValues(), hyperparameters: '[1]' }).issues[0]?.message).toMatch(/object/);
  });

  it('maps issue paths from the schema and the API to the fields shown', () => {
    const keys = formFieldKeys({ ...defaultFormValues(), mode: 'ray', workerGroups: [defaultWorkerGroup(0)] });
    expect(keys).toContain('workerGroups.0.resources.memory');
    expect(keys).not.toContain('nodes');
    const ddp = formFieldKeys(defaultFormValues());
    expect(fieldForIssuePath('body.spec.resources.memory', ddp)).toBe('resources.memory');
    expect(fieldForIssuePath('body.spec.env.FOO', ddp)).toBe('env');
    expect(fieldForIssuePath('autoRestart.maxRestarts', ddp)).toBe('autoRestart.maxRestarts');
    expect(fieldForIssuePath('resources.accelerator', ddp)).toBe('resources.accelerator.type');
    expect(fieldForIssuePath('body.spec', ddp)).toBeUndefined();
    expect(fieldForIssuePath('body.spec.head', ddp)).toBeUndefined();
  });

  it('gives parameter servers their own resources only when asked', () => {
    const values = { ...defaultFormValues(), mode: 'ps-worker' as const };
    expect(specFromValues(values).spec).not.toHaveProperty('psResources');
    expect(formFieldKeys(values)).not.toContain('psResources.cpu');
    const separate = { ...values, separatePsResources: true };
    expect(formFieldKeys(separate)).toContain('psResources.memory');
    expect(specFromValues(separate).spec).toHaveProperty('psResources.cpu', 1);
    expect(valuesFromSpec(specFromValues(separate).spec).separatePsResources).toBe(true);
  });

  it('fills the form from a spec and back', () => {
    const spec = JobSpecSchema.parse({
      name: 'a',
      mode: 'ray',
      command: 'python x.py',
      head: { resources: { cpu: 2, memory: '4Gi' } },
      workerGroups: [
        { name: 'gpu', replicas: 2, resources: { cpu: 1, memory: '1Gi', accelerator: { type: 'nvidia', count: 1 } } },
      ],
      env: { A: '1' },
      priority: 0,
    });
    const values = valuesFromSpec(spec);
    expect(values).toMatchObject({ mode: 'ray', env: 'A=1', priority: '0' });
    expect(JobSpecSchema.parse(specFromValues(values).spec)).toEqual(spec);
  });

  it('prefills a script to train in its folder', () => {
    expect(scriptPrefill('/work/home/alice/mnist/train.py')).toEqual({
      name: 'train',
      mode: 'ddp',
      nodes: 1,
      command: 'python train.py',
      workingDir: 'home/alice/mnist',
    });
    expect(scriptPrefill('home/run all.sh')).toMatchObject({
      command: "bash 'run all.sh'",
      workingDir: 'home',
      name: 'run-all',
    });
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});
