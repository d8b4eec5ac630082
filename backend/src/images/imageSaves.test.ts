import { describe, expect, it } from 'vitest';
import type { DevMachine, ImageSave } from '@aiplat/api';
import type { ImageCatalog } from './imageCatalog.js';
import { ImageSaves, KEPT_ENDED_SAVES } from './imageSaves.js';

/** A save whose agent fails at once (no container needed): it ends Failed with the agent's message. */
function failingSaves(): { saves: ImageSaves; published: ImageSave[] } {
  const published: ImageSave[] = [];
  let clock = Date.parse('2026-12-01T00:00:00Z');
  const saves = new ImageSaves({
    targets: {
      snapshotTarget: () => ({
        baseRef: 'registry.test/base:1',
        exec: (_argv, io) => {
          io.stderr.write('{"error":"no baseline at /var/lib/aiplat/snapshot-baseline"}\n');
          return Promise.resolve(1);
        },
      }),
    },
    devMachine: (id) => ({ id, state: 'Running', spec: { name: 'box' } }) as unknown as DevMachine,
    catalog: {} as ImageCatalog,
    pusher: {
      push: async (input) => {
        for await (const chunk of input.layer) void chunk;
        await input.digests;
        throw new Error('unreachable: the agent failed');
      },
    },
    registryPrefix: 'registry.test',
    events: { publish: (_topic, _kind, data) => published.push(data as ImageSave) },
    now: () => new Date((clock += 1000)),
  });
  return { saves, published };
}

async function ended(saves: ImageSaves, user: string, id: string): Promise<ImageSave> {
  for (let i = 0; i < 200; i++) {
    const save = saves.list(user).find((s) => s.id === id);
    if (save?.endedAt) return save;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${id} did not end`);
}

describe('ImageSaves', () => {
  it('fails a save with the agent’s own message', async () => {
    const { saves } = failingSaves();
    const started = saves.start('dm-1', 'alice', { repository: 'env', tag: 'v1' });
    const save = await ended(saves, 'alice', started.id);
    expect(save).toMatchObject({ state: 'Failed', error: expect.stringContaining('no baseline at') as string });
  });

  it('keeps only the last ended saves of each user, newest first', async () => {
    const { saves } = failingSaves();
    const ids: string[] = [];
    for (let i = 0; i < KEPT_ENDED_SAVES + 3; i++) {
      const started = saves.start('dm-1', 'alice', { repository: 'env', tag: `v${i}` });
      ids.push(started.id);
      await ended(saves, 'alice', started.id);
    }
    const bobs = saves.start('dm-2', 'bob', { repository: 'env', tag: 'v1' });
    await ended(saves, 'bob', bobs.id);
    const listed = saves.list('alice').map((s) => s.id);
    expect(listed).toEqual(ids.slice(3).reverse());
    expect(saves.list('bob').map((s) => s.id)).toEqual([bobs.id]);
  });
});
