import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ApiError } from '@aiplat/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionService } from '../connection/connectionService.js';
import { CommandIds } from '../commands/commandIds.js';
import { aTask, aVersion, anAsset, fakeTaskEvents, FakeAssetApi } from '../test/assetFakes.js';
import { commands, fake, Uri } from '../test/vscodeFake.js';
import { registerAssetCommands } from './assetCommands.js';
import { registerAssetExportCommands } from './assetExportCommands.js';
import { registerAssetImportCommands } from './assetImportCommands.js';
import { registerAssetShareCommands } from './assetShareCommands.js';
import { AssetTasksModel, createAssetsModel } from './assetsModel.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

const alpaca = anAsset();
const shared = anAsset({ id: 'as-000000000003', name: 'from-bob', readOnly: true, sharedBy: 'bob', owner: 'bob' });
const model = anAsset({
  id: 'as-000000000002',
  kind: 'models',
  name: 'tiny',
  dataType: undefined,
  annotationType: undefined,
});

let cleanUp: (() => Promise<void>) | undefined;
afterEach(async () => cleanUp?.());

async function setUp() {
  fake.reset();
  const api = new FakeAssetApi();
  api.assets = [alpaca, shared, model].map((a) => ({ ...a, versions: [...a.versions] }));
  const client = () => api.asClient();
  const live = fakeTaskEvents();
  const assets = {
    datasets: createAssetsModel('datasets', { client, events: live.events }),
    models: createAssetsModel('models', { client, events: live.events }),
  };
  const tasks = new AssetTasksModel({ client, events: live.events, assets, pollIntervalMs: 10 });
  await Promise.all([assets.datasets.refresh(), assets.models.refresh()]);
  const connection = {
    client: api.asClient(),
    state: {
      status: 'connected',
      info: { roots: [{ name: 'home', displayPath: '/work/home', writable: true }] },
    },
  } as unknown as ConnectionService;
  const deps = { connection, assets, tasks };
  const registered = [
    ...registerAssetCommands(deps),
    ...registerAssetImportCommands(deps),
    ...registerAssetShareCommands(deps),
    ...registerAssetExportCommands(deps),
  ];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-assets-'));
  cleanUp = async () => {
    for (const d of registered) d.dispose();
    tasks.dispose();
    await rm(dir, { recursive: true, force: true });
  };
  return { api, assets, tasks, live, dir };
}

const node = (asset = alpaca) => ({ kind: 'asset' as const, asset });
const versionNode = (asset = alpaca, version = asset.versions[0]!) => ({ kind: 'version' as const, asset, version });

