import { ApiError, type EventMessage, type Image, type ImageSave } from '@aiplat/api';
import { Signal } from '@lumino/signaling';
import { describe, expect, it } from 'vitest';
import type { IConnectionModel } from '../../tokens.js';
import { parseShareHours } from '@aiplat/api';
import { ImageListModel } from './imageListModel.js';

function image(id: string, source: Image['source'], createdAt: string, patch: Partial<Image> = {}): Image {
  return {
    id: `im-${id.padStart(12, '0')}`,
    ref: `registry.test/${id}:v1`,
    source,
    owner: 'alice',
    createdAt,
    ...patch,
  };
}

const preset = image('1', 'preset', '2026-01-01T00:00:00Z', { description: 'PyTorch 2.3' });
const savedOld = image('2', 'saved', '2026-02-01T00:00:00Z', { sizeBytes: 2048, layers: 3 });
const savedNew = image('3', 'saved', '2026-03-01T00:00:00Z');
const shared = image('4', 'shared', '2026-04-01T00:00:00Z', { owner: 'bob' });

/** An in-memory catalog behind the client's image methods, with the `image-saves` topic the test drives. */
function fakeCatalog(images: Image[]) {
  const handlers = new Map<string, (event: EventMessage) => void>();
  const state = { images: [...images], loads: 0 };
  const client = {
    listImages: () => {
      state.loads++;
      return Promise.resolve({ images: [...state.images] });
    },
    getImage: ({ params }: { params: { id: string } }) => {
      const found = state.images.find((i) => i.id === params.id);
      return found
        ? Promise.resolve({ ...found, history: [{ createdBy: 'pip install torch', comment: 'from box' }] })
        : Promise.reject(new ApiError('not_found', `no image ${params.id}`));
    },
    shareImage: ({ body }: { params: { id: string }; body: { expiresInHours?: number } }) =>
      Promise.resolve({ token: 'tok-secret', ...(body.expiresInHours ? { expiresAt: '2026-12-06T00:00:00Z' } : {}) }),
    deleteImage: ({ params }: { params: { id: string } }) => {
      state.images = state.images.filter((i) => i.id !== params.id);
      return Promise.resolve({ deleted: params.id });
    },
    redeemImage: ({ body }: { body: { token: string } }) =>
      body.token === 'good'
        ? Promise.resolve(image('5', 'shared', '2026-05-01T00:00:00Z', { owner: 'carol' }))
        : Promise.reject(new ApiError('not_found', 'this share token is unknown or expired')),
  };
  const connection = {
    state: { status: 'connected' },
    stateChanged: new Signal<unknown, unknown>({}),
    client,
    events: {
      subscribe: (topic: string, handler: (event: EventMessage) => void) => {
        handlers.set(topic, handler);
        return () => handlers.delete(topic);
      },
    },
  };
  const send = (save: Partial<ImageSave>) =>
    handlers.get('image-saves')?.({
      type: 'event',
      topic: 'image-saves',
      kind: 'image-saves',
      data: save as ImageSave,
    });
  return { connection: connection as unknown as IConnectionModel, state, send };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the image catalog', () => {
  it('groups presets, saved and shared images, newest first in each, and offers them as choices', async () => {
    const fake = fakeCatalog([shared, savedOld, preset, savedNew]);
    const list = new ImageListModel(fake.connection);
    await list.refresh();
    expect(list.groups.map((g) => [g.source, g.images.map((i) => i.id)])).toEqual([
      ['preset', [preset.id]],
      ['saved', [savedNew.id, savedOld.id]],
      ['shared', [shared.id]],
    ]);
    expect(list.choices[0]).toEqual({ ref: preset.ref, source: 'preset', description: 'PyTorch 2.3' });
    expect(list.choices.map((c) => c.ref)).toHaveLength(4);
  });

  it('reads the list again when a save ends Succeeded, not while it runs', async () => {
    const fake = fakeCatalog([preset]);
    const list = new ImageListModel(fake.connection);
    await list.refresh();
    const loads = fake.state.loads;
    fake.state.images.push(savedNew);
    fake.send({ id: 'is-0123456789ab', state: 'Pushing' });
    await settle();
    expect(fake.state.loads).toBe(loads);
    fake.send({ id: 'is-0123456789ab', state: 'Succeeded' });
    await settle();
    expect(fake.state.loads).toBe(loads + 1);
    expect(list.images.map((i) => i.id)).toEqual([preset.id, savedNew.id]);
  });

  it('reads an image’s history on demand', async () => {
    const fake = fakeCatalog([savedOld]);
    const list = new ImageListModel(fake.connection);
    await list.refresh();
    expect(list.detailsOf(savedOld.id)).toBeUndefined();
    await list.loadDetails(savedOld.id);
    expect(list.detailsOf(savedOld.id)?.history?.[0]?.createdBy).toBe('pip install torch');
    await list.loadDetails('im-ffffffffffff');
    expect(list.actionError('im-ffffffffffff')).toMatch(/no image/);
  });

  it('shows a share token once, until dismissed', async () => {
    const fake = fakeCatalog([savedNew]);
    const list = new ImageListModel(fake.connection);
    await list.refresh();
    await list.share(savedNew.id, 24);
    expect(list.shareShown).toEqual({
      imageId: savedNew.id,
      ref: savedNew.ref,
      token: 'tok-secret',
      expiresAt: '2026-12-06T00:00:00Z',
    });
    list.dismissShare();
    expect(list.shareShown).toBeUndefined();
  });

  it('adds a redeemed image to the list, or says why the token was refused', async () => {
    const fake = fakeCatalog([preset]);
    const list = new ImageListModel(fake.connection);
    await list.refresh();
    expect(await list.redeem(' wrong ')).toBeUndefined();
    expect(list.redeemError).toMatch(/unknown or expired/);
    const added = await list.redeem('good');
    expect(added?.owner).toBe('carol');
    expect(list.redeemError).toBeUndefined();
    expect(list.groups.map((g) => g.source)).toEqual(['preset', 'shared']);
  });

  it('deletes an image (a shared one only leaves the list), dropping its shown token', async () => {
    const fake = fakeCatalog([savedNew, shared]);
    const list = new ImageListModel(fake.connection);
    await list.refresh();
    await list.share(savedNew.id);
    await list.delete(savedNew.id);
    await list.delete(shared.id);
    expect(list.images).toEqual([]);
    expect(fake.state.images).toEqual([]);
    expect(list.shareShown).toBeUndefined();
  });

  it('takes a share’s hours as the API does: empty for none, else 1 to 8760 whole hours', () => {
    expect(parseShareHours('  ')).toBeUndefined();
    expect(parseShareHours(' 24 ')).toBe(24);
    expect(parseShareHours('8760')).toBe(8760);
    for (const bad of ['0', '1.5', '1e2', '8761', 'soon']) expect(parseShareHours(bad), bad).toBe('invalid');
  });
});
