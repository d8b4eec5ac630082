import type { Image } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { renderToStaticMarkup } from '../test/renderMarkup.js';
import { describe, expect, it, vi } from 'vitest';
import { groupBySource, type ImageListModel } from '../model/imageListModel.js';
import { ImageList } from './ImageListPanel.js';

// JupyterLab's widgets and clipboard need a browser to be imported: the body renders without them.
vi.mock('../../training/views/ModelWidget.js', () => ({ ModelWidget: class {} }));
vi.mock('../../services/views/CopyButton.js', () => ({
  CopyButton: ({ testId }: { testId: string }) => <button data-testid={testId} />,
}));

const trans = { __: (s: string, ...a: unknown[]) => s.replace(/%(\d)/g, (_, i) => String(a[Number(i) - 1])) };

const images: Image[] = [
  { id: 'im-000000000001', ref: 'r.test/preset:1', source: 'preset', owner: '', createdAt: '1970-01-01T00:00:00Z' },
  {
    id: 'im-000000000002',
    ref: 'r.test/alice/env:v1',
    source: 'saved',
    owner: 'alice',
    createdAt: '2026-12-05T21:00:00Z',
    sizeBytes: 5 * 1024 * 1024,
    layers: 4,
    savedFrom: { devMachineId: 'dm-1', devMachineName: 'box', baseRef: 'r.test/preset:1' },
  },
  {
    id: 'im-000000000003',
    ref: 'r.test/bob/env:v2',
    source: 'shared',
    owner: 'bob',
    createdAt: '2026-12-05T21:00:00Z',
  },
];

function render(model: Partial<ImageListModel>): string {
  const base = {
    images,
    items: images,
    groups: groupBySource(images),
    loading: false,
    connected: true,
    error: undefined,
    redeeming: false,
    redeemError: undefined,
    shareShown: undefined,
    actionError: () => undefined,
    detailsOf: () => undefined,
  };
  return renderToStaticMarkup(
    <ImageList
      model={{ ...base, ...model } as unknown as ImageListModel}
      trans={trans as TranslationBundle}
      confirmDelete={() => Promise.resolve(false)}
    />,
  );
}

describe('the Images section', () => {
  it('heads each source, with size, layers, where an image was saved from, and the actions it allows', () => {
    const html = render({});
    const order = ['preset', 'saved', 'shared'].map((s) => html.indexOf(`aiplat-image-group-${s}`));
    expect(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
    expect(html).toContain('5.0 MiB · 4 layers');
    expect(html).toContain('saved from box, based on r.test/preset:1');
    expect(html).toContain('from bob');
    expect(html).not.toContain('aiplat-image-share-im-000000000001');
    expect(html).not.toContain('aiplat-image-delete-im-000000000001');
    expect(html).toContain('data-testid="aiplat-image-share-im-000000000002"');
    expect(html).toMatch(/aiplat-image-delete-im-000000000003"[^>]*>Remove from my list/);
    expect(html).not.toContain('aiplat-image-share-im-000000000003');
  });

  it('shows a share token once, saying it will not be shown again', () => {
    const html = render({
      shareShown: { imageId: 'im-000000000002', ref: 'r.test/alice/env:v1', token: 'tok-123' },
    });
    expect(html).toContain('data-testid="aiplat-image-share-token-value">tok-123');
    expect(html).toContain('data-testid="aiplat-image-share-token-copy"');
    expect(html).toContain('you will not see it again');
  });
});
