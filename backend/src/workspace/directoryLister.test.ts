import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type ListResponse, type WorkspaceEntry } from '@aiplat/api';
import { DirectoryLister, type ListRequest } from './directoryLister.js';
import { encodeCursor } from './listCursor.js';
import { UPLOAD_TEMP_PREFIX, type ReadStrategy } from './folderReader.js';
import { PathResolver } from './pathResolver.js';

let base: string;
let work: string;
let resolver: PathResolver;
const FILES = 57;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'aiplat-listing-'));
  work = path.join(base, 'work');
  const big = path.join(work, 'cache', 'big');
  await mkdir(big, { recursive: true });
  await mkdir(path.join(work, 'mount'), { recursive: true });
  for (let i = 0; i < FILES; i++) {
    const name = `f${String((i * 37) % FILES).padStart(3, '0')}.bin`;
    await writeFile(path.join(big, name), Buffer.alloc((i * 13) % 20));
    // Distinct mtimes, unrelated to names and sizes.
    const t = new Date(Date.UTC(2024, 0, 1) + ((i * 7) % FILES) * 1000);
    await utimes(path.join(big, name), t, t);
  }
  const mixed = path.join(work, 'cache', 'mixed');
  await mkdir(path.join(mixed, 'sub'), { recursive: true });
  await writeFile(path.join(mixed, 'B.txt'), 'b');
  await writeFile(path.join(mixed, 'a.txt'), 'aa');
  await writeFile(path.join(mixed, 'é.txt'), 'e');
  await writeFile(path.join(mixed, '😀.txt'), 'emoji');
  await writeFile(path.join(mixed, '\uff21.txt'), 'fullwidth A');
  await writeFile(path.join(mixed, `${UPLOAD_TEMP_PREFIX}123.part`), 'partial');
  await writeFile(path.join(base, 'outside.txt'), 'secret');
  await symlink(path.join(base, 'outside.txt'), path.join(mixed, 'escape'));
  await symlink('a.txt', path.join(mixed, 'link-to-a'));
  await symlink(path.join(base, 'nowhere'), path.join(mixed, 'dangling'));
  resolver = new PathResolver(work);
});
afterAll(() => rm(base, { recursive: true, force: true }));

async function listAll(
  lister: DirectoryLister,
  request: ListRequest,
  between?: (page: number) => Promise<void>,
): Promise<WorkspaceEntry[]> {
  const all: WorkspaceEntry[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const res: ListResponse = await lister.list('alice', { ...request, cursor });
    all.push(...res.entries);
    if (!res.nextCursor) return all;
    cursor = res.nextCursor;
    await between?.(page);
  }
  throw new Error('listing did not end');
}

function codeOf(e: unknown): string {
  return e instanceof ApiError ? `${e.code}:${e.issues?.map((i) => i.path).join(',') ?? ''}` : String(e);
}

