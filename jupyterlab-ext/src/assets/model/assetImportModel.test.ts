import { ApiError } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import {
  AssetImportModel,
  emptyImportValues,
  importBodyOf,
  importChoices,
  importFieldOfPath,
} from './assetImportModel.js';
import { fakeConnection, task } from './test/fakeCatalog.js';

describe('the import form', () => {
  it('offers a share token for models only', () => {
    expect(importChoices('datasets')).not.toContain('share');
    expect(importChoices('models')).toContain('share');
  });

  it('makes the body of each source, a description for models only', () => {
    const v = { ...emptyImportValues('/work/home/raw'), description: 'sft run 3' };
    expect(importBodyOf('datasets', v)).toEqual({ source: { type: 'folder', path: 'home/raw' } });
    expect(importBodyOf('models', { ...v, source: 'job', jobId: ' j-1 ', subPath: 'out' })).toEqual({
      source: { type: 'job', jobId: 'j-1', subPath: 'out' },
      description: 'sft run 3',
    });
    expect(importBodyOf('datasets', { ...v, source: 'url', url: 'https://x.test/a.zip', extract: false })).toEqual({
      source: { type: 'url', url: 'https://x.test/a.zip', extract: false },
    });
    expect(importBodyOf('datasets', { ...v, source: 'upload' })).toBeUndefined();
  });

  it('maps the contract’s paths to the fields that show them', () => {
    expect(importFieldOfPath('body.source.url')).toBe('url');
    expect(importFieldOfPath('source.type')).toBe('source');
    expect(importFieldOfPath('query.fileName')).toBe('file');
    expect(importFieldOfPath('body.description')).toBe('description');
  });

  it('checks a link as typed, and starts a folder import as a task', async () => {
    const fake = fakeConnection();
    const form = new AssetImportModel(fake.connection, 'datasets', 'as-000000000001', 'home/raw');
    form.update({ source: 'url', url: 'ftp://x.test/a' });
    expect(form.errors.get('url')?.join()).toMatch(/http/);
    expect(await form.start()).toBeUndefined();
    expect(fake.calls).toEqual([]);
    form.update({ source: 'folder' });
    expect(form.errors.size).toBe(0);
    const started = task('1');
    fake.answers.importIntoAsset = () => started;
    expect(await form.start()).toBe(started);
    expect(fake.calls[0]?.input).toEqual({
      params: { kind: 'datasets', id: 'as-000000000001' },
      body: { source: { type: 'folder', path: 'home/raw' } },
    });
  });

  it('uploads the chosen file, and shows the API’s refusal of a path at its field', async () => {
    const fake = fakeConnection();
    const form = new AssetImportModel(fake.connection, 'models', 'as-000000000002');
    form.update({ source: 'upload' });
    expect(form.ready).toBe(false);
    expect(await form.start()).toBeUndefined();
    const file = new File(['PK'], 'weights.zip');
    form.update({ file, extract: false });
    fake.answers.uploadIntoAsset = () => task('2');
    expect((await form.start())?.id).toBe('at-000000000002');
    const call = fake.calls[0]?.input as { query: unknown; data: unknown };
    expect(call.query).toEqual({ fileName: 'weights.zip', extract: 'false' });
    expect(call.data).toBe(file);
    form.update({ source: 'folder', path: 'home/nope' });
    fake.answers.importIntoAsset = () => {
      throw new ApiError('not_found', 'home/nope does not exist', {
        issues: [{ path: 'body.source.path', message: 'no such folder' }],
      });
    };
    expect(await form.start()).toBeUndefined();
    expect(form.errors.get('path')).toEqual(['no such folder']);
  });
});
