import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventFile } from '../../../testing/src/tensorboard/tfeventsWriter.js';
import { DEFAULT_LOG_DIR_LIMITS, LogDir, type LogDirUpdate } from './logDir.js';
import { spread } from './scalarService.js';

const FILE = 'events.out.tfevents.1700000000.host';
let root: string;

async function run(name: string, steps: number[]): Promise<void> {
  await mkdir(path.join(root, name), { recursive: true });
  await writeFile(path.join(root, name, FILE), eventFile(steps.map((step) => ({ tag: 'loss', step, value: step }))));
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'aiplat-logdir-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('LogDir', () => {
  it('finds runs breadth first within its limits, skipping hidden folders, and searches again only after a while', async () => {
    await run('b', [1]);
    await run('a/deep/er', [1]);
    await run('.ipynb_checkpoints', [1]);
    await run('c', [1]);
    let now = 0;
    const logDir = new LogDir(root, { ...DEFAULT_LOG_DIR_LIMITS, maxRuns: 2, searchEveryMs: 1000 }, () => now);
    await logDir.refresh();
    expect(logDir.runNames).toEqual(['b', 'c']);

    const wide = new LogDir(root, { ...DEFAULT_LOG_DIR_LIMITS, searchEveryMs: 1000 }, () => now);
    await wide.refresh();
    expect(wide.runNames).toEqual(['a/deep/er', 'b', 'c']);
    await run('d', [1]);
    now = 999;
    await wide.refresh();
    expect(wide.runNames).not.toContain('d');
    now = 1000;
    await wide.refresh();
    expect(wide.runNames).toContain('d');

    const shallow = new LogDir(root, { ...DEFAULT_LOG_DIR_LIMITS, maxDepth: 1 });
    await shallow.refresh();
    expect(shallow.runNames).toEqual(['b', 'c', 'd']);
  });

  it('tells every listener of new points once, whoever asked for the refresh', async () => {
    const dir = path.join(root, 'listened');
    await mkdir(dir);
    const logDir = new LogDir(dir);
    const heard: LogDirUpdate[] = [];
    const stop = logDir.listen((update) => heard.push(update));
    await writeFile(path.join(dir, FILE), eventFile([{ tag: 'loss', step: 1, value: 1 }]));
    await Promise.all([logDir.refresh(), logDir.refresh()]);
    await logDir.refresh();
    expect(heard.map((u) => u.runs.map((r) => [r.run, r.points.map((p) => p.step)]))).toEqual([[['.', [1]]]]);
    stop();
    expect(logDir.listenerCount).toBe(0);
  });
});

describe('spread', () => {
  it('keeps at most max points spread evenly, the first and last among them', () => {
    const points = Array.from({ length: 101 }, (_, i) => i);
    expect(spread(points, 5)).toEqual([0, 25, 50, 75, 100]);
    expect(spread(points, 200)).toEqual(points);
    expect(spread([1, 2, 3], 2)).toEqual([1, 3]);
  });
});
