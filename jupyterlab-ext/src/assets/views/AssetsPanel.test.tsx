import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { describe, expect, it, vi } from 'vitest';
import { renderToStaticMarkup } from '../../images/test/renderMarkup.js';
import { AssetsSectionModel } from '../model/assetsSectionModel.js';
import { asset, fakeConnection, task, version } from '../model/test/fakeCatalog.js';
import type { AssetActions } from './assetActions.js';
import { AssetsSection } from './AssetsPanel.js';

// JupyterLab's widgets and clipboard need a browser to be imported: the body renders without them.
vi.mock('../../training/views/ModelWidget.js', () => ({ ModelWidget: class {} }));
vi.mock('../../services/views/CopyButton.js', () => ({
  CopyButton: ({ testId }: { testId: string }) => <button data-testid={testId} />,
}));
vi.mock('@jupyterlab/ui-components', () => ({ UseSignal: () => null }));

const trans = { __: (s: string, ...a: unknown[]) => s.replace(/%(\d)/g, (_, i) => String(a[Number(i) - 1])) };

const mine = asset('alpaca', {
  workingPath: 'home/datasets/alpaca',
  dataType: 'text',
  annotationType: 'instruction',
  versions: [
    version('v1', { fileCount: 3, sizeBytes: 2048, accelerated: { state: 'ready', path: 'cache/.accelerated/x' } }),
    version('v2', { state: 'failed', message: 'the disk is full' }),
  ],
});
const shared = asset('zebra', { readOnly: true, owner: 'bob', sharedBy: 'bob', versions: [version('v3')] });

async function render(tasks = [task('1', { assetId: mine.id, bytesDone: 512, bytesTotal: 2048 })]) {
  const fake = fakeConnection({ assets: [mine, shared], tasks });
  const model = new AssetsSectionModel(fake.connection);
  await model.datasets.list.refresh();
  const actions = {
    connection: fake.connection,
    trans: trans as TranslationBundle,
    openFolder: () => undefined,
    saveFile: () => undefined,
    confirmDelete: () => Promise.resolve(false),
    selectedFolder: () => undefined,
  } satisfies AssetActions;
  return renderToStaticMarkup(<AssetsSection model={model} actions={actions} />);
}

describe('the Catalog section', () => {
  it('shows each dataset with its types, versions newest first and a running task’s progress', async () => {
    const html = await render();
    expect(html).toContain('data-testid="aiplat-asset-row-alpaca"');
    expect(html).toContain('Text · Instruction (instruction, input, output)');
    expect(html.indexOf('aiplat-asset-version-alpaca-v2"')).toBeLessThan(
      html.indexOf('aiplat-asset-version-alpaca-v1"'),
    );
    expect(html).toContain('3 files · 2.0 KiB · published from the working folder');
    expect(html).toContain('data-testid="aiplat-asset-version-accelerated-alpaca-v1"');
    expect(html).toContain('data-testid="aiplat-asset-version-evict-alpaca-v1"');
    expect(html).toContain('the disk is full');
    // A failed version is only deleted: not opened, shared nor downloaded.
    expect(html).not.toContain('aiplat-asset-version-download-alpaca-v2');
    expect(html).toContain('data-testid="aiplat-asset-version-delete-alpaca-v2"');
    expect(html).toMatch(/<progress max="1" value="0.25"/);
    expect(html).toContain('512 B / 2.0 KiB');
    expect(html).toContain('data-testid="aiplat-asset-task-cancel-at-000000000001"');
  });

  it('marks a shared dataset read-only: no import, publish, share or delete of versions', async () => {
    const html = await render();
    expect(html).toContain('shared by bob · read-only');
    expect(html).not.toContain('aiplat-asset-import-zebra');
    expect(html).not.toContain('aiplat-asset-publish-zebra');
    expect(html).not.toContain('aiplat-asset-share-zebra');
    expect(html).not.toContain('aiplat-asset-version-delete-zebra-v3');
    expect(html).toContain('data-testid="aiplat-asset-version-download-zebra-v3"');
    expect(html).toMatch(/aiplat-asset-delete-zebra"[^>]*>Remove from my list/);
  });

  it('shows an ended import’s record check, each bad record at its file and line', async () => {
    const html = await render([
      task('2', {
        assetId: mine.id,
        state: 'succeeded',
        records: {
          annotationType: 'instruction',
          filesChecked: 1,
          recordsChecked: 10,
          badRecords: 2,
          problems: [
            { file: 'train.jsonl', line: 4, message: 'output is missing' },
            { file: 'bad.json', line: 0, message: 'not JSON' },
          ],
        },
      }),
    ]);
    expect(html).toContain('2 of 10 records in 1 files do not fit the annotation type:');
    expect(html).toContain('<code>train.jsonl:4</code> output is missing');
    expect(html).toContain('<code>bad.json</code> not JSON');
  });
});