describe.each<ReadStrategy>(['sliced-sync', 'async'])('DirectoryLister (%s)', (readStrategy) => {
  const lister = () => new DirectoryLister(resolver, { readStrategy });

  it('lists the three roots for the empty path', async () => {
    const res = await lister().list('alice', { path: '' });
    expect(res.path).toBe('');
    expect(res.total).toBe(3);
    expect(res.entries.map((e) => [e.name, e.path, e.type, e.writable])).toEqual([
      ['cache', 'cache', 'directory', true],
      ['home', 'home', 'directory', true],
      ['mount', 'mount', 'directory', false],
    ]);
    const paged = await listAll(lister(), { path: '', limit: 1, order: 'desc' });
    expect(paged.map((e) => e.name)).toEqual(['mount', 'home', 'cache']);
  });

  it('pages by name in code-unit order, with totals and a last page without a cursor', async () => {
    const l = lister();
    const first = await l.list('alice', { path: 'cache/big', limit: 5 });
    expect(first.total).toBe(FILES);
    expect(first.entries.map((e) => e.name)).toEqual(['f000.bin', 'f001.bin', 'f002.bin', 'f003.bin', 'f004.bin']);
    expect(first.entries[0]?.path).toBe('cache/big/f000.bin');
    const all = await listAll(l, { path: 'cache/big', limit: 5 });
    expect(all.map((e) => e.name)).toEqual(
      Array.from({ length: FILES }, (_, i) => `f${String(i).padStart(3, '0')}.bin`),
    );
    const desc = await listAll(l, { path: 'cache/big', limit: 7, order: 'desc' });
    expect(desc.map((e) => e.name)).toEqual(all.map((e) => e.name).reverse());
  });

  it('sorts by size and mtime both ways, ties broken by name', async () => {
    for (const sort of ['size', 'mtime'] as const) {
      const key = (e: WorkspaceEntry) => (sort === 'size' ? e.size : Date.parse(e.mtime));
      const asc = await listAll(lister(), { path: 'cache/big', sort, limit: 4 });
      expect(asc).toHaveLength(FILES);
      const expected = [...asc].sort((a, b) => key(a) - key(b) || (a.name < b.name ? -1 : 1));
      expect(asc.map((e) => e.name)).toEqual(expected.map((e) => e.name));
      const desc = await listAll(lister(), { path: 'cache/big', sort, order: 'desc', limit: 6 });
      expect(desc.map((e) => e.name)).toEqual(expected.map((e) => e.name).reverse());
    }
  });

  it('keeps pages stable when files are added and removed between pages', async () => {
    const dir = path.join(work, 'cache', `churn-${readStrategy}`);
    await mkdir(dir, { recursive: true });
    for (let i = 0; i < 20; i++) await writeFile(path.join(dir, `n${String(i * 2).padStart(2, '0')}`), '');
    const l = lister();
    const seen = await listAll(l, { path: `cache/churn-${readStrategy}`, limit: 4 }, async (page) => {
      // Before the second page: add a name on each side of the cursor and remove one already seen.
      if (page === 0) {
        await writeFile(path.join(dir, 'n01'), '');
        await writeFile(path.join(dir, 'n39'), '');
        await rm(path.join(dir, 'n00'));
      }
    });
    const names = seen.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    // Nothing seen twice, nothing skipped: n01 sorts before the cursor, n39 after it.
    expect(names).toEqual([
      'n00',
      'n02',
      'n04',
      'n06',
      ...Array.from({ length: 16 }, (_, i) => `n${String(i * 2 + 8).padStart(2, '0')}`),
      'n39',
    ]);
  });

  it('describes symlinks, orders names by code unit and hides uploads in flight', async () => {
    const res = await lister().list('alice', { path: 'cache/mixed' });
    expect(res.entries.map((e) => e.name)).toEqual([
      'B.txt',
      'a.txt',
      'dangling',
      'escape',
      'link-to-a',
      'sub',
      'é.txt',
      '😀.txt',
      '\uff21.txt',
    ]);
    const byName = Object.fromEntries(res.entries.map((e) => [e.name, e]));
    expect(byName['escape']).toMatchObject({ type: 'symlink', size: 0, linkResolves: false });
    expect(byName['dangling']).toMatchObject({ type: 'symlink', linkResolves: false });
    expect(byName['link-to-a']).toMatchObject({ type: 'file', size: 2, linkResolves: true });
    expect(byName['sub']).toMatchObject({ type: 'directory', writable: true });
    expect(res.total).toBe(9);
  });

  it('refuses malformed cursors with a 400 naming the cursor', async () => {
    const l = lister();
    const bad = [
      '!!!',
      'bm90IGpzb24',
      encodeCursor({ s: 'size', o: 'asc', n: 'x' }).slice(0, -3) + 'zzz',
      Buffer.from('[1]').toString('base64url'),
    ];
    for (const cursor of bad) {
      const e = await l.list('alice', { path: 'cache/big', cursor }).catch((x: unknown) => x);
      expect(codeOf(e)).toBe('bad_request:query.cursor');
    }
    const sizeCursor = encodeCursor({ s: 'size', o: 'asc', n: 'f001.bin', k: 3 });
    const e = await l.list('alice', { path: 'cache/big', cursor: sizeCursor, sort: 'name' }).catch((x: unknown) => x);
    expect(codeOf(e)).toBe('bad_request:query.cursor');
    expect((e as Error).message).toContain('sort=size');
  });

  it('refuses files, missing folders and links out of the root', async () => {
    expect(
      codeOf(
        await lister()
          .list('alice', { path: 'cache/mixed/a.txt' })
          .catch((x: unknown) => x),
      ),
    ).toMatch(/^bad_request/);
    expect(
      codeOf(
        await lister()
          .list('alice', { path: 'cache/none' })
          .catch((x: unknown) => x),
      ),
    ).toMatch(/^not_found/);
    expect(
      codeOf(
        await lister()
          .list('alice', { path: 'cache/mixed/escape' })
          .catch((x: unknown) => x),
      ),
    ).toMatch(/^path_outside_root/);
  });
});

