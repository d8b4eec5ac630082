import type { ImageSave } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { renderToStaticMarkup } from '../test/renderMarkup.js';
import { describe, expect, it, vi } from 'vitest';
// JupyterLab's widgets and clipboard need a browser to be imported: the body renders without them.
vi.mock('../../training/views/ModelWidget.js', () => ({ ModelWidget: class {} }));
vi.mock('../../services/views/CopyButton.js', () => ({
  CopyButton: ({ testId }: { testId: string }) => <button data-testid={testId} />,
}));

import type { ImageSaveModel } from '../model/imageSaveModel.js';
import { ImageSaveBody } from './ImageSaveView.js';

const trans = { __: (s: string, ...a: unknown[]) => s.replace(/%(\d)/g, (_, i) => String(a[Number(i) - 1])) };

function render(model: Partial<ImageSaveModel>): string {
  const base = {
    devMachine: { id: 'dm-1', name: 'box' },
    values: { repository: 'box', tag: 'v1', comment: '', excludes: '' },
    errors: new Map(),
    generalErrors: [],
    busy: false,
    cancelling: false,
  };
  return renderToStaticMarkup(
    <ImageSaveBody model={{ ...base, ...model } as unknown as ImageSaveModel} trans={trans as TranslationBundle} />,
  );
}

const save = (patch: Partial<ImageSave>): ImageSave => ({
  id: 'is-0123456789ab',
  owner: 'alice',
  devMachineId: 'dm-1',
  ref: 'registry.test/box:v1',
  state: 'Pushing',
  startedAt: '2026-12-05T21:00:00Z',
  progress: { bytes: 1024 * 1024, files: 3, totalBytes: 4 * 1024 * 1024, totalFiles: 12 },
  ...patch,
});

describe('the Save as image view', () => {
  it('shows the preview: size, counts, largest folders, what is left out and why', () => {
    const html = render({
      step: 'preview',
      preview: {
        bytes: 3 * 1024 * 1024,
        files: 12,
        entries: 15,
        added: 10,
        modified: 2,
        replaced: 1,
        deleted: 4,
        largestDirectories: [{ path: '/usr/lib', bytes: 2048, files: 2 }],
        skipped: [{ path: '/work', reason: 'mount', detail: 'fuse' }],
        excludes: [{ pattern: '/root/.cache/pip', reason: 'pip cache' }],
      },
    });
    expect(html).toContain('The new layer: 3.0 MiB in 12 files');
    expect(html).toContain('10 added, 3 modified, 4 deleted');
    expect(html).toContain('/usr/lib');
    expect(html).toContain('2.0 KiB');
    expect(html).toContain('mount point');
    expect(html).toContain('(fuse)');
    expect(html).toContain('pip cache');
    expect(html).toContain('data-testid="aiplat-image-save-start"');
  });

  it('shows the progress of a running save with Cancel, then its end', () => {
    const running = render({ step: 'saving', save: save({}) });
    expect(running).toContain('<progress max="1" value="0.25">');
    expect(running).toContain('1.0 MiB / 4.0 MiB');
    expect(running).toContain('3 of 12 files');
    expect(running).toContain('data-testid="aiplat-image-save-cancel"');
    const done = render({
      step: 'ended',
      save: save({ state: 'Succeeded' }),
      savedRef: 'registry.test/box:v1',
    });
    expect(done).toContain('data-testid="aiplat-image-save-ref">registry.test/box:v1');
    expect(done).not.toContain('aiplat-image-save-cancel');
    const failed = render({ step: 'ended', save: save({ state: 'Failed', error: 'registry.test is unreachable' }) });
    expect(failed).toContain('registry.test is unreachable');
    expect(failed).toContain('data-testid="aiplat-image-save-again"');
  });
});
