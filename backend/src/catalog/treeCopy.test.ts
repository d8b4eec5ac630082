import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyTree, linkTree, measureTree } from './treeCopy.js';
import { mergeInto } from './treeMoves.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tree-copy-'));
  await mkdir(path.join(dir, 'src/sub'), { recursive: true });
  await writeFile(path.join(dir, 'src/a.txt'), 'aaa');
  await writeFile(path.join(dir, 'src/sub/b.txt'), 'bbbb', { mode: 0o755 });
  await symlink('/etc/passwd', path.join(dir, 'src/link'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('linkTree', () => {
  it('links every file (same inode), protects it read-only on both sides and skips symlinks', async () => {
    const counts = await linkTree(path.join(dir, 'src'), path.join(dir, 'v1'));
    expect(counts).toMatchObject({ files: 2, bytes: 7, linkedBytes: 7, skipped: ['link'] });
    const [src, dest] = await Promise.all([
      stat(path.join(dir, 'src/sub/b.txt')),
      stat(path.join(dir, 'v1/sub/b.txt')),
    ]);
    expect(dest.ino).toBe(src.ino);
    expect(dest.mode & 0o777).toBe(0o555);
    expect(existsSync(path.join(dir, 'v1/link'))).toBe(false);
  });

  it('a second version links the files the first has, and a replaced file gets its own inode', async () => {
    await linkTree(path.join(dir, 'src'), path.join(dir, 'v1'));
    const fresh = path.join(dir, 'fresh');
    await mkdir(fresh);
    await writeFile(path.join(fresh, 'a.txt'), 'changed');
    await mergeInto(fresh, path.join(dir, 'src'));
    await linkTree(path.join(dir, 'src'), path.join(dir, 'v2'));
    expect((await stat(path.join(dir, 'v2/sub/b.txt'))).ino).toBe((await stat(path.join(dir, 'v1/sub/b.txt'))).ino);
    expect(await readFile(path.join(dir, 'v1/a.txt'), 'utf8')).toBe('aaa');
    expect(await readFile(path.join(dir, 'v2/a.txt'), 'utf8')).toBe('changed');
  });

  it('copies across file systems, where no link can be made', async () => {
    if (!existsSync('/dev/shm')) return;
    const other = await mkdtemp('/dev/shm/tree-copy-');
    try {
      const counts = await linkTree(path.join(dir, 'src'), path.join(other, 'v1'));
      expect(counts).toMatchObject({ files: 2, linkedBytes: 0 });
      expect((await stat(path.join(other, 'v1/a.txt'))).mode & 0o222).toBe(0);
      expect((await stat(path.join(dir, 'src/a.txt'))).mode & 0o200).toBe(0o200);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});

describe('copyTree and mergeInto', () => {
  it('copies with progress and measures what it copied', async () => {
    const seen: number[] = [];
    const counts = await copyTree(path.join(dir, 'src'), path.join(dir, 'copy'), {
      readOnly: true,
      onProgress: (p) => seen.push(p.bytes),
    });
    expect(counts).toMatchObject({ files: 2, bytes: 7 });
    expect(seen.at(-1)).toBe(7);
    expect((await stat(path.join(dir, 'copy/a.txt'))).ino).not.toBe((await stat(path.join(dir, 'src/a.txt'))).ino);
    expect(await measureTree(path.join(dir, 'copy'))).toEqual({ files: 2, bytes: 7 });
  });

  it('refuses a file where the target has a folder, moving nothing', async () => {
    const incoming = path.join(dir, 'incoming');
    await mkdir(incoming);
    await writeFile(path.join(incoming, 'sub'), 'a file named like the folder');
    await writeFile(path.join(incoming, 'new.txt'), 'n');
    await expect(mergeInto(incoming, path.join(dir, 'src'))).rejects.toThrow(/"sub"/);
    expect(existsSync(path.join(dir, 'src/new.txt'))).toBe(false);
  });
});