describe('DirectoryLister cache', () => {
  it('sees new files at once (the folder mtime is part of the key) and expires after its TTL', async () => {
    let now = 0;
    const dir = path.join(work, 'cache', 'cached');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'a'), '1');
    const l = new DirectoryLister(resolver, { nowMs: () => now, cacheTtlMs: 1000 });
    expect((await l.list('alice', { path: 'cache/cached', sort: 'size' })).entries.map((e) => e.size)).toEqual([1]);
    await writeFile(path.join(dir, 'b'), '22');
    expect((await l.list('alice', { path: 'cache/cached', sort: 'size' })).total).toBe(2);
    // A size change does not touch the folder's mtime: served from cache until the TTL passes.
    await writeFile(path.join(dir, 'a'), '333');
    expect((await l.list('alice', { path: 'cache/cached', sort: 'size' })).entries.map((e) => e.name)).toEqual([
      'a',
      'b',
    ]);
    now += 1001;
    expect((await l.list('alice', { path: 'cache/cached', sort: 'size' })).entries.map((e) => e.name)).toEqual([
      'b',
      'a',
    ]);
  });

  it('serves a first page it kept only while the folder is unchanged, and only for what it holds', async () => {
    const dir = path.join(work, 'cache', 'first-page');
    await mkdir(dir, { recursive: true });
    for (const name of ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']) await writeFile(path.join(dir, name), name);
    const names = async (l: DirectoryLister, request: Omit<ListRequest, 'path'>) => {
      const res = await l.list('alice', { path: 'cache/first-page', ...request });
      return [res.entries.map((e) => e.name), res.total, res.nextCursor !== undefined];
    };
    const l = new DirectoryLister(resolver);
    expect(await names(l, { limit: 2 })).toEqual([['m1', 'm2'], 6, true]);
    expect(await names(l, { limit: 2 })).toEqual([['m1', 'm2'], 6, true]);
    // A name that sorts first and one removal change the folder: the kept page is not served.
    await writeFile(path.join(dir, 'a0'), 'a0');
    await rm(path.join(dir, 'm2'));
    expect(await names(l, { limit: 2 })).toEqual([['a0', 'm1'], 6, true]);
    // The other order, a smaller and a larger limit, and the next page, each as a new lister says.
    for (const request of [{ limit: 2, order: 'desc' as const }, { limit: 1 }, { limit: 4 }, { limit: 9 }]) {
      expect(await names(l, request)).toEqual(await names(new DirectoryLister(resolver), request));
    }
    const all = await listAll(l, { path: 'cache/first-page', limit: 2 });
    expect(all.map((e) => e.name)).toEqual(['a0', 'm1', 'm3', 'm4', 'm5', 'm6']);
  });

  it('evicts the least recently used folder', async () => {
    const l = new DirectoryLister(resolver, { cacheEntries: 1 });
    await l.list('alice', { path: 'cache/big' });
    await l.list('alice', { path: 'cache/mixed' });
    expect((await l.list('alice', { path: 'cache/big', limit: 1 })).total).toBe(FILES);
  });
});
