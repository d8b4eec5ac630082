/**
 * Publish benchmark (`npm run bench:publish`, also in `npm run bench`): a dataset folder of 10,000
 * files in 100 folders published as a version by the catalog's `linkTree` (reflinks where the file
 * system clones, else hard links made read-only), against the reference `cp -al` of the same folder,
 * in the same run, alternating, 5 runs each. Target: median linkTree / median cp -al ≤ 2.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { linkTree } from '@aiplat/backend/catalog/treeCopy.js';
import { median } from './stats.js';

const FOLDERS = 100;
const FILES_PER_FOLDER = 100;
const RUNS = 5;
const TARGET_RATIO = 2;

function createDataset(root: string): void {
  const content = Buffer.alloc(2048, 97);
  for (let d = 0; d < FOLDERS; d++) {
    const folder = path.join(root, `shard-${d}`);
    mkdirSync(folder, { recursive: true });
    for (let f = 0; f < FILES_PER_FOLDER; f++) {
      writeFileSync(path.join(folder, `part-${f}.jsonl`), content.subarray(0, (d * 31 + f * 17) % 2048));
    }
  }
}

/** Both tools start from files with write bits (linkTree clears them on its first publish). */
function restoreWriteBits(root: string): void {
  for (const folder of readdirSync(root)) {
    for (const file of readdirSync(path.join(root, folder))) chmodSync(path.join(root, folder, file), 0o644);
  }
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'aiplat-bench-publish-'));
  try {
    const source = path.join(base, 'dataset');
    createDataset(source);
    const ours: number[] = [];
    const reference: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      restoreWriteBits(source);
      let start = performance.now();
      const copied = spawnSync('cp', ['-al', source, path.join(base, `cp-${run}`)]);
      reference.push(performance.now() - start);
      if (copied.status !== 0) throw new Error(`cp -al failed: ${copied.stderr.toString()}`);
      restoreWriteBits(source);
      start = performance.now();
      const counts = await linkTree(source, path.join(base, `v${run}`));
      ours.push(performance.now() - start);
      if (counts.files !== FOLDERS * FILES_PER_FOLDER) throw new Error(`published ${counts.files} files`);
    }
    const ratio = median(ours) / median(reference);
    console.log(
      `publish ${FOLDERS * FILES_PER_FOLDER} files: linkTree median ${median(ours).toFixed(1)} ms, ` +
        `cp -al median ${median(reference).toFixed(1)} ms, ratio ${ratio.toFixed(2)}× (target ≤ ${TARGET_RATIO}×)`,
    );
    if (ratio > TARGET_RATIO) process.exitCode = 1;
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

await main();
