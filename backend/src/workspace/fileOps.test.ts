import { lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '@aiplat/api';
import { FileOps } from './fileOps.js';
import { PathResolver } from './pathResolver.js';

let base: string;
let work: string;
let home: string;
let ops: FileOps;

beforeEach(async () => {
  if (base) await rm(base, { recursive: true, force: true });
  base = await mkdtemp(path.join(os.tmpdir(), 'aiplat-fileops-'));
  work = path.join(base, 'work');
  home = path.join(work, 'home', 'alice');
  await mkdir(path.join(home, 'docs', 'deep'), { recursive: true });
  await mkdir(path.join(work, 'mount', 'ro'), { recursive: true });
  await mkdir(path.join(work, 'cache'), { recursive: true });
  await writeFile(path.join(home, 'docs', 'a.txt'), 'aaa');
  await writeFile(path.join(home, 'docs', 'deep', 'b.txt'), 'b');
  await writeFile(path.join(work, 'mount', 'ro', 'data.csv'), 'x,y');
  await writeFile(path.join(base, 'outside.txt'), 'outside');
  await symlink(path.join(base, 'outside.txt'), path.join(home, 'escape'));
  await symlink('docs', path.join(home, 'docs-link'));
  ops = new FileOps(new PathResolver(work));
});
afterAll(() => rm(base, { recursive: true, force: true }));

async function fails(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof ApiError ? `${e.status} ${e.code}` : `raw ${String(e)}`;
  }
}
const exists = (p: string) =>
  lstat(p).then(
    () => true,
    () => false,
  );

describe('FileOps.stat', () => {
  it('describes files, folders, roots and links inside the root', async () => {
    expect(await ops.stat('alice', 'home/docs/a.txt')).toMatchObject({
      name: 'a.txt',
      path: 'home/docs/a.txt',
      type: 'file',
      size: 3,
      writable: true,
    });
    expect(await ops.stat('alice', 'home')).toMatchObject({ name: 'home', type: 'directory' });
    expect(await ops.stat('alice', 'mount/ro/data.csv')).toMatchObject({ writable: false });
    expect(await ops.stat('alice', 'home/docs-link')).toMatchObject({ type: 'directory', linkResolves: true });
  });
  it('refuses links out of the root and missing paths', async () => {
    expect(await fails(ops.stat('alice', 'home/escape'))).toBe('403 path_outside_root');
    expect(await fails(ops.stat('alice', 'home/nope'))).toBe('404 not_found');
  });
});

describe('FileOps.mkdir', () => {
  it('creates a folder, with parents only when asked', async () => {
    expect(await ops.mkdir('alice', 'home/new', false)).toMatchObject({ type: 'directory', path: 'home/new' });
    expect(await fails(ops.mkdir('alice', 'home/x/y/z', false))).toBe('404 not_found');
    expect(await exists(path.join(home, 'x'))).toBe(false);
    expect(await ops.mkdir('alice', 'home/x/y/z', true)).toMatchObject({ path: 'home/x/y/z' });
    expect(await ops.mkdir('alice', 'home/x/y/z', true)).toMatchObject({ path: 'home/x/y/z' });
  });
  it('refuses existing paths, files on the way and mount', async () => {
    expect(await fails(ops.mkdir('alice', 'home/docs', false))).toBe('409 conflict');
    expect(await fails(ops.mkdir('alice', 'home/docs/a.txt', true))).toBe('409 conflict');
    expect(await fails(ops.mkdir('alice', 'home/docs/a.txt/sub', true))).toBe('400 bad_request');
    expect(await fails(ops.mkdir('alice', 'mount/ro/new', true))).toBe('403 read_only');
    expect(await fails(ops.mkdir('alice', 'home/escape', true))).toBe('403 path_outside_root');
  });
});

