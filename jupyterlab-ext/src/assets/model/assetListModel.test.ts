import { ApiError } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { AssetListModel, taskChangesList, versionKey } from './assetListModel.js';
import { asset, fakeConnection, settle, task, version } from './test/fakeCatalog.js';

const mine = asset('alpaca', { workingPath: 'home/datasets/alpaca' });
const shared = asset('zebra', { readOnly: true, owner: 'bob', sharedBy: 'bob', versions: [version('v1')] });
const other = asset('beta');

describe('the asset list', () => {
  it('lists the user’s own assets by name, then those shared with them, with the running tasks', async () => {
    const running = task('1', { assetId: mine.id, bytesDone: 5, bytesTotal: 10 });
    const fake = fakeConnection({ assets: [shared, other, mine], tasks: [running, task('2', { kind: 'models' })] });
    const list = new AssetListModel(fake.connection, 'datasets');
    await list.refresh();
    expect(list.assets.map((a) => a.name)).toEqual(['alpaca', 'beta', 'zebra']);
    expect(list.tasks.running(mine.id)).toEqual([running]);
    expect(fake.calls.find((c) => c.method === 'listAssets')?.input).toEqual({ params: { kind: 'datasets' } });
  });

  it('follows a task’s progress without reading the list, and reads it again when the task ends', async () => {
    const fake = fakeConnection({ assets: [mine] });
    const list = new AssetListModel(fake.connection, 'datasets');
    await list.refresh();
    const loads = fake.state.loads;
    let changes = 0;
    list.changed.connect(() => changes++);
    fake.send(task('3', { assetId: mine.id, bytesDone: 100, bytesTotal: 400 }));
    await settle();
    expect(fake.state.loads).toBe(loads);
    expect(changes).toBeGreaterThan(0);
    expect(list.tasks.running(mine.id)[0]?.bytesDone).toBe(100);
    fake.state.assets = [{ ...mine, versions: [] }];
    fake.send(task('3', { assetId: mine.id, state: 'succeeded', phase: 'checking', bytesDone: 400 }));
    await settle();
    expect(fake.state.loads).toBe(loads + 1);
    expect(list.tasks.running(mine.id)).toEqual([]);
    expect(list.tasks.lastEnded(mine.id)?.state).toBe('succeeded');
    // Another kind's task is not this list's.
    fake.send(task('4', { kind: 'models', state: 'failed' }));
    await settle();
    expect(fake.state.loads).toBe(loads + 1);
  });

  it('says which task events change the list', () => {
    const model = asset('m', { kind: 'models', versions: [version('v1', { state: 'importing' })] });
    const accelerating = asset('d', {
      versions: [version('v1', { accelerated: { state: 'copying', path: 'cache/x' } })],
    });
    expect(taskChangesList(task('1', { assetId: model.id, version: 'v1' }), [model])).toBe(false);
    expect(taskChangesList(task('1', { assetId: model.id, version: 'v2' }), [model])).toBe(true);
    expect(taskChangesList(task('1', { assetId: 'as-ffffffffffff' }), [model])).toBe(true);
    expect(taskChangesList(task('1', { assetId: model.id, state: 'succeeded' }), [model])).toBe(true);
    expect(
      taskChangesList(task('1', { assetId: accelerating.id, action: 'accelerate', version: 'v1' }), [accelerating]),
    ).toBe(false);
  });

  it('publishes a dataset’s folder and shows the new version; a refusal stays on the row', async () => {
    const fake = fakeConnection({ assets: [mine] });
    const list = new AssetListModel(fake.connection, 'datasets');
    await list.refresh();
    fake.answers.publishVersion = () => {
      const v1 = version('v1', { description: 'first' });
      fake.state.assets = [{ ...mine, versions: [v1] }];
      return v1;
    };
    const published = await list.publish(mine.id, '  first ');
    expect(published?.version).toBe('v1');
    expect(fake.calls.find((c) => c.method === 'publishVersion')?.input).toEqual({
      params: { kind: 'datasets', id: mine.id },
      body: { description: 'first' },
    });
    expect(list.byId(mine.id)?.versions.map((v) => v.version)).toEqual(['v1']);
    fake.answers.publishVersion = () => {
      throw new ApiError('conflict', 'home/datasets/alpaca has no files to publish: import data first');
    };
    expect(await list.publish(mine.id)).toBeUndefined();
    expect(list.actionError(mine.id)).toMatch(/no files to publish/);
  });

  it('uploads a dropped file as an import task and shows its progress at once', async () => {
    const fake = fakeConnection({ assets: [mine] });
    const list = new AssetListModel(fake.connection, 'datasets');
    await list.refresh();
    const started = task('6', { assetId: mine.id });
    fake.answers.uploadIntoAsset = () => started;
    const file = new File(['{"a":1}\n'], 'train.jsonl');
    expect(await list.upload(mine.id, file)).toBe(true);
    const call = fake.calls.find((c) => c.method === 'uploadIntoAsset')?.input as {
      params: unknown;
      query: unknown;
      data: unknown;
    };
    expect(call.params).toEqual({ kind: 'datasets', id: mine.id });
    expect(call.query).toEqual({ fileName: 'train.jsonl', extract: 'true' });
    expect(call.data).toBe(file);
    expect(list.tasks.running(mine.id)).toEqual([started]);
  });

  it('accelerates, evicts, deletes and cancels, each error on its own version or asset', async () => {
    const withVersion = { ...mine, versions: [version('v1')] };
    const fake = fakeConnection({ assets: [withVersion] });
    const list = new AssetListModel(fake.connection, 'datasets');
    await list.refresh();
    fake.answers.accelerateVersion = () => task('7', { action: 'accelerate', assetId: mine.id, version: 'v1' });
    await list.accelerate(mine.id, 'v1');
    expect(list.tasks.running(mine.id).map((t) => t.action)).toEqual(['accelerate']);
    fake.answers.cancelAssetTask = () =>
      task('7', { action: 'accelerate', assetId: mine.id, version: 'v1', state: 'cancelled' });
    await list.cancelTask(list.tasks.running(mine.id)[0]!);
    expect(list.tasks.running(mine.id)).toEqual([]);
    fake.answers.evictVersion = () => {
      throw new ApiError('conflict', 'alpaca@v1 is not accelerated');
    };
    await list.evict(mine.id, 'v1');
    expect(list.actionError(versionKey(mine.id, 'v1'))).toMatch(/not accelerated/);
    expect(list.actionError(mine.id)).toBeUndefined();
    fake.answers.deleteAsset = () => ({ deleted: mine.id });
    await list.delete(mine.id);
    expect(list.assets).toEqual([]);
  });

  it('downloads a version’s archive as a blob', async () => {
    const fake = fakeConnection({ assets: [mine] });
    const list = new AssetListModel(fake.connection, 'datasets');
    await list.refresh();
    fake.answers.exportVersionArchive = () => new Response('tar-bytes');
    const blob = await list.archive(mine.id, 'v1');
    expect(await blob?.text()).toBe('tar-bytes');
    fake.answers.exportVersionArchive = () => {
      throw new ApiError('conflict', 'alpaca@v1 is importing');
    };
    expect(await list.archive(mine.id, 'v1')).toBeUndefined();
    expect(list.actionError(versionKey(mine.id, 'v1'))).toMatch(/importing/);
  });
});
