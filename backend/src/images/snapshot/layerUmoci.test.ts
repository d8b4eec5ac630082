import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeOciLayout, type LayerFile } from '../../../../testing/src/images/ociLayout.js';
import {
  buildBaseTree,
  changeTree,
  SCENARIO_LEFT_OUT,
  scenarioSettings,
} from '../../../../testing/src/images/snapshotScenario.js';
import { treeState } from '../../../../testing/src/images/treeState.js';
import { writeLayer } from './layerWriter.js';
import { skipRulesFor, streamSnapshotLayer, takeBaseline, type SnapshotSettings } from './snapshotAgent.js';
import { diffTrees } from './treeDiff.js';
import { scanTree } from './treeScanner.js';

/*
 * umoci, an image tool of its own, unpacks a base layer and the agent's layer on top: the result
 * must be the changed tree. The base layer is the agent's too (the diff of an empty baseline).
 */
const umoci = spawnSync('sh', ['-c', 'command -v umoci']).status === 0;

let dir: string;
let tree: string;
let settings: SnapshotSettings;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-snapshot-umoci-'));
  settings = scenarioSettings(dir);
  tree = settings.root;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('a snapshot layer unpacked by umoci', () => {
  it.skipIf(!umoci)('rebuilds the changed tree on top of the base', async () => {
    await buildBaseTree(tree);
    const baseFile = path.join(dir, 'base.tar.gz');
    const baseScan = await scanTree(tree, skipRulesFor(settings));
    const base = await writeLayer(diffTrees([], baseScan.entries), {
      root: tree,
      output: createWriteStream(baseFile),
    });
    await takeBaseline(settings);
    await changeTree(tree);
    const changesFile = path.join(dir, 'changes.tar.gz');
    const changes = await streamSnapshotLayer(settings, createWriteStream(changesFile));

    const layers: LayerFile[] = [
      { file: baseFile, ...base },
      { file: changesFile, ...changes },
    ];
    await writeOciLayout(path.join(dir, 'image'), 'saved', layers);
    const bundle = path.join(dir, 'bundle');
    const unpack = spawnSync('umoci', ['unpack', '--image', `${path.join(dir, 'image')}:saved`, bundle], {
      encoding: 'utf8',
    });
    expect(unpack.status, unpack.stderr).toBe(0);
    expect(await treeState(path.join(bundle, 'rootfs'), { skip: SCENARIO_LEFT_OUT })).toEqual(
      await treeState(tree, { skip: SCENARIO_LEFT_OUT }),
    );
  });
});
