import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildBaseTree, scenarioMountInfo } from '../../../../testing/src/images/snapshotScenario.js';
import { DEFAULT_EXCLUDES } from './skipRules.js';
import { previewSnapshotOf, takeBaseline, type SnapshotSettings } from './snapshotAgent.js';

let dir: string;
let tree: string;
let settings: SnapshotSettings;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-snapshot-preview-'));
  tree = path.join(dir, 'tree');
  settings = {
    root: tree,
    baselineFile: path.join(tree, 'var/lib/aiplat/baseline.gz'),
    excludes: DEFAULT_EXCLUDES,
    mountInfo: scenarioMountInfo(tree),
  };
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function put(relative: string, bytes: number): Promise<void> {
  await mkdir(path.dirname(path.join(tree, relative)), { recursive: true });
  await writeFile(path.join(tree, relative), Buffer.alloc(bytes, 1));
}

describe('previewSnapshotOf', () => {
  it('sums what a save would store, lists the largest directories and what is left out', async () => {
    await buildBaseTree(tree);
    await takeBaseline(settings);
    const packages = 'usr/local/lib/python3.11/dist-packages';
    await put(`${packages}/torch/lib/libtorch.so`, 60_000);
    await put(`${packages}/torch/include/a.h`, 20_000);
    await put(`${packages}/numpy/core.so`, 15_000);
    await put('root/.cache/pip/wheel.whl', 99_000);

    const preview = await previewSnapshotOf(settings, 3);
    // Added: root, usr/local and the 10 below it; modified: usr, and the agent's directory (its file was written).
    expect(preview).toMatchObject({ added: 12, modified: 2, deleted: 0, replaced: 0, bytes: 95_000, files: 3 });
    // /usr, /usr/local, ... each hold (nearly) all of it in one child: the listing starts where it splits.
    expect(preview.largestDirectories).toEqual([
      { path: `/${packages}`, bytes: 95_000, files: 3 },
      { path: `/${packages}/torch`, bytes: 80_000, files: 2 },
      { path: `/${packages}/torch/lib`, bytes: 60_000, files: 1 },
    ]);
    expect(preview.skipped.map(({ path: p, reason }) => `${p} ${reason}`)).toEqual([
      '/home/u/.cache exclude',
      '/mnt/vol mount',
      '/proc system',
      '/root/.cache exclude',
      '/var/lib/aiplat/baseline.gz agent',
    ]);
    expect(preview.excludes).toEqual(DEFAULT_EXCLUDES);
  });
});
