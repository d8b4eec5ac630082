import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventFile } from '../../../testing/src/tensorboard/tfeventsWriter.js';
import { RunReader } from './runReader.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-run-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a run read as it is written', () => {
  it('reads only what was appended, waits for a record cut short, and picks up files that appear later', async () => {
    const run = path.join(dir, 'train');
    await writeFile(path.join(dir, 'unused'), '');
    const reader = new RunReader(run);
    expect(await reader.read()).toEqual({ points: [], issues: [] }); // no folder yet

    await mkdir(run);
    const first = path.join(run, 'events.out.tfevents.1700000000.host.1.0');
    const two = eventFile([
      { tag: 'loss', step: 1, value: 0.9 },
      { tag: 'loss', step: 2, value: 0.8 },
    ]);
    const third = eventFile([{ tag: 'loss', step: 3, value: 0.7 }]);
    await writeFile(first, Buffer.concat([two, third.subarray(0, 5)]));
    await writeFile(path.join(run, 'notes.txt'), 'not an event file');
    expect((await reader.read()).points.map((p) => p.step)).toEqual([1, 2]);

    await appendFile(first, third.subarray(5));
    expect((await reader.read()).points.map((p) => p.step)).toEqual([3]);
    expect((await reader.read()).points).toEqual([]);

    await writeFile(
      path.join(run, 'events.out.tfevents.1700000100.host.2.0'),
      eventFile([{ tag: 'acc', step: 4, value: 0.5, encoding: 'float', withMetadata: true }]),
    );
    expect((await reader.read()).points).toEqual([{ tag: 'acc', step: 4, wallTime: 1700000004, value: 0.5 }]);
    expect(reader.tagNames).toEqual(['acc', 'loss']);
    // simple_value is a float32, as TensorBoard shows it.
    expect(reader.series('loss').map((p) => p.value)).toEqual([0.9, 0.8, 0.7].map(Math.fround));
  });

  it('names the file and offset of a damaged record, and keeps the rest', async () => {
    const run = path.join(dir, 'damaged');
    await mkdir(run);
    const bytes = eventFile([
      { tag: 'loss', step: 1, value: 1 },
      { tag: 'loss', step: 2, value: 2 },
    ]);
    bytes[bytes.byteLength - 6]! ^= 0xff;
    await writeFile(path.join(run, 'events.out.tfevents.1.h'), bytes);
    const outcome = await new RunReader(run).read();
    expect(outcome.points.map((p) => p.step)).toEqual([1]);
    expect(outcome.issues).toEqual([
      {
        file: 'events.out.tfevents.1.h',
        offset: bytes.byteLength / 2,
        message: expect.stringMatching(/bad data checksum/),
      },
    ]);
  });
});
