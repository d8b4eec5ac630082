import { decodeLifecycleScript, encodeLifecycleScript, type LifecycleConfig } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import type { IConnectionModel } from '../../tokens.js';
import {
  LifecycleConfigFormModel,
  lifecycleFieldOfPath,
  lifecycleSpecOf,
  lifecycleValuesFrom,
} from './lifecycleConfigFormModel.js';

const offline = { client: undefined } as unknown as IConnectionModel;

const existing: LifecycleConfig = {
  id: 'lc-abc123',
  owner: 'alice',
  spec: { name: 'pip', onStart: encodeLifecycleScript('pip install -r /work/req.txt\n') },
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  usedBy: [],
};

describe('the lifecycle config form', () => {
  it('builds the spec: scripts base64-encoded, blank ones and an empty description left out', () => {
    const spec = lifecycleSpecOf({ name: ' setup ', description: '', onCreate: '  \n', onStart: 'echo 你好\n' });
    expect(spec).toEqual({ name: 'setup', onStart: encodeLifecycleScript('echo 你好\n') });
    expect(decodeLifecycleScript(spec.onStart as string)).toBe('echo 你好\n');
    expect(lifecycleSpecOf({ name: 'a', description: 'mine', onCreate: 'x', onStart: '' })).toEqual({
      name: 'a',
      description: 'mine',
      onCreate: encodeLifecycleScript('x'),
    });
  });

  it('edits a config with its scripts in plain text', () => {
    expect(lifecycleValuesFrom(existing.spec)).toEqual({
      name: 'pip',
      description: '',
      onCreate: '',
      onStart: 'pip install -r /work/req.txt\n',
    });
    const form = new LifecycleConfigFormModel(offline, existing);
    expect(form.values.onStart).toBe('pip install -r /work/req.txt\n');
    expect(form.spec()).toEqual(existing.spec);
  });

  it('shows each script’s encoded size and holds back the save above the limit, with the contract’s message', () => {
    const form = new LifecycleConfigFormModel(offline);
    form.update({ name: 'big', onStart: 'echo hi\n' });
    expect(form.size('onStart')).toMatchObject({ encoded: 12, over: false });
    expect(form.size('onCreate').encoded).toBe(0);
    expect(form.canSave).toBe(true);
    form.update({ onStart: 'x'.repeat(12_289) });
    expect(form.size('onStart')).toMatchObject({ encoded: 16_388, over: true });
    expect(form.canSave).toBe(false);
    expect([...form.errors.keys()]).toEqual(['onStart']);
    expect(form.errors.get('onStart')?.[0]).toMatch(/onStart is 16388 characters base64-encoded; the limit is 16384/);
    form.update({ onStart: 'x'.repeat(12_288) });
    expect(form.canSave).toBe(true);
  });

  it('checks the name as typed', () => {
    const form = new LifecycleConfigFormModel(offline);
    form.update({ name: 'bad name!' });
    expect([...form.errors.keys()]).toEqual(['name']);
    expect(form.canSave).toBe(false);
  });

  it('refuses to save while offline, saying so', async () => {
    const form = new LifecycleConfigFormModel(offline);
    form.update({ name: 'setup' });
    expect(await form.save()).toBeUndefined();
    expect(form.generalErrors).toEqual(['not connected to the AI Platform server']);
  });

  it('maps the API’s issue paths to its fields', () => {
    expect(lifecycleFieldOfPath('body.spec.onStart')).toBe('onStart');
    expect(lifecycleFieldOfPath('body.spec.name')).toBe('name');
    expect(lifecycleFieldOfPath('onCreate')).toBe('onCreate');
  });
});
