import { appendFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, scalarsTopic, type ScalarUpdate } from '@aiplat/api';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';
import { rawSocket } from '../../../../testing/src/backend/rawSocket.js';
import { eventFile, type ScalarEvent } from '../../../../testing/src/tensorboard/tfeventsWriter.js';

/*
 * The platform's own scalars over HTTP and the WebSocket, from event files written in a /work
 * folder as a job writes them: runs and tags, series with a step range and downsampling, damaged
 * records named and skipped, new points pushed live, paths confined like every file call.
 */

let fx: PlatformFixture;
let home: string;
const FILE = 'events.out.tfevents.1700000000.host.1.0';

const steps = (from: number, to: number, tag = 'loss', extra: Partial<ScalarEvent> = {}): ScalarEvent[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ tag, step: from + i, value: 1 / (from + i), ...extra }));

beforeAll(async () => {
  fx = await startPlatform({ devMachines: { startDefault: false }, tensorboard: { scalarsPollMs: 100 } });
  home = path.join(fx.workRoot, 'home', 'alice');
  await mkdir(path.join(home, 'runs', 'lr-0.1'), { recursive: true });
  await mkdir(path.join(home, 'runs', 'lr-0.01', 'eval'), { recursive: true });
  await writeFile(path.join(home, 'runs', 'lr-0.1', FILE), eventFile(steps(1, 3000)));
  await writeFile(
    path.join(home, 'runs', 'lr-0.01', FILE),
    eventFile([...steps(1, 10), ...steps(1, 10, 'accuracy', { encoding: 'float', withMetadata: true })]),
  );
  await writeFile(
    path.join(home, 'runs', 'lr-0.01', 'eval', FILE),
    eventFile(steps(1, 5, 'eval/loss', { encoding: 'half', withMetadata: true })),
  );
}, 60_000);
afterAll(() => fx?.close(), 30_000);

