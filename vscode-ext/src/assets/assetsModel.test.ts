import { describe, expect, it, vi } from 'vitest';
import { aTask, aVersion, anAsset, fakeTaskEvents, FakeAssetApi } from '../test/assetFakes.js';
import { badRecordsText, taskDetail, versionContextValue, versionDescription } from './assetPresentation.js';
import { AssetTasksModel, createAssetsModel } from './assetsModel.js';
import { AssetsTreeProvider, type AssetNode } from './assetsTreeProvider.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

function setUp() {
  const api = new FakeAssetApi();
  const live = fakeTaskEvents();
  const client = () => api.asClient();
  const assets = {
    datasets: createAssetsModel('datasets', { client, events: live.events }),
    models: createAssetsModel('models', { client, events: live.events }),
  };
  const tasks = new AssetTasksModel({ client, events: live.events, assets, pollIntervalMs: 20 });
  const tree = new AssetsTreeProvider('datasets', assets.datasets, tasks);
  return { api, live, assets, tasks, tree };
}

const labels = (tree: AssetsTreeProvider, nodes: AssetNode[]) =>
  nodes.map((node) => {
    const item = tree.getTreeItem(node);
    return `${String(item.label)} | ${String(item.description ?? '')} | ${String(item.contextValue ?? '')}`;
  });

describe('the datasets and models model and views', () => {
  it('lists each kind at each subscription, with versions newest first and running tasks on top', async () => {
    const { api, live, assets, tasks, tree } = setUp();
    api.assets = [
      anAsset({
        versions: [
          aVersion(),
          aVersion({
            version: 'v2',
            sizeBytes: 3 * 1024 * 1024,
            fileCount: 3,
            accelerated: { state: 'ready', path: 'cache/.accelerated/alice/datasets/alpaca/v2' },
          }),
        ],
      }),
      anAsset({ id: 'as-000000000002', kind: 'models', name: 'tiny', dataType: undefined, annotationType: undefined }),
    ];
    api.tasks = [aTask({ bytesDone: 512, bytesTotal: 2048, filesDone: 1 })];
    expect(tree.getChildren()).toEqual([]); // loading
    live.confirm();
    await vi.waitFor(() => expect(assets.datasets.loaded && assets.models.loaded).toBe(true));
    await vi.waitFor(() => expect(tasks.running()).toHaveLength(1));
    expect(assets.models.items.map((a) => a.name)).toEqual(['tiny']);

    const [alpaca] = tree.getChildren();
    expect(labels(tree, [alpaca!])).toEqual(['alpaca | 2 versions · text/instruction | aiplat.asset.datasets.own']);
    expect(tree.getTreeItem(alpaca!).collapsibleState).toBe(2); // expanded: a task runs
    expect(labels(tree, tree.getChildren(alpaca))).toEqual([
      'Importing | copying · 512 B / 2.0 KiB (25%) · 1 files | aiplat.assetTask',
      'v2 | ready · 3.0 MiB · 3 files · accelerated | aiplat.assetVersion.datasets.ready.own.fast',
      'v1 | ready · 2.0 KiB · 2 files | aiplat.assetVersion.datasets.ready.own.plain',
    ]);
  });

  it('moves tasks along from the topic and re-reads the asset a task starts or ends on', async () => {
    const { api, live, assets, tasks, tree } = setUp();
    api.assets = [anAsset({ versions: [] })];
    live.confirm();
    await vi.waitFor(() => expect(assets.datasets.loaded).toBe(true));
    let changes = 0;
    tree.onDidChangeTreeData(() => changes++);

    live.push(aTask({ phase: 'downloading', bytesDone: 10 }));
    expect(tasks.running('as-000000000001')).toHaveLength(1);
    await vi.waitFor(() => expect(api.calls.filter((c) => c.route === 'getAsset')).toHaveLength(1));

    // The import ended: the asset now has files to publish; an older reading does not bring it back.
    api.assets[0] = anAsset({ versions: [aVersion({ version: 'v1' })] });
    live.push(aTask({ state: 'succeeded', phase: 'checking' }));
    live.push(aTask({ phase: 'downloading', bytesDone: 20 }));
    expect(tasks.running()).toEqual([]);
    await vi.waitFor(() => expect(assets.datasets.items[0]?.versions).toHaveLength(1));
    expect(changes).toBeGreaterThanOrEqual(3);

    // A list read before the task's last event (at a new subscription) does not bring it back either.
    api.tasks = [aTask({ phase: 'checking', bytesDone: 20 })];
    await tasks.refresh();
    expect(tasks.running()).toEqual([]);

    // An asset gone on the server leaves the list.
    api.assets = [];
    await tasks.reread('datasets', 'as-000000000001');
    expect(assets.datasets.items).toEqual([]);
  });

  it('follows one task to its end by events, or by reading it when no event comes', async () => {
    const { api, live, tasks } = setUp();
    const seen: string[] = [];
    const started = aTask({ id: 'at-00000000000a' });
    api.tasks = [started];
    const watched = tasks.watch(started, (task) => seen.push(`${task.state}:${task.bytesDone}`));
    live.push(aTask({ id: 'at-00000000000a', bytesDone: 5 }));
    live.push(aTask({ id: 'at-00000000000b', state: 'failed' })); // another task
    live.push(aTask({ id: 'at-00000000000a', state: 'succeeded', bytesDone: 9 }));
    expect((await watched).state).toBe('succeeded');
    expect(seen).toEqual(['running:0', 'running:5', 'succeeded:9']);

    // No event: the poll reads it.
    const quiet = aTask({ id: 'at-00000000000c' });
    api.tasks = [quiet];
    const polled = tasks.watch(quiet);
    api.move({ ...quiet, state: 'failed', message: 'no space left' });
    expect(await polled).toMatchObject({ state: 'failed', message: 'no space left' });
  });

  it('says what a version and a task are, and lists bad records as file:line', () => {
    const shared = anAsset({ readOnly: true, sharedBy: 'bob' });
    expect(versionContextValue(shared, aVersion({ state: 'importing' }))).toBe(
      'aiplat.assetVersion.datasets.importing.shared.plain',
    );
    expect(versionDescription(aVersion({ state: 'failed', accelerated: undefined, description: 'bad one' }))).toBe(
      'failed · bad one',
    );
    expect(taskDetail(aTask({ phase: 'uploading', bytesDone: 1024 }))).toBe('uploading · 1.0 KiB');
    expect(
      badRecordsText(
        aTask({
          records: {
            annotationType: 'instruction',
            filesChecked: 2,
            recordsChecked: 10,
            badRecords: 3,
            problems: [
              { file: 'train.jsonl', line: 4, message: 'output is missing' },
              { file: 'x.json', line: 0, message: 'not JSON lines' },
            ],
          },
        }),
      ),
    ).toBe(
      'alpaca: 10 records checked in 2 files as instruction; 3 bad.\n\n' +
        'train.jsonl:4: output is missing\nx.json: not JSON lines\n… and 1 more\n',
    );
  });
});
