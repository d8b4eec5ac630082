import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobProgress } from '@aiplat/api';
import { encodeLogLine } from '../logs/logFormat.js';
import { ProgressWatcher } from './progressWatcher.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
let dir: string;

/** Log lines `seq` from..to of one instance: every other one a "step n/30" line, the rest chatter. */
function lines(from: number, to: number): string {
  let text = '';
  for (let seq = from; seq <= to; seq++) {
    const m = seq % 2 === 0 ? `step ${seq / 2}/30 loss 0.5` : `chatter ${seq}`;
    text += encodeLogLine({ t: new Date(T0 + seq * 1000).toISOString(), s: 'out', seq, m });
  }
  return text;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aiplat-progresswatcher-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ProgressWatcher.progressAt', () => {
  it('tells the progress as of a log cursor, waiting until it has read that far', async () => {
    const file = join(dir, 'node-0.log');
    writeFileSync(file, lines(0, 9));
    const reported: JobProgress[] = [];
    const watcher = new ProgressWatcher([{ index: 0, file }], { 0: 0 }, { onProgress: (p) => reported.push(p) });
    try {
      // Lines 0..5 hold steps 0, 1 and 2 (at seq 0, 2, 4).
      expect(await watcher.progressAt({ 0: 6 })).toMatchObject({ step: 2, totalSteps: 30 });
      expect(await watcher.progressAt({ 0: 4 })).toMatchObject({ step: 1 });
      // Not written yet: the answer waits for the lines.
      const later = watcher.progressAt({ 0: 15 });
      appendFileSync(file, lines(10, 20));
      expect(await later).toMatchObject({ step: 7 });
    } finally {
      watcher.dispose();
    }
  });

  it('answers with what it has when it does not get there in time', async () => {
    const file = join(dir, 'node-1.log');
    writeFileSync(file, lines(0, 5));
    const watcher = new ProgressWatcher([{ index: 0, file }], { 0: 0 }, { onProgress: () => undefined, catchUpMs: 50 });
    try {
      expect(await watcher.progressAt({ 0: 6 })).toMatchObject({ step: 2 });
      // A cursor past the end of the file (another reader's, say): the last known progress.
      expect(await watcher.progressAt({ 0: 100 })).toMatchObject({ step: 2 });
    } finally {
      watcher.dispose();
    }
  });

  it('answers at once once disposed', async () => {
    const file = join(dir, 'node-2.log');
    writeFileSync(file, lines(0, 3));
    const watcher = new ProgressWatcher([{ index: 0, file }], { 0: 0 }, { onProgress: () => undefined });
    expect(await watcher.progressAt({ 0: 4 })).toMatchObject({ step: 1 });
    const pending = watcher.progressAt({ 0: 50 });
    watcher.dispose();
    expect(await pending).toMatchObject({ step: 1 });
  });
});

describe('ProgressWatcher.flush', () => {
  it('reports at once the progress the throttle holds back, and nothing when none is held', async () => {
    const file = join(dir, 'node-3.log');
    writeFileSync(file, lines(0, 9));
    const reported: JobProgress[] = [];
    const watcher = new ProgressWatcher(
      [{ index: 0, file }],
      { 0: 0 },
      { onProgress: (p) => reported.push(p), intervalMs: 60_000 },
    );
    try {
      expect(await watcher.progressAt({ 0: 10 })).toMatchObject({ step: 4 });
      expect(reported).toEqual([]);
      watcher.flush();
      expect(reported).toHaveLength(1);
      expect(reported[0]).toMatchObject({ step: 4, totalSteps: 30 });
      watcher.flush();
      expect(reported).toHaveLength(1);
    } finally {
      watcher.dispose();
    }
  });
});
