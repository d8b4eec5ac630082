import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderWatchers, type FolderChange } from './folderWatchers.js';

let dir: string;
let watchers: FolderWatchers;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-watch-'));
  watchers = new FolderWatchers({ debounceMs: 20, maxFolders: 4 });
});
afterEach(async () => {
  await watchers.close();
  await rm(dir, { recursive: true, force: true });
});

describe('FolderWatchers', () => {
  it('sees a change made the moment watch resolves, even in a folder whose first scan takes a while', async () => {
    // Thousands of entries make the watcher's first scan slow enough that an early write would fall in it.
    await Promise.all(Array.from({ length: 3000 }, (_, i) => writeFile(path.join(dir, `old-${i}.txt`), '')));
    const batches: FolderChange[][] = [];
    const seen = new Promise<void>((resolve) => {
      void watchers.watch(dir, (changes) => {
        batches.push(changes);
        resolve();
      });
    });
    // The second listener shares the watcher: its promise resolves once the folder is read too.
    const dispose = await watchers.watch(dir, () => undefined);
    await writeFile(path.join(dir, 'new.txt'), 'x');
    await Promise.race([seen, new Promise((r) => setTimeout(r, 5_000))]);
    expect(batches.flat()).toEqual([{ name: 'new.txt', change: 'created' }]);
    dispose();
    expect(watchers.watchedCount).toBe(1);
  });
});
