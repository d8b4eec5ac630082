import { describe, expect, it, vi } from 'vitest';
import { aSave, anImage, fakeSaveEvents, FakeImageApi } from '../test/imageFakes.js';
import { createImagesModel, groupImages } from './imagesModel.js';
import { ImagesTreeProvider, type ImageNode } from './imagesTreeProvider.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

const preset = (ref: string) =>
  anImage({
    id: `im-${ref.length.toString().padStart(12, '0')}`,
    ref,
    source: 'preset',
    owner: 'platform',
    createdAt: new Date(0).toISOString(),
  });

describe('the images model and view', () => {
  it('groups saved, then shared, then presets; newest first, presets by reference; empty groups left out', () => {
    const older = anImage({ id: 'im-00000000000a', ref: 'r/old:v1', createdAt: '2026-12-01T00:00:00.000Z' });
    const newer = anImage({ id: 'im-00000000000b', ref: 'r/new:v1', createdAt: '2026-12-04T00:00:00.000Z' });
    const shared = anImage({ id: 'im-00000000000c', ref: 'bob/env:v1', source: 'shared' });
    const groups = groupImages([preset('z/torch:2'), older, preset('a/base:1'), shared, newer]);
    expect(groups.map((g) => [g.source, g.images.map((i) => i.ref)])).toEqual([
      ['saved', ['r/new:v1', 'r/old:v1']],
      ['shared', ['bob/env:v1']],
      ['preset', ['a/base:1', 'z/torch:2']],
    ]);
    expect(groupImages([preset('a/base:1')]).map((g) => g.source)).toEqual(['preset']);
    expect(groupImages([])).toEqual([]);
  });

  it('lists the images at each subscription, adds the image of a save that succeeded, and shows them by source', async () => {
    const api = new FakeImageApi();
    api.images = [preset('registry.example.com/aiplat/devbox:1')];
    const live = fakeSaveEvents();
    const model = createImagesModel({ client: () => api.asClient(), events: live.events });
    const tree = new ImagesTreeProvider(model, () => api.asClient());
    let changes = 0;
    tree.onDidChangeTreeData(() => changes++);
    expect(tree.getChildren()).toEqual([]); // loading

    live.confirm();
    await vi.waitFor(() => expect(model.loaded).toBe(true));
    const [presets] = tree.getChildren();
    expect(tree.getTreeItem(presets!)).toMatchObject({ label: 'Presets', description: '1' });

    // A save still pushing changes nothing; one that succeeded brings its image.
    live.push(aSave({ state: 'Pushing' }));
    expect(model.items).toHaveLength(1);
    const saved = anImage({
      sizeBytes: 3 * 1024 * 1024,
      layers: 4,
      savedFrom: { devMachineId: 'dm-1', devMachineName: 'box', baseRef: 'devbox:1' },
      history: [
        { created: '2026-12-01', createdBy: 'base' },
        { created: '2026-12-05', author: 'alice', comment: 'pip install torch' },
      ],
    });
    live.push(aSave({ state: 'Succeeded', image: saved }));
    expect(changes).toBeGreaterThanOrEqual(2);
    const roots = tree.getChildren();
    expect(roots.map((node) => tree.getTreeItem(node).label)).toEqual(['Saved by you', 'Presets']);
    const [item] = tree.getChildren(roots[0]).map((node: ImageNode) => tree.getTreeItem(node));
    expect(item).toMatchObject({
      label: '127.0.0.1:5000/alice/box:v1',
      description: '3.0 MiB · 4 layers',
      contextValue: 'aiplat.image.saved',
    });
    const tooltip = String(item?.tooltip).split('\n');
    expect(tooltip).toContain('Saved from dev machine box (dm-1), based on devbox:1');
    expect(tooltip.slice(-3)).toEqual([
      'History (newest last):',
      '  2026-12-01  base',
      '  2026-12-05 · alice  pip install torch',
    ]);

    model.apply({ change: 'deleted', id: saved.id });
    expect(tree.getChildren().map((node) => tree.getTreeItem(node).label)).toEqual(['Presets']);
    tree.dispose();
    model.dispose();
    expect(live.count()).toBe(0);
  });

  it('says when there is no image, and what went wrong when the list cannot be read', async () => {
    const api = new FakeImageApi();
    const live = fakeSaveEvents();
    const model = createImagesModel({ client: () => api.asClient(), events: live.events });
    const tree = new ImagesTreeProvider(model, () => api.asClient());
    await model.refresh();
    expect(tree.getChildren().map((node) => tree.getTreeItem(node).label)).toEqual([
      'No images yet: save a running dev machine as an image, or add a shared one',
    ]);
    api.listImages = () => Promise.reject(new Error('registry away'));
    await model.refresh();
    expect(tree.getChildren().map((node) => tree.getTreeItem(node).label)).toEqual(['registry away']);
    model.dispose();
  });

  it('reads the image from the registry on hover for its tooltip', async () => {
    const api = new FakeImageApi();
    const listed = anImage();
    api.images = [{ ...listed, sizeBytes: 1024, layers: 2, history: [{ created: '2026-12-05', comment: 'saved' }] }];
    const model = createImagesModel({ client: () => api.asClient(), events: fakeSaveEvents().events });
    const tree = new ImagesTreeProvider(model, () => api.asClient());
    const node: ImageNode = { kind: 'image', image: listed };
    const item = await tree.resolveTreeItem(tree.getTreeItem(node), node);
    expect(item.description).toBe('1.0 KiB · 2 layers');
    expect(String(item.tooltip)).toContain('  2026-12-05  saved');
    model.dispose();
  });
});
