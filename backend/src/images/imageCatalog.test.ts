import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '@aiplat/api';
import { SqliteStore } from '../store/sqliteStore.js';
import { ImageCatalog, type ImageRegistry } from './imageCatalog.js';

const stores: SqliteStore[] = [];
afterEach(() => stores.splice(0).forEach((store) => store.close()));

function catalog(options: { registry?: ImageRegistry; now?: () => Date } = {}) {
  const store = new SqliteStore(':memory:');
  stores.push(store);
  return new ImageCatalog({
    store: store.images,
    presets: [{ ref: 'registry.local/aiplat/devmachine:1', description: 'JupyterLab + code-server' }],
    ...options,
  });
}

const saved = {
  ref: 'registry.local/alice/torch-env:v1',
  owner: 'alice',
  digest: 'sha256:aa',
  savedFrom: { devMachineId: 'dm-1', devMachineName: 'dev', baseRef: 'registry.local/aiplat/devmachine:1' },
};

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof ApiError ? `${error.code}: ${error.message}` : String(error);
  }
  return 'no error';
};

describe('the image catalog', () => {
  it("lists a user's saved images first, then the presets every user sees", () => {
    const images = catalog();
    images.recordSaved(saved);
    expect(images.list('alice').map((i) => [i.source, i.ref])).toEqual([
      ['saved', 'registry.local/alice/torch-env:v1'],
      ['preset', 'registry.local/aiplat/devmachine:1'],
    ]);
    expect(images.list('bob').map((i) => i.source)).toEqual(['preset']);
  });

  it('shares a saved image by a token stored only as its hash; the redeemer gets it on their list once', () => {
    const images = catalog();
    const image = images.recordSaved(saved);
    const { token } = images.share(image.id, 'alice');
    expect(token).toMatch(/^aiplat-img-/);
    const shared = images.redeem(token, 'bob');
    expect(shared).toMatchObject({ source: 'shared', owner: 'bob', ref: saved.ref });
    expect(images.redeem(token, 'bob').id).toBe(shared.id);
    expect(images.list('bob').map((i) => i.source)).toEqual(['shared', 'preset']);
    expect(code(() => images.redeem(token.slice(0, -2), 'carol'))).toMatch(
      /^not_found: no image is shared with this token/,
    );
    expect(code(() => images.redeem(token, 'alice'))).toMatch(/^conflict: .* is already yours/);
    expect(code(() => images.share(shared.id, 'bob'))).toMatch(/only its owner can share it/);
  });

  it('refuses an expired token with when it expired', () => {
    let now = new Date('2026-12-05T10:00:00Z');
    const images = catalog({ now: () => now });
    const image = images.recordSaved(saved);
    const { token, expiresAt } = images.share(image.id, 'alice', 2);
    expect(expiresAt).toBe('2026-12-05T12:00:00.000Z');
    now = new Date('2026-12-05T12:00:01Z');
    expect(code(() => images.redeem(token, 'bob'))).toMatch(/expired at 2026-12-05T12:00:00.000Z/);
  });

  it('deletes a saved image from the registry and takes its shared copies off the other lists', async () => {
    const deleted: string[] = [];
    const images = catalog({
      registry: { inspect: () => Promise.reject(new Error('unused')), delete: async (ref) => void deleted.push(ref) },
    });
    const image = images.recordSaved(saved);
    images.redeem(images.share(image.id, 'alice').token, 'bob');
    await expect(images.delete(image.id, 'bob')).rejects.toThrow(/no image/);
    await images.delete(image.id, 'alice');
    expect(deleted).toEqual([saved.ref]);
    expect(images.list('alice').map((i) => i.source)).toEqual(['preset']);
    expect(images.list('bob').map((i) => i.source)).toEqual(['preset']);
  });

  it('reads layers, size and history from the registry, and still answers when the registry is away', async () => {
    let up = true;
    const images = catalog({
      registry: {
        inspect: async () => {
          if (!up) throw new Error('cannot reach registry.local');
          return { digest: 'sha256:bb', sizeBytes: 1234, layers: 3, history: [{ createdBy: 'aiplat save-image' }] };
        },
        delete: async () => undefined,
      },
    });
    const image = images.recordSaved(saved);
    expect(await images.get(image.id, 'alice')).toMatchObject({ sizeBytes: 1234, layers: 3, digest: 'sha256:bb' });
    up = false;
    expect((await images.get(image.id, 'alice')).description).toBe('registry: cannot reach registry.local');
    await expect(images.get(image.id, 'bob')).rejects.toThrow(/no image/);
    const preset = images.list('bob').find((i) => i.source === 'preset')!;
    await expect(images.delete(preset.id, 'bob')).rejects.toThrow(/presets come from the platform configuration/);
  });
});