describe('dataset and model commands', () => {
  it('creates a dataset in steps, refusing a name taken, then offers to import into it', async () => {
    const { api, assets } = await setUp();
    fake.inputBoxAnswers.push('alpaca-2', 'second cut');
    fake.quickPickAnswers.push('Text', 'conversation');
    await commands.executeCommand(CommandIds.createDataset);
    expect(api.calls.find((c) => c.route === 'createAsset')?.input).toEqual({
      params: { kind: 'datasets' },
      body: { name: 'alpaca-2', description: 'second cut', dataType: 'text', annotationType: 'conversation' },
    });
    expect(assets.datasets.items.map((a) => a.name)).toContain('alpaca-2');
    expect(fake.messages.at(-1)).toMatchObject({ text: 'Created the dataset alpaca-2.', items: ['Import Data…'] });
    const validate = fake.inputBoxes[0]?.validateInput;
    expect(validate?.('alpaca')).toBe('You already have one named alpaca');
    expect(validate?.('../x')).toBe('1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit');
    expect(validate?.('from-bob')).toBeUndefined(); // a shared one's name is not yours

    // A model asks for no data or annotation type; Escape at the name creates nothing.
    fake.inputBoxAnswers.push('tiny-2', '');
    await commands.executeCommand(CommandIds.createModel);
    expect(api.calls.filter((c) => c.route === 'createAsset').at(-1)?.input?.body).toEqual({ name: 'tiny-2' });
    fake.inputBoxAnswers.push(undefined);
    await commands.executeCommand(CommandIds.createModel);
    expect(api.calls.filter((c) => c.route === 'createAsset')).toHaveLength(2);
  });

  it('imports a folder under /work, following the task in a cancellable notification, and offers its bad records', async () => {
    const { api, live } = await setUp();
    api.started = aTask({ id: 'at-00000000000a' });
    fake.quickPickAnswers.push('Folder under /work');
    fake.inputBoxAnswers.push('/work/home/raw/');
    const done = commands.executeCommand(CommandIds.importIntoAsset, node());
    await vi.waitFor(() => expect(fake.progressRuns).toHaveLength(1));
    expect(api.calls.find((c) => c.route === 'importIntoAsset')?.input).toEqual({
      params: { kind: 'datasets', id: alpaca.id },
      body: { source: { type: 'folder', path: 'home/raw' } },
    });
    expect(fake.progressRuns[0]).toMatchObject({ title: 'Importing into alpaca', cancellable: true });
    live.push(aTask({ id: 'at-00000000000a', bytesDone: 512, bytesTotal: 1024 }));
    fake.messageAnswers.push('Show Bad Records');
    live.push(
      aTask({
        id: 'at-00000000000a',
        state: 'succeeded',
        records: {
          annotationType: 'instruction',
          filesChecked: 1,
          recordsChecked: 2,
          badRecords: 1,
          problems: [{ file: 'train.jsonl', line: 2, message: 'output is missing' }],
        },
      }),
    );
    await done;
    expect(fake.progressRuns[0]?.reports).toContainEqual({ message: 'copying · 512 B / 1.0 KiB (50%)', increment: 50 });
    expect(fake.messages.at(-1)?.text).toBe(
      'Importing into alpaca: done, but 1 records do not fit the annotation type.',
    );
    expect(fake.openedDocuments.at(-1)?.content).toContain('train.jsonl:2: output is missing');
  });

  it('cancels a following import on the server when its notification is cancelled', async () => {
    const { api } = await setUp();
    api.started = aTask({ id: 'at-00000000000b', kind: 'models', assetId: model.id, assetName: 'tiny' });
    fake.quickPickAnswers.push('Share token');
    fake.inputBoxAnswers.push(' aiplat-share-x ');
    const done = commands.executeCommand(CommandIds.importIntoAsset, node(model));
    await vi.waitFor(() => expect(fake.progressRuns).toHaveLength(1));
    expect(api.calls.find((c) => c.route === 'importIntoAsset')?.input?.body).toEqual({
      source: { type: 'share', token: 'aiplat-share-x' },
    });
    fake.progressRuns[0]!.cancel();
    await done;
    expect(api.calls.some((c) => c.route === 'cancelAssetTask')).toBe(true);
    expect(fake.messages.at(-1)?.text).toBe('Importing into tiny: cancelled.');
  });

  it('uploads a local file streamed, with its progress, into a folder of the dataset', async () => {
    const { api, dir } = await setUp();
    const file = path.join(dir, 'data.tar.gz');
    await writeFile(file, Buffer.alloc(300_000, 7));
    api.started = aTask({ id: 'at-00000000000c', state: 'succeeded' });
    fake.quickPickAnswers.push('Local file', 'Keep the archive as it is');
    fake.openDialogAnswers.push([Uri.file(file)]);
    fake.inputBoxAnswers.push('extra');
    await commands.executeCommand(CommandIds.importIntoAsset, node());
    const upload = api.calls.find((c) => c.route === 'uploadIntoAsset');
    expect(upload?.input?.query).toEqual({ fileName: 'data.tar.gz', extract: 'false', into: 'extra', bytes: 300_000 });
    const uploading = fake.progressRuns.find((run) => run.title === 'Uploading data.tar.gz to alpaca');
    expect(uploading?.cancellable).toBe(true);
    expect(uploading?.reports.at(-1)).toMatchObject({ message: '293.0 KiB / 293.0 KiB' });
    expect(uploading?.reports.reduce((sum, r) => sum + (r.increment ?? 0), 0)).toBe(100);
    expect(fake.messages.at(-1)?.text).toBe('Importing into alpaca: done.');
  });

  it('shares a version with an expiry, shows the token once and copies it; revokes a share after asking', async () => {
    const { api } = await setUp();
    fake.inputBoxAnswers.push('24');
    fake.messageAnswers.push('Copy Token');
    await commands.executeCommand(CommandIds.shareAsset, versionNode());
    expect(api.calls.find((c) => c.route === 'shareAsset')?.input).toEqual({
      params: { kind: 'datasets', id: alpaca.id },
      body: { version: 'v1', expiresInHours: 24 },
    });
    expect(fake.messages[0]?.text).toBe('Share token for alpaca@v1');
    expect(fake.messages[0]?.detail).toMatch(/^aiplat-share-secret\n\nCopy it now: it will not be shown again\. /);
    expect(fake.clipboard).toBe('aiplat-share-secret');

    fake.quickPickAnswers.push('alpaca@v1');
    fake.messageAnswers.push('Revoke');
    await commands.executeCommand(CommandIds.revokeAssetShare, node());
    expect(api.calls.find((c) => c.route === 'revokeAssetShare')?.input?.params).toEqual({
      kind: 'datasets',
      id: alpaca.id,
      shareId: 'sh-1',
    });
  });

  it('adds a shared model, asks for another name when taken, and says when a token expired or was revoked', async () => {
    const { api, assets } = await setUp();
    api.redeemErrors.push(
      new ApiError('conflict', 'you already have a model named tiny', { issues: [{ path: 'name', message: 'taken' }] }),
    );
    fake.inputBoxAnswers.push('tok', 'tiny-from-bob');
    await commands.executeCommand(CommandIds.addSharedModel);
    expect(fake.inputBoxes[1]?.prompt).toBe('you already have a model named tiny. The name it takes in your list:');
    expect(api.calls.filter((c) => c.route === 'redeemAssetShare').at(-1)?.input?.body).toEqual({
      token: 'tok',
      name: 'tiny-from-bob',
    });
    expect(assets.models.items.map((a) => a.name)).toContain('tiny-from-bob');

    api.redeemErrors.push(new ApiError('gone', 'alice revoked this share token: ask for a new one', { status: 410 }));
    fake.inputBoxAnswers.push('old');
    await commands.executeCommand(CommandIds.addSharedDataset);
    expect(fake.messages.at(-1)).toMatchObject({
      severity: 'error',
      text: 'This share token no longer works (it expired or was revoked): alice revoked this share token: ask for a new one',
    });
  });

  it('deletes a version and an asset only when confirmed; a shared one is only removed from the list', async () => {
    const { api, assets } = await setUp();
    fake.messageAnswers.push(undefined);
    await commands.executeCommand(CommandIds.deleteAssetVersion, versionNode());
    expect(api.calls.some((c) => c.route === 'deleteVersion')).toBe(false);
    fake.messageAnswers.push('Delete');
    await commands.executeCommand(CommandIds.deleteAssetVersion, versionNode());
    expect(api.calls.find((c) => c.route === 'deleteVersion')?.input?.params?.version).toBe('v1');

    fake.messageAnswers.push('Remove');
    await commands.executeCommand(CommandIds.deleteAsset, node(shared));
    expect(fake.messages.at(-1)?.text).toBe('Remove from-bob from your list? It stays with bob, who shared it.');
    expect(assets.datasets.find(shared.id)).toBeUndefined();

    // From the palette: picked among both kinds.
    fake.quickPickAnswers.push('tiny');
    fake.messageAnswers.push('Delete');
    await commands.executeCommand(CommandIds.deleteAsset);
    expect(fake.quickPicks.at(-1)?.labels).toEqual(['alpaca', 'tiny']);
    expect(assets.models.items).toEqual([]);
  });

  it('downloads a version archive, resuming a .part with Range', async () => {
    const { api, dir } = await setUp();
    api.archive = new Uint8Array(Array.from({ length: 5000 }, (_, i) => i % 251));
    const target = path.join(dir, 'alpaca-v1.tar');
    await writeFile(`${target}.part`, api.archive.slice(0, 1200));
    fake.saveDialogAnswers.push(Uri.file(target));
    await commands.executeCommand(CommandIds.downloadAssetVersionArchive, versionNode());
    expect(Buffer.from(await readFile(target)).equals(Buffer.from(api.archive))).toBe(true);
    const call = api.calls.find((c) => c.route === 'exportVersionArchive');
    expect(call?.options).toMatchObject({ headers: { range: 'bytes=1200-' } });
    expect(fake.messages.at(-1)?.text).toBe(`Downloaded ${target} (4.9 KiB, resumed from 1.2 KiB).`);
  });

  it('exports a version into a folder under /work as a task, accelerates and evicts, publishes', async () => {
    const { api, live } = await setUp();
    api.started = aTask({ id: 'at-00000000000d', action: 'export', state: 'succeeded' });
    fake.inputBoxAnswers.push('/work/home/exports/a1');
    await commands.executeCommand(CommandIds.exportAssetVersion, versionNode());
    expect(api.calls.find((c) => c.route === 'exportVersion')?.input?.body).toEqual({ path: 'home/exports/a1' });
    expect(fake.messages.at(-1)?.text).toBe('Exporting alpaca@v1 to /work/home/exports/a1: done.');

    api.started = aTask({ id: 'at-00000000000e', action: 'accelerate', version: 'v1' });
    const accelerating = commands.executeCommand(CommandIds.accelerateAssetVersion, versionNode());
    await vi.waitFor(() => expect(fake.progressRuns.at(-1)?.title).toBe('Accelerating alpaca@v1'));
    live.push({ ...api.started, state: 'failed', message: 'no space left on the fast storage' });
    await accelerating;
    expect(fake.messages.at(-1)).toMatchObject({
      severity: 'error',
      text: 'Accelerating alpaca@v1 failed: no space left on the fast storage',
    });

    const fast = anAsset({ versions: [aVersion({ accelerated: { state: 'ready', path: 'cache/x' } })] });
    await commands.executeCommand(CommandIds.evictAssetVersion, versionNode(fast));
    expect(api.calls.find((c) => c.route === 'evictVersion')?.input?.params).toEqual({
      kind: 'datasets',
      id: alpaca.id,
      version: 'v1',
    });

    fake.inputBoxAnswers.push('more data');
    await commands.executeCommand(CommandIds.publishDatasetVersion, node());
    expect(api.calls.find((c) => c.route === 'publishVersion')?.input?.body).toEqual({ description: 'more data' });
    expect(fake.messages.at(-1)?.text).toBe('Published alpaca@v2.');
  });

  it('reveals a version in the Explorer when it is in the workspace, and otherwise offers to add it', async () => {
    await setUp();
    fake.workspaceFolders.push('/work/home');
    await commands.executeCommand(CommandIds.openAssetVersion, versionNode());
    expect(fake.executed.at(-1)).toMatchObject({
      command: 'revealInExplorer',
      args: [expect.objectContaining({ path: '/work/home/.catalog/datasets/alpaca/v1' })],
    });

    fake.workspaceFolders.length = 0;
    fake.messageAnswers.push('Add to Workspace');
    await commands.executeCommand(CommandIds.openAssetVersion, versionNode());
    expect(fake.messages.at(-1)?.text).toBe('/work/home/.catalog/datasets/alpaca/v1 is outside the folders open here.');
    expect(fake.workspaceFolders).toEqual(['/work/home/.catalog/datasets/alpaca/v1']);
  });

  it('cancels a running task picked from the palette', async () => {
    const { api, tasks } = await setUp();
    api.tasks = [aTask({ id: 'at-00000000000f' })];
    await tasks.refresh();
    fake.quickPickAnswers.push('alpaca: Importing');
    await commands.executeCommand(CommandIds.cancelAssetTask);
    expect(api.calls.find((c) => c.route === 'cancelAssetTask')?.input?.params).toEqual({ taskId: 'at-00000000000f' });
    expect(tasks.running()).toEqual([]);
  });
});
