import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildBaseTree } from '../../../../testing/src/images/snapshotScenario.js';
import { readBaseline, writeBaseline } from './baselineFile.js';
import { SkipRules } from './skipRules.js';
import { scanTree } from './treeScanner.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-snapshot-baseline-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('baseline file', () => {
  it('reads back what was written: every entry, in order, with ns times', async () => {
    const tree = path.join(dir, 'tree');
    await buildBaseTree(tree);
    const scan = await scanTree(tree, new SkipRules({ root: tree, excludes: [{ pattern: '~/.cache' }] }));
    const file = path.join(dir, 'state', 'baseline.ndjson.gz');
    await writeBaseline(file, scan);
    expect(await readBaseline(file)).toEqual({ root: tree, entries: scan.entries, skipped: scan.skipped });
  });

  it('says how to make one when there is none', async () => {
    await expect(readBaseline(path.join(dir, 'missing.gz'))).rejects.toThrow(
      /no baseline at .*missing\.gz: the agent records one at the machine's first start/,
    );
  });

  it('refuses a file that is not a baseline', async () => {
    const notGzip = path.join(dir, 'text');
    await writeFile(notGzip, 'hello\n');
    await expect(readBaseline(notGzip)).rejects.toThrow(/is not a snapshot baseline/);
    const otherJson = path.join(dir, 'other.gz');
    await writeFile(otherJson, gzipSync('{"format":"something-else"}\n'));
    await expect(readBaseline(otherJson)).rejects.toThrow(/is not a snapshot baseline/);
  });

  it('refuses a baseline cut short', async () => {
    const tree = path.join(dir, 'tree');
    await buildBaseTree(tree);
    const file = path.join(dir, 'baseline.gz');
    await writeBaseline(file, await scanTree(tree, new SkipRules({ root: tree })));
    const lines = (await import('node:zlib'))
      .gunzipSync(await readFile(file))
      .toString()
      .split('\n');
    await writeFile(file, gzipSync(lines.slice(0, 5).join('\n')));
    await expect(readBaseline(file)).rejects.toThrow(/is cut short: 4 of \d+ entries/);
  });
});
