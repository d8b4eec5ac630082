import { ApiError } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { AssetCreateFormModel, createBodyOf, emptyAssetCreateValues, RedeemFormModel } from './assetForms.js';
import { asset, fakeConnection } from './test/fakeCatalog.js';

describe('the create form', () => {
  it('sends the data and annotation type for a dataset only', () => {
    const values = { ...emptyAssetCreateValues(), name: ' alpaca ', description: ' ', annotationType: 'qa' as const };
    expect(createBodyOf('datasets', values)).toEqual({ name: 'alpaca', dataType: 'text', annotationType: 'qa' });
    expect(createBodyOf('models', { ...values, description: 'Qwen' })).toEqual({ name: 'alpaca', description: 'Qwen' });
  });

  it('shows a bad name at the name as it is typed, and sends nothing', async () => {
    const fake = fakeConnection();
    const form = new AssetCreateFormModel(fake.connection, 'datasets');
    form.update({ name: 'bad name/' });
    expect(form.errors.get('name')?.[0]).toMatch(/letters, digits/);
    expect(await form.create()).toBeUndefined();
    expect(fake.calls).toEqual([]);
    form.update({ name: 'good' });
    expect(form.errors.has('name')).toBe(false);
  });

  it('creates it, or shows the API’s refusal at its field (a name taken at the name)', async () => {
    const fake = fakeConnection();
    const form = new AssetCreateFormModel(fake.connection, 'datasets');
    form.update({ name: 'alpaca', annotationType: 'instruction' });
    fake.answers.createAsset = () => {
      throw new ApiError('conflict', 'you already have a dataset named alpaca: choose another name');
    };
    expect(await form.create()).toBeUndefined();
    expect(form.errors.get('name')).toEqual(['you already have a dataset named alpaca: choose another name']);
    fake.answers.createAsset = () => {
      throw new ApiError('validation_failed', 'bad', { issues: [{ path: 'body.annotationType', message: 'nope' }] });
    };
    form.update({ name: 'alpaca2' });
    expect(await form.create()).toBeUndefined();
    expect(form.errors.get('annotationType')).toEqual(['nope']);
    const created = asset('alpaca2');
    fake.answers.createAsset = () => created;
    form.update({ annotationType: 'none' });
    expect(await form.create()).toBe(created);
    expect(fake.calls.at(-1)?.input).toEqual({
      params: { kind: 'datasets' },
      body: { name: 'alpaca2', dataType: 'text', annotationType: 'none' },
    });
  });
});

describe('adding a shared asset', () => {
  it('says an expired or revoked token (410) is so, and a name taken at the name', async () => {
    const fake = fakeConnection();
    const form = new RedeemFormModel(fake.connection, 'models');
    expect(await form.redeem()).toBeUndefined();
    expect(form.errors.has('token')).toBe(true);
    form.update({ token: ' tok ' });
    fake.answers.redeemAssetShare = () => {
      throw new ApiError('gone', 'bob revoked this share token: ask for a new one');
    };
    expect(await form.redeem()).toBeUndefined();
    expect(form.expired).toBe(true);
    expect(form.generalErrors).toEqual(['bob revoked this share token: ask for a new one']);
    fake.answers.redeemAssetShare = () => {
      throw new ApiError('conflict', 'you already have a model named qwen', {
        issues: [{ path: 'name', message: 'taken: choose a name for the shared copy' }],
      });
    };
    expect(await form.redeem()).toBeUndefined();
    expect(form.expired).toBe(false);
    expect(form.errors.get('name')).toEqual(['taken: choose a name for the shared copy']);
    const added = asset('qwen-bob', { kind: 'models', readOnly: true });
    fake.answers.redeemAssetShare = () => added;
    form.update({ name: 'qwen-bob' });
    expect(await form.redeem()).toBe(added);
    expect(fake.calls.at(-1)?.input).toEqual({ params: { kind: 'models' }, body: { token: 'tok', name: 'qwen-bob' } });
  });
});
