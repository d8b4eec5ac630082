import { lstatSync, type Stats } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lstatMany } from './entries.js';
import { FolderReader, lstatSliced, UPLOAD_TEMP_PREFIX, type ReadStrategy } from './folderReader.js';

let dir: string;
const NAMES = Array.from({ length: 300 }, (_, i) => `f${String(i).padStart(3, '0')}`);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-folder-reader-'));
  for (const name of NAMES) await writeFile(path.join(dir, name), name);
  await mkdir(path.join(dir, 'sub'));
  await symlink('nowhere', path.join(dir, 'dangling'));
  await writeFile(path.join(dir, `${UPLOAD_TEMP_PREFIX}1.part`), 'partial');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.each<ReadStrategy>(['sliced-sync', 'async'])('FolderReader (%s)', (strategy) => {
  const expected = [...NAMES, 'dangling', 'sub'].sort();

  it('reads every name but the uploads in flight, as one array or one at a time', async () => {
    const reader = new FolderReader(strategy);
    const dirStats = lstatSync(dir);
    expect((await reader.read(dir, dirStats)).sort()).toEqual(expected);
    const visited: string[] = [];
    await reader.visit(dir, dirStats, (name) => visited.push(name));
    expect(visited.sort()).toEqual(expected);
  });

  it('lstat-s entries in order, undefined for the ones that are gone', async () => {
    const reader = new FolderReader(strategy);
    const paths = ['f000', 'gone', 'sub', 'dangling', 'f001/under-a-file'].map((n) => path.join(dir, n));
    const stats = await reader.lstat(dir, lstatSync(dir), paths);
    expect(
      stats.map((s) => (s === undefined ? 'gone' : s.isSymbolicLink() ? 'link' : s.isDirectory() ? 'dir' : s.size)),
    ).toEqual([4, 'gone', 'dir', 'link', 'gone']);
  });
});

describe('lstatSliced', () => {
  it('gives what lstatMany gives, also when slow slices hand the rest to the thread pool', async () => {
    const paths = [...NAMES, 'gone', 'sub', 'dangling'].map((n) => path.join(dir, n));
    const summary = (stats: (Stats | undefined)[]) =>
      stats.map((s) => (s === undefined ? 'gone' : `${s.ino}:${s.size}:${s.mode}`));
    const reference = summary(await lstatMany(paths, 8));
    expect(summary(await lstatSliced(paths, 8))).toEqual(reference);
    // A budget of -1 ms: every slice is "slow", so all but the first path go through lstatMany.
    expect(summary(await lstatSliced(paths, 8, -1))).toEqual(reference);
  });
});
