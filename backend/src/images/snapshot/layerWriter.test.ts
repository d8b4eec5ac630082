import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyLayer } from '../../../../testing/src/images/applyLayer.js';
import { readLayerTar } from '../../../../testing/src/images/layerTar.js';
import {
  buildBaseTree,
  changeTree,
  LONG_NAME,
  SCENARIO_LEFT_OUT,
  scenarioSettings,
} from '../../../../testing/src/images/snapshotScenario.js';
import { treeState } from '../../../../testing/src/images/treeState.js';
import { plannedTotals, writeLayer, type LayerProgress } from './layerWriter.js';
import { computeSnapshotDiff, takeBaseline, type SnapshotSettings } from './snapshotAgent.js';

let dir: string;
let tree: string;
let settings: SnapshotSettings;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-snapshot-layer-'));
  settings = scenarioSettings(dir);
  tree = settings.root;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A Writable that keeps what it is given, for a test's small layers. */
function collector(): { output: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { output, bytes: () => Buffer.concat(chunks) };
}

async function layerOfChanges(onProgress?: (progress: LayerProgress) => void) {
  const { root, diff } = await computeSnapshotDiff(settings);
  const { output, bytes } = collector();
  const result = await writeLayer(diff, { root, output, ...(onProgress ? { onProgress } : {}) });
  return { result, gzipped: bytes(), diff };
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

describe('writeLayer', () => {
  it('gives a layer that turns a copy of the base into the changed tree', async () => {
    await buildBaseTree(tree);
    await takeBaseline(settings);
    const copy = path.join(dir, 'copy');
    expect(spawnSync('cp', ['-a', tree, copy]).status).toBe(0);
    await changeTree(tree);

    const progress: LayerProgress[] = [];
    const { result, gzipped, diff } = await layerOfChanges((p) => progress.push(p));
    // The plan said what the layer came to hold (hard links' content once).
    expect(plannedTotals(diff)).toEqual({ bytes: result.bytes, files: result.files });
    expect(result.digest).toBe(sha256(gzipped));
    expect(result.diffId).toBe(sha256(gunzipSync(gzipped)));
    expect(result.size).toBe(gzipped.length);
    expect(progress.at(-1)).toEqual({ bytes: result.bytes, files: result.files });

    const entries = readLayerTar(gzipped);
    const byName = new Map(entries.map((entry) => [entry.name, entry]));
    const names = entries.map((entry) => entry.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'data/.wh.deleteme',
        'usr/lib/.wh.old',
        'opt/app/.wh..wh..opq',
        'var/.wh.dirtofile',
        'var/filetodir/.wh..wh..opq',
      ]),
    );
    expect(
      names.filter((name) => name.startsWith('usr/lib/old/') || name.includes('.cache') || name.startsWith('proc')),
    ).toEqual([]);
    expect(names.indexOf('opt/app')).toBe(names.indexOf('opt/app/.wh..wh..opq') - 1);
    expect(byName.get('etc/chownme')).toMatchObject({ uid: 1234, gid: 5678, type: 'file' });
    expect(byName.get('etc/chmodme')).toMatchObject({ mode: 0o600 });
    expect(byName.get('new/setuid-tool')).toMatchObject({ mode: 0o4755 });
    expect(byName.get('new/no-permissions')).toMatchObject({ mode: 0, content: Buffer.from('secret') });
    expect(byName.get('new/h2')).toMatchObject({ type: 'link', linkname: 'new/h1' });
    expect(byName.get('new/keep-link')).toMatchObject({ type: 'link', linkname: 'etc/keep' });
    expect(byName.get('var/filetolink')).toMatchObject({ type: 'symlink', linkname: '../etc/config' });
    expect(byName.get('new/absolute-link')).toMatchObject({ type: 'symlink', linkname: '/etc/config' });
    expect(byName.get(LONG_NAME)?.pax.path).toBe(LONG_NAME);
    expect(byName.get('etc/config')?.content.toString()).toBe('setting=2\nmore=yes\n');

    // GNU tar, an independent reader, takes it too.
    const tarFile = path.join(dir, 'layer.tar.gz');
    await writeFile(tarFile, gzipped);
    expect(spawnSync('tar', ['-tzf', tarFile]).status).toBe(0);

    await applyLayer(entries, copy);
    expect(await treeState(copy, { skip: SCENARIO_LEFT_OUT })).toEqual(
      await treeState(tree, { skip: SCENARIO_LEFT_OUT }),
    );
  });

  it('hides a deleted file with a .wh. entry, and nothing else', async () => {
    await writeFile(path.join(dir, 'placeholder'), '');
    await buildBaseTree(tree);
    await takeBaseline(settings);
    await rm(path.join(tree, 'usr/lib/stays'));
    const { gzipped } = await layerOfChanges();
    expect(readLayerTar(gzipped).map((entry) => `${entry.type} ${entry.name}`)).toEqual([
      'directory usr',
      'directory usr/lib',
      'file usr/lib/.wh.stays',
    ]);
  });

  it('writes a whiteout for a changed file removed while saving', async () => {
    await buildBaseTree(tree);
    await takeBaseline(settings);
    await writeFile(path.join(tree, 'etc/config'), 'changed');
    const { root, diff } = await computeSnapshotDiff(settings);
    await rm(path.join(tree, 'etc/config'));
    const { output, bytes } = collector();
    await writeLayer(diff, { root, output });
    expect(readLayerTar(bytes()).map((entry) => entry.name)).toEqual(['etc', 'etc/.wh.config']);
  });

  it('stops with the path named when one changes type while saving', async () => {
    await buildBaseTree(tree);
    await takeBaseline(settings);
    const notes = path.join(tree, 'home/u/notes');
    await writeFile(notes, 'more notes');
    const { root, diff } = await computeSnapshotDiff(settings);
    const { output } = collector();
    // After home and home/u are written, and before notes is looked at again.
    const onProgress = ({ files }: LayerProgress) => {
      if (files === 2) {
        rmSync(notes);
        mkdirSync(notes);
      }
    };
    await expect(writeLayer(diff, { root, output, onProgress })).rejects.toThrow(
      '/home/u/notes changed from a file to a dir while saving: save again',
    );
  });

  it('stores random bytes rather than deflate them, at the level it writes layers with', async () => {
    await buildBaseTree(tree);
    await takeBaseline(settings);
    const random = randomBytes(2 << 20);
    await writeFile(path.join(tree, 'weights.bin'), random);
    const { result, gzipped } = await layerOfChanges();
    // gzip's XFL byte: 4 where zlib wrote at level 0 or 1 (stored), 0 where it deflated at level 6.
    expect(gzipped[8]).toBe(4);
    expect(result.size).toBeLessThan(random.length * 1.001);
    expect(gunzipSync(gzipped).includes(random.subarray(0, 4096))).toBe(true);
  });

  it('reports progress within a large file', async () => {
    await buildBaseTree(tree);
    await takeBaseline(settings);
    await writeFile(path.join(tree, 'big.bin'), Buffer.alloc(3 << 20, 7));
    const progress: LayerProgress[] = [];
    const { result } = await layerOfChanges((p) => progress.push(p));
    expect(progress).toEqual([
      { bytes: 1 << 20, files: 0 },
      { bytes: 2 << 20, files: 0 },
      { bytes: 3 << 20, files: 0 },
      { bytes: 3 << 20, files: 1 },
    ]);
    expect(result).toMatchObject({ bytes: 3 << 20, files: 1 });
  });

  it('is an empty tar when nothing changed', async () => {
    await buildBaseTree(tree);
    await takeBaseline(settings);
    const { result, gzipped } = await layerOfChanges();
    expect(readLayerTar(gzipped)).toEqual([]);
    expect(gunzipSync(gzipped).length).toBe(1024);
    expect(result).toMatchObject({ files: 0, bytes: 0 });
  });
});
