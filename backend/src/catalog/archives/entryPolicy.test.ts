import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExtractBudget } from './budget.js';
import { fileModeFor, safeEntryPath } from './entryPolicy.js';
import { ArchiveRefused } from './refusal.js';
import { TargetWriter } from './targetWriter.js';

describe('safeEntryPath', () => {
  it('normalizes names that stay inside the target', () => {
    expect(safeEntryPath('./a/b/../c.txt')).toBe('a/c.txt');
    expect(safeEntryPath('a//b/')).toBe('a/b');
    expect(safeEntryPath('dir\\file.txt')).toBe('dir/file.txt');
    expect(safeEntryPath('./')).toBe('');
    expect(safeEntryPath('..data/x')).toBe('..data/x');
  });

  it.each([
    ['../x', /goes up with \.\./],
    ['a/../../x', /goes up/],
    ['a\\..\\..\\x', /goes up/],
    ['/etc/x', /absolute path/],
    ['C:\\x', /absolute path/],
    ['c:x', /absolute path/],
    ['\\\\server\\share', /absolute path/],
    ['a\0b', /NUL byte/],
    ['', /empty name/],
  ])('refuses %j, naming it', (name, message) => {
    let error: unknown;
    try {
      safeEntryPath(name);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ArchiveRefused);
    expect((error as ArchiveRefused).entry).toBe(name);
    expect((error as Error).message).toMatch(message);
  });

  it('gives files 0644 or 0755 only', () => {
    expect(fileModeFor(0o4777)).toBe(0o755);
    expect(fileModeFor(0o100)).toBe(0o755);
    expect(fileModeFor(0o666)).toBe(0o644);
    expect(fileModeFor(undefined)).toBe(0o644);
  });
});

describe('TargetWriter', () => {
  it('does not write through a symlink already in the target', async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'aiplat-writer-'));
    try {
      const outside = path.join(work, 'outside.txt');
      await writeFile(outside, 'untouched');
      const root = path.join(work, 'root');
      await mkdir(root);
      await symlink(outside, path.join(root, 'planted'));
      const budget = new ExtractBudget({ maxBytes: 1e6, maxEntries: 10, maxRatio: 10 }, 1e6, undefined, undefined);
      const writer = new TargetWriter(root, budget);
      async function* data() {
        yield Buffer.from('overwritten');
      }
      await writer.file({ name: 'planted', relative: 'planted', mode: 0o644, data: data() });
      await expect(writer.finish()).rejects.toMatchObject({ code: 'EEXIST' });
      expect(await readFile(outside, 'utf8')).toBe('untouched');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
