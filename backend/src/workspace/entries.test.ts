import { lstat, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEntry, lstatMany, toWorkspaceEntry } from './entries.js';

let base: string;
let root: string;

beforeAll(async () => {
  base = await realpath(await mkdtemp(path.join(os.tmpdir(), 'aiplat-entries-')));
  root = path.join(base, 'root');
  await mkdir(path.join(root, 'dir'), { recursive: true });
  await writeFile(path.join(root, 'file.txt'), 'hello');
  await writeFile(path.join(base, 'outside.txt'), 'outside content');
  await symlink('file.txt', path.join(root, 'to-file'));
  await symlink(path.join(root, 'dir'), path.join(root, 'to-dir'));
  await symlink(path.join(base, 'outside.txt'), path.join(root, 'escape'));
  await symlink(path.join(base, 'missing'), path.join(root, 'dangling'));
  await symlink('loop-b', path.join(root, 'loop-a'));
  await symlink('loop-a', path.join(root, 'loop-b'));
});
afterAll(() => rm(base, { recursive: true, force: true }));

async function describeName(name: string) {
  const abs = path.join(root, name);
  return describeEntry(abs, name, root, await lstat(abs));
}

describe('describeEntry', () => {
  it('describes files and folders from their own stats', async () => {
    expect(await describeName('file.txt')).toMatchObject({ type: 'file', size: 5 });
    const dir = await describeName('dir');
    expect(dir).toMatchObject({ type: 'directory', size: 0 });
    expect(dir.linkResolves).toBeUndefined();
  });

  it('reports the target of links that stay inside the root', async () => {
    expect(await describeName('to-file')).toMatchObject({ type: 'file', size: 5, linkResolves: true });
    expect(await describeName('to-dir')).toMatchObject({ type: 'directory', linkResolves: true });
  });

  it('never follows links that leave the root, dangle or loop', async () => {
    for (const name of ['escape', 'dangling', 'loop-a']) {
      expect(await describeName(name)).toMatchObject({ name, type: 'symlink', size: 0, linkResolves: false });
    }
  });

  it('turns an entry into the wire shape with an ISO time', async () => {
    const entry = toWorkspaceEntry({ name: 'a', type: 'file', size: 1, mtimeMs: 0 }, 'home/a', true);
    expect(entry).toEqual({
      name: 'a',
      path: 'home/a',
      type: 'file',
      size: 1,
      mtime: '1970-01-01T00:00:00.000Z',
      writable: true,
    });
  });
});

describe('lstatMany', () => {
  it('stats in order and gives undefined for entries that vanished', async () => {
    const stats = await lstatMany([path.join(root, 'file.txt'), path.join(root, 'nope'), path.join(root, 'escape')], 2);
    expect(stats[0]?.size).toBe(5);
    expect(stats[1]).toBeUndefined();
    expect(stats[2]?.isSymbolicLink()).toBe(true);
    expect(await lstatMany([])).toEqual([]);
  });
});