describe('FileOps.rename', () => {
  it('renames and moves between writable roots', async () => {
    expect(await ops.rename('alice', 'home/docs/a.txt', 'home/docs/c.txt', false)).toMatchObject({
      path: 'home/docs/c.txt',
      size: 3,
    });
    expect(await ops.rename('alice', 'home/docs/c.txt', 'cache/c.txt', false)).toMatchObject({ path: 'cache/c.txt' });
    expect(await readFile(path.join(work, 'cache', 'c.txt'), 'utf8')).toBe('aaa');
    expect(await ops.rename('alice', 'home/docs', 'home/moved', false)).toMatchObject({ type: 'directory' });
    expect(await exists(path.join(home, 'moved', 'deep', 'b.txt'))).toBe(true);
  });
  it('answers 409 when the target exists unless overwrite, and replaces it with overwrite', async () => {
    await writeFile(path.join(home, 'other.txt'), 'other');
    expect(await fails(ops.rename('alice', 'home/docs/a.txt', 'home/other.txt', false))).toBe('409 conflict');
    expect(await readFile(path.join(home, 'other.txt'), 'utf8')).toBe('other');
    await ops.rename('alice', 'home/docs/a.txt', 'home/other.txt', true);
    expect(await readFile(path.join(home, 'other.txt'), 'utf8')).toBe('aaa');
    expect(await fails(ops.rename('alice', 'home/other.txt', 'home/docs', true))).toBe('409 conflict');
  });
  it('refuses moving a folder into itself, roots, missing parents and mount', async () => {
    expect(await fails(ops.rename('alice', 'home/docs', 'home/docs/deep/docs', false))).toBe('400 bad_request');
    expect(await fails(ops.rename('alice', 'home/docs', 'home/docs-link/inside', false))).toBe('400 bad_request');
    expect(await fails(ops.rename('alice', 'home', 'cache/home', false))).toBe('400 bad_request');
    expect(await fails(ops.rename('alice', 'home/docs', 'cache', true))).toBe('400 bad_request');
    expect(await fails(ops.rename('alice', 'home/docs/a.txt', 'home/none/a.txt', false))).toBe('404 not_found');
    expect(await fails(ops.rename('alice', 'mount/ro/data.csv', 'home/data.csv', false))).toBe('403 read_only');
    expect(await fails(ops.rename('alice', 'home/docs/a.txt', 'mount/ro/a.txt', false))).toBe('403 read_only');
    expect(await exists(path.join(home, 'docs', 'a.txt'))).toBe(true);
    expect(await exists(path.join(work, 'mount', 'ro', 'data.csv'))).toBe(true);
  });
  it('moves a symlink as a link, leaving its target alone', async () => {
    await ops.rename('alice', 'home/escape', 'home/escape2', false);
    expect(await readlink(path.join(home, 'escape2'))).toBe(path.join(base, 'outside.txt'));
    expect(await readFile(path.join(base, 'outside.txt'), 'utf8')).toBe('outside');
  });
});

describe('FileOps.delete', () => {
  it('deletes files, and folders only when recursive', async () => {
    expect(await ops.delete('alice', 'home/docs/a.txt', false)).toEqual({ deleted: 'home/docs/a.txt' });
    const refused = await ops.delete('alice', 'home/docs', false).catch((e: unknown) => e as ApiError);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(409);
    expect((refused as ApiError).message).toContain('recursive=true');
    expect(await ops.delete('alice', 'home/docs', true)).toEqual({ deleted: 'home/docs' });
    expect(await exists(path.join(home, 'docs'))).toBe(false);
  });
  it('deletes a symlink as a link, its target untouched (files and folders alike)', async () => {
    await ops.delete('alice', 'home/escape', false);
    await ops.delete('alice', 'home/docs-link', true);
    expect(await exists(path.join(home, 'escape'))).toBe(false);
    expect(await readFile(path.join(base, 'outside.txt'), 'utf8')).toBe('outside');
    expect(await exists(path.join(home, 'docs', 'deep', 'b.txt'))).toBe(true);
  });
  it('refuses roots, missing paths and mount', async () => {
    for (const root of ['home', 'cache']) expect(await fails(ops.delete('alice', root, true))).toBe('400 bad_request');
    expect(await fails(ops.delete('alice', 'mount', true))).toBe('403 read_only');
    expect(await fails(ops.delete('alice', 'mount/ro/data.csv', false))).toBe('403 read_only');
    expect(await fails(ops.delete('alice', 'home/none', false))).toBe('404 not_found');
    expect(await exists(path.join(work, 'mount', 'ro', 'data.csv'))).toBe(true);
  });
});
