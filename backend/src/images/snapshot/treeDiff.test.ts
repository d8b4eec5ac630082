import { chmod, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildBaseTree,
  changeTree,
  LONG_NAME,
  scenarioMountInfo,
} from '../../../../testing/src/images/snapshotScenario.js';
import { parseMountInfo } from './mountInfo.js';
import { SkipRules } from './skipRules.js';
import { diffTrees, type DiffItem } from './treeDiff.js';
import { scanTree } from './treeScanner.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'aiplat-snapshot-diff-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

const rulesFor = (tree: string) =>
  new SkipRules({
    root: tree,
    mountPoints: parseMountInfo(scenarioMountInfo(tree)),
    excludes: [{ pattern: '~/.cache' }],
  });

/** Each item as one line: `write opt/app replaced`, `whiteout usr/lib/old`, `opaque opt/app`. */
function describeItems(items: DiffItem[]): string[] {
  return items.map((item) =>
    item.op === 'write'
      ? `write ${item.entry.path} ${item.why}`
      : item.op === 'whiteout'
        ? `whiteout ${item.path}`
        : `opaque ${item.dir}`,
  );
}

async function diffAfter(change: (tree: string) => Promise<void>) {
  const rules = rulesFor(root);
  const before = await scanTree(root, rules);
  await change(root);
  const after = await scanTree(root, rules);
  return { after, diff: diffTrees(before.entries, after.entries, { isSkipped: (p) => rules.covers(p) }) };
}

describe('scanTree', () => {
  it('lists the tree in order and says what it left out and why', async () => {
    await buildBaseTree(root);
    const scan = await scanTree(root, rulesFor(root));
    const paths = scan.entries.map((entry) => entry.path);
    expect(paths.slice(0, 4)).toEqual(['data', 'data/deleteme', 'etc', 'etc/chmodme']);
    expect(paths).toContain('home/u/notes');
    expect(paths.some((p) => p.startsWith('proc') || p.startsWith('mnt/vol') || p.includes('.cache'))).toBe(false);
    expect(scan.skipped).toEqual([
      { path: '/home/u/.cache', reason: 'exclude', detail: '~/.cache' },
      { path: '/mnt/vol', reason: 'mount', detail: 'ext4 mount' },
      { path: '/proc', reason: 'system', detail: 'filled at each start by the kernel or the runtime' },
    ]);
    const config = scan.entries.find((entry) => entry.path === 'etc/config');
    expect(config).toMatchObject({ type: 'file', mode: 0o644, size: 10, uid: 0 });
    expect(config?.mtimeNs).toBeTypeOf('bigint');
  });
});

describe('diffTrees', () => {
  it('turns every kind of change into layer items', async () => {
    await buildBaseTree(root);
    const { diff } = await diffAfter(changeTree);
    const items = describeItems(diff.items);

    // Content, mode and owner changes are writes; an unchanged file is not in the layer.
    expect(items).toContain('write etc/config modified');
    expect(items).toContain('write etc/chmodme modified');
    expect(items).toContain('write etc/chownme modified');
    expect(items.filter((item) => item.includes('usr/lib/stays'))).toEqual([]);
    // A deleted file is a whiteout; a deleted directory one whiteout, nothing for what was in it.
    expect(items).toContain('whiteout data/deleteme');
    expect(items).toContain('whiteout usr/lib/old');
    expect(items.filter((item) => item.includes('usr/lib/old/'))).toEqual([]);
    // A replaced directory: written, opaque, then all it holds (a file of the same name is a new inode).
    const app = items.filter((item) => item.includes('opt/app'));
    expect(app).toEqual([
      'write opt/app replaced',
      'opaque opt/app',
      'write opt/app/a modified',
      'write opt/app/c added',
    ]);
    // Directory to file: the old directory hidden, then the file. File to directory: opaque.
    const varItems = items.filter((item) => item.includes('var/'));
    expect(varItems).toEqual([
      'whiteout var/dirtofile',
      'write var/dirtofile replaced',
      'write var/filetodir replaced',
      'opaque var/filetodir',
      'write var/filetodir/inside added',
      'write var/filetolink replaced',
    ]);
    // Hard links: the new pair, and the old file whose link count (so ctime) changed.
    expect(items).toEqual(
      expect.arrayContaining(['write new/h1 added', 'write new/h2 added', 'write etc/keep modified']),
    );
    expect(items).toContain(`write ${LONG_NAME} added`);
    // Left out: the system directory, the mount point, the excluded cache — no writes, no whiteouts.
    expect(items.filter((item) => /proc|mnt\/vol|\.cache/.test(item))).toEqual([]);
    // Directories whose content changed (data, opt, usr/lib, var) count as modified: their mtime did.
    expect(diff.counts).toEqual({ added: 12, modified: 9, replaced: 4, deleted: 2 });
  });

  it('writes the parents of what changed, each before what it holds', async () => {
    await buildBaseTree(root);
    const { diff } = await diffAfter(async (tree) => writeFile(path.join(tree, 'usr/lib/stays'), 'changed'));
    expect(describeItems(diff.items)).toEqual([
      'write usr parent',
      'write usr/lib parent',
      'write usr/lib/stays modified',
    ]);
  });

  it('sees a file whose mtime was set back', async () => {
    await buildBaseTree(root);
    const file = path.join(root, 'etc/keep');
    await utimes(file, 1_600_000_000, 1_600_000_000);
    const { diff } = await diffAfter(async () => {
      await writeFile(file, 'CHANGED!!\n');
      await utimes(file, 1_600_000_000, 1_600_000_000);
    });
    expect(describeItems(diff.items)).toContain('write etc/keep modified');
  });

  it('finds nothing when nothing changed', async () => {
    await buildBaseTree(root);
    const { diff } = await diffAfter(async () => {});
    expect(diff.items).toEqual([]);
  });

  it('does not delete what an exclude added since the baseline hides', async () => {
    await buildBaseTree(root);
    const before = await scanTree(root, rulesFor(root));
    await chmod(path.join(root, 'etc/config'), 0o600);
    const rules = new SkipRules({ root, excludes: [{ pattern: '/usr/lib' }, { pattern: '~/.cache' }] });
    const after = await scanTree(root, rules);
    const diff = diffTrees(before.entries, after.entries, { isSkipped: (p) => rules.covers(p) });
    expect(describeItems(diff.items).filter((item) => item.startsWith('whiteout'))).toEqual([]);
  });
});