describe('scalars of a log directory', () => {
  it('lists the runs (every folder with event files) and their tags', async () => {
    const { runs, warnings, path: logDir } = await fx.client().scalarRuns({ query: { path: 'home/runs' } });
    expect(logDir).toBe('home/runs');
    expect(warnings).toEqual([]);
    expect(runs.map((r) => r.name)).toEqual(['lr-0.01', 'lr-0.01/eval', 'lr-0.1']);
    const big = runs.find((r) => r.name === 'lr-0.1')!;
    expect(big.tags).toEqual([
      { tag: 'loss', count: 3000, lastStep: 3000, lastWallTime: 1_700_003_000, lastValue: Math.fround(1 / 3000) },
    ]);
    expect(runs.find((r) => r.name === 'lr-0.01')!.tags.map((t) => t.tag)).toEqual(['accuracy', 'loss']);
  });

  it('answers series downsampled (1000 kept per tag, the last always), within a step range, per run and tag', async () => {
    const all = await fx.client().scalarSeries({ query: { path: 'home/runs', run: 'lr-0.1', tag: 'loss' } });
    expect(all.series).toHaveLength(1);
    const points = all.series[0]!.points;
    expect(points).toHaveLength(1000);
    expect(points.at(-1)).toEqual({ step: 3000, wallTime: 1_700_003_000, value: Math.fround(1 / 3000) });
    expect(points.map((p) => p.step)).toEqual([...points.map((p) => p.step)].sort((a, b) => a - b));

    const few = await fx.client().scalarSeries({ query: { path: 'home/runs', run: 'lr-0.1', points: 10 } });
    expect(few.series[0]!.points).toHaveLength(10);
    expect(few.series[0]!.points.at(-1)!.step).toBe(3000);

    const ranged = await fx
      .client()
      .scalarSeries({ query: { path: 'home/runs', run: 'lr-0.01', fromStep: 3, toStep: 5 } });
    expect(ranged.series.map((s) => [s.tag, s.points.map((p) => p.step)])).toEqual([
      ['accuracy', [3, 4, 5]],
      ['loss', [3, 4, 5]],
    ]);
    const half = await fx.client().scalarSeries({ query: { path: 'home/runs', run: 'lr-0.01/eval' } });
    expect(half.series[0]!.points[1]!.value).toBeCloseTo(0.5, 3);
  });

  it('refuses clearly: a run that is not there, a file, a path outside /work, a link out of it', async () => {
    const refused = async (query: Parameters<ReturnType<PlatformFixture['client']>['scalarSeries']>[0]['query']) => {
      const error = await fx
        .client()
        .scalarSeries({ query })
        .then(
          () => undefined,
          (e: unknown) => e as ApiError,
        );
      expect(error).toBeInstanceOf(ApiError);
      return error!;
    };
    const noRun = await refused({ path: 'home/runs', run: 'nope' });
    expect([noRun.status, noRun.message]).toEqual([
      404,
      expect.stringContaining('its runs: lr-0.01, lr-0.01/eval, lr-0.1'),
    ]);
    expect((await refused({ path: `home/runs/lr-0.1/${FILE}` })).status).toBe(400);
    expect((await refused({ path: '../../etc' })).status).toBeGreaterThanOrEqual(400);
    expect((await refused({ path: 'home/missing' })).status).toBe(404);
    // An event file reached through a symlink out of /work is not read.
    await mkdir(path.join(home, 'linked'), { recursive: true });
    await writeFile(path.join(fx.dir, FILE), eventFile(steps(1, 2)));
    await symlink(path.join(fx.dir, FILE), path.join(home, 'linked', FILE));
    expect((await fx.client().scalarRuns({ query: { path: 'home/linked' } })).runs).toEqual([]);
  });

  it('skips a damaged record with a warning naming it, and keeps reading after it', async () => {
    await mkdir(path.join(home, 'damaged'), { recursive: true });
    const good = eventFile(steps(1, 2));
    const bad = Buffer.from(eventFile(steps(3, 3)));
    bad[bad.length - 6]! ^= 0xff; // inside the data: its checksum no longer matches
    await writeFile(path.join(home, 'damaged', FILE), Buffer.concat([good, bad, eventFile(steps(4, 4))]));
    const answer = await fx.client().scalarSeries({ query: { path: 'home/damaged' } });
    expect(answer.series[0]!.points.map((p) => p.step)).toEqual([1, 2, 4]);
    expect(answer.warnings).toEqual([
      { run: '.', file: FILE, offset: good.length, message: expect.stringMatching(/checksum|CRC/i) },
    ]);
  });

  it('pushes new points on scalars/<path> as the files grow, and picks up a run that appears', async () => {
    await mkdir(path.join(home, 'live', 'a'), { recursive: true });
    const file = path.join(home, 'live', 'a', FILE);
    await writeFile(file, eventFile(steps(1, 2)));
    await fx.client().scalarRuns({ query: { path: 'home/live' } });
    const socket = await rawSocket(fx);
    socket.subscribe(scalarsTopic('home/live'));
    await socket.acknowledged(scalarsTopic('home/live'));
    const updates: ScalarUpdate[] = [];
    const collect = async () => {
      while (updates.length < 20) updates.push(await socket.event('scalars'));
    };
    void collect().catch(() => undefined);
    await appendFile(file, eventFile(steps(3, 4)));
    await mkdir(path.join(home, 'live', 'b'));
    await writeFile(path.join(home, 'live', 'b', FILE), eventFile(steps(1, 1, 'acc')));
    await expect
      .poll(
        () => updates.flatMap((u) => u.series.map((s) => `${s.run}:${s.tag}:${s.points.map((p) => p.step).join(',')}`)),
        {
          timeout: 15_000,
        },
      )
      .toEqual(expect.arrayContaining(['a:loss:3,4', 'b:acc:1']));
    expect(updates.every((u) => u.path === 'home/live')).toBe(true);
    socket.ws.terminate();
  });

  it('refuses a scalars topic of a folder the user cannot read', async () => {
    const socket = await rawSocket(fx, 'bob');
    socket.subscribe(scalarsTopic('home/../alice/runs'));
    expect((await socket.error()).message).toMatch(/outside|\.\./);
    socket.subscribe(scalarsTopic('home/runs')); // bob's own home has none
    expect((await socket.error()).message).toMatch(/does not exist/);
    socket.ws.terminate();
  });
});
