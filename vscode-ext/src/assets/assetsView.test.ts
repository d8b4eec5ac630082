import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CommandIds } from '../commands/commandIds.js';
import { useActivatedExtension } from '../test/activateAgainst.js';
import { commands, fake, Uri } from '../test/vscodeFake.js';
import { waitUntil } from '../test/wait.js';
import type { AssetNode, AssetsTreeProvider } from './assetsTreeProvider.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

/*
 * The Datasets and Models views and their commands, in the real `activate` (with the `vscode`
 * fake), against the real backend: create, import a folder and an uploaded file, publish, share,
 * export, download the archive, delete.
 */

const live = useActivatedExtension(async (backend) => {
  await backend.writeFile(
    'home/alice/raw/train.jsonl',
    '{"instruction":"a","input":"","output":"b"}\n{"instruction":"c"}\n',
  );
  await backend.writeFile('home/alice/raw/eval.jsonl', '{"instruction":"d","input":"","output":"e"}\n');
});

let local: string;
beforeAll(async () => {
  local = await mkdtemp(path.join(os.tmpdir(), 'aiplat-assets-view-'));
});
afterAll(() => rm(local, { recursive: true, force: true }));

const rows = (tree: AssetsTreeProvider, node?: AssetNode) =>
  tree.getChildren(node).map((child) => {
    const item = tree.getTreeItem(child);
    return `${String(item.label)} | ${String(item.description ?? '')}`;
  });

async function untilRows(
  tree: AssetsTreeProvider,
  what: string,
  check: (rows: string[]) => boolean,
  node?: () => AssetNode,
) {
  await waitUntil(tree.onDidChangeTreeData, () => check(rows(tree, node?.())), what);
}

describe('the Datasets view against the real backend', () => {
  it('creates a dataset, imports a folder and a local file, publishes, shares, exports, downloads and deletes', async () => {
    const tree = live.extension.datasetsTree;
    await untilRows(tree, 'the empty view', (r) => r.length === 1);
    expect(rows(tree)).toEqual(['No datasets yet: create one, or add one shared with you | ']);

    fake.inputBoxAnswers.push('alpaca', 'instructions');
    fake.quickPickAnswers.push('Text', 'instruction');
    await commands.executeCommand(CommandIds.createDataset);
    expect(rows(tree)).toEqual(['alpaca | 0 versions · text/instruction']);
    const dataset = () => tree.getChildren()[0]!;

    // A folder under /work: followed to its end, the bad record offered as file:line.
    fake.quickPickAnswers.push('Folder under /work');
    fake.inputBoxAnswers.push('home/raw');
    fake.messageAnswers.push('Show Bad Records');
    await commands.executeCommand(CommandIds.importIntoAsset, dataset());
    expect(fake.progressRuns.at(-1)).toMatchObject({ title: 'Importing into alpaca', cancellable: true });
    expect(fake.messages.at(-1)?.text).toBe(
      'Importing into alpaca: done, but 1 records do not fit the annotation type.',
    );
    expect(fake.openedDocuments.at(-1)?.content).toMatch(/^train\.jsonl:2: /m);

    // A local archive, streamed up and extracted into a folder of the dataset.
    const src = path.join(local, 'src');
    execFileSync('mkdir', ['-p', path.join(src, 'more')]);
    await writeFile(path.join(src, 'more', 'extra.jsonl'), '{"instruction":"x","input":"","output":"y"}\n');
    const archive = path.join(local, 'more.tar.gz');
    execFileSync('tar', ['-czf', archive, '-C', src, 'more']);
    fake.quickPickAnswers.push('Local file', 'Extract it');
    fake.openDialogAnswers.push([Uri.file(archive)]);
    fake.inputBoxAnswers.push('extra');
    await commands.executeCommand(CommandIds.importIntoAsset, dataset());
    expect(fake.progressRuns.some((run) => run.title === 'Uploading more.tar.gz to alpaca')).toBe(true);
    expect(fake.messages.at(-1)?.text).toBe('Importing into alpaca: done.');
    expect(await readdir(path.join(live.backend.workRoot, 'home/alice/datasets/alpaca/extra/more'))).toEqual([
      'extra.jsonl',
    ]);

    fake.inputBoxAnswers.push('first');
    await commands.executeCommand(CommandIds.publishDatasetVersion, dataset());
    // The finished import's row leaves with its task's last event, which may come after v1's.
    await untilRows(tree, 'v1 listed alone', (r) => r.length === 1 && r[0]!.startsWith('v1 | ready'), dataset);
    expect(rows(tree, dataset())).toEqual([expect.stringMatching(/^v1 \| ready · \d+ B · 3 files · first$/)]);
    const v1 = () => tree.getChildren(dataset()).find((node) => node.kind === 'version')!;
    expect(tree.getTreeItem(v1()).contextValue).toBe('aiplat.assetVersion.datasets.ready.own.plain');

    // Shared: the token shown once, copied.
    fake.inputBoxAnswers.push('');
    fake.messageAnswers.push('Copy Token');
    await commands.executeCommand(CommandIds.shareAsset, v1());
    expect(fake.clipboard).toMatch(/^aiplat-share-/);
    const shares = await live.backend.client().listAssetShares({
      params: { kind: 'datasets', id: (dataset() as { asset: { id: string } }).asset.id },
    });
    expect(shares.items).toEqual([expect.objectContaining({ version: 'v1', redeemedBy: [] })]);

    // Exported into /work, and downloaded as a tar.
    fake.inputBoxAnswers.push('home/exported');
    await commands.executeCommand(CommandIds.exportAssetVersion, v1());
    expect(fake.messages.at(-1)?.text).toBe('Exporting alpaca@v1 to /work/home/exported: done.');
    expect((await readdir(path.join(live.backend.workRoot, 'home/alice/exported'))).sort()).toEqual([
      'eval.jsonl',
      'extra',
      'train.jsonl',
    ]);
    const tarFile = path.join(local, 'alpaca-v1.tar');
    fake.saveDialogAnswers.push(Uri.file(tarFile));
    await commands.executeCommand(CommandIds.downloadAssetVersionArchive, v1());
    expect(fake.messages.at(-1)?.text).toMatch(/^Downloaded .*alpaca-v1\.tar \(\d+(\.\d)? KiB\)\.$/);
    const names = execFileSync('tar', ['-tf', tarFile], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(names).toEqual(expect.arrayContaining(['alpaca-v1/train.jsonl', 'alpaca-v1/extra/more/extra.jsonl']));

    // Deleted, after the modal question.
    fake.messageAnswers.push('Delete');
    await commands.executeCommand(CommandIds.deleteAssetVersion, v1());
    await untilRows(tree, 'v1 gone', (r) => r.length === 0, dataset);
    fake.messageAnswers.push('Delete');
    await commands.executeCommand(CommandIds.deleteAsset, dataset());
    expect(rows(tree)).toEqual(['No datasets yet: create one, or add one shared with you | ']);
  }, 60_000);

  it("says the server's reason when a share token does not work", async () => {
    // The Models view shows nothing until its first listing has answered (on a busy machine, after
    // the test above): waited for, so that the last check sees the refusal add nothing to it.
    await untilRows(live.extension.modelsTree, 'the empty Models view', (r) => r.length === 1);
    fake.inputBoxAnswers.push('aiplat-share-not-a-real-one');
    await commands.executeCommand(CommandIds.addSharedModel);
    expect(fake.messages.at(-1)).toMatchObject({ severity: 'error', text: expect.stringMatching(/^Not found: /) });
    expect(rows(live.extension.modelsTree)).toEqual(['No models yet: create one, or add one shared with you | ']);
  });
});
