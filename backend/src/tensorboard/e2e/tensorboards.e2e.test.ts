import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '@aiplat/api';
import { type TensorBoard } from '@aiplat/api';
import { browserLogin } from '../../../../testing/src/backend/browserLogin.js';
import { cpuSpec, PYTHON, waitForJob } from '../../../../testing/src/backend/jobs.js';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';

/*
 * TensorBoards started through the API and reached through /tensorboard/<id>/ with a browser
 * session, run by the local engine from a stand-in `tensorboard` (TensorBoard itself cannot be
 * installed here) that serves only under its --path_prefix; and a job's summaries where
 * AIPLAT_SUMMARY_DIR says, written by a small Python writer as PyTorch's SummaryWriter writes them.
 */

const STAND_IN = fileURLToPath(new URL('../../../../testing/src/tensorboard/bin/tensorboard', import.meta.url));
const WRITER_DIR = fileURLToPath(new URL('../../../../testing/src/tensorboard/', import.meta.url));

let fx: PlatformFixture;
let home: string;

async function waitForBoard(id: string, states: TensorBoard['state'][]): Promise<TensorBoard> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const board = (await fx.client().listTensorBoards()).items.find((b) => b.id === id);
    if (board && states.includes(board.state)) return board;
    if (Date.now() > deadline) throw new Error(`TensorBoard ${id}: ${JSON.stringify(board)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  fx = await startPlatform({
    devMachines: { startDefault: false },
    tensorboard: {
      command: STAND_IN,
      idleMinutes: 0.05,
      readyTimeoutMs: 20_000,
      scalarsPollMs: 200,
      pointsPerTag: 1000,
    },
  });
  home = path.join(fx.workRoot, 'home', 'alice');
  await mkdir(path.join(home, 'runs', 'a'), { recursive: true });
  await writeFile(path.join(home, 'runs', 'a', 'events.out.tfevents.1.host'), '');
}, 60_000);
afterAll(() => fx?.close(), 30_000);

describe('TensorBoards through the platform', () => {
  it('starts one for a folder, serves it under /tensorboard/<id>/ to its owner only, streams, and stops it', async () => {
    const started = await fx.client().startTensorBoard({ body: { path: 'home/runs' } });
    expect(started).toMatchObject({
      path: 'home/runs',
      user: 'alice',
      engine: 'local',
      url: `/tensorboard/${started.id}/`,
    });
    const board = await waitForBoard(started.id, ['Running', 'Failed']);
    expect(board.state, board.reason).toBe('Running');
    // Asked again for the same folder while it runs: the same one.
    expect((await fx.client().startTensorBoard({ body: { path: 'home/runs' } })).id).toBe(started.id);

    const cookie = await browserLogin(fx, 'alice', board.url);
    const page = await fetch(fx.baseUrl + board.url, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>TensorBoard</title>');
    const runs = await fetch(`${fx.baseUrl}${board.url}data/runs`, { headers: { cookie } });
    expect(await runs.json()).toEqual(['a']);
    expect((await fetch(fx.baseUrl + board.url.slice(0, -1), { headers: { cookie }, redirect: 'manual' })).status).toBe(
      301,
    );

    // Streamed through, not buffered: the first chunk arrives long before the last one is sent.
    const stream = await fetch(`${fx.baseUrl}${board.url}stream?n=5`, { headers: { cookie } });
    const reader = stream.body!.getReader();
    const began = Date.now();
    const first = new TextDecoder().decode((await reader.read()).value);
    const firstAt = Date.now() - began;
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += new TextDecoder().decode(chunk.value);
    expect(first).toBe('chunk 1\n');
    expect(rest).toBe('chunk 2\nchunk 3\nchunk 4\nchunk 5\n');
    expect(Date.now() - began - firstAt).toBeGreaterThan(500);

    // No session, another user's session, a bearer token: refused.
    expect((await fetch(fx.baseUrl + board.url)).status).toBe(401);
    const bob = await browserLogin(fx, 'bob', '/');
    expect((await fetch(fx.baseUrl + board.url, { headers: { cookie: bob } })).status).toBe(404);
    await expect(fx.client('bob').stopTensorBoard({ params: { id: board.id } })).rejects.toMatchObject({ status: 404 });

    const stopped = await fx.client().stopTensorBoard({ params: { id: board.id } });
    expect(stopped.state).toBe('Stopped');
    const after = await fetch(fx.baseUrl + board.url, { headers: { cookie } });
    expect(after.status).toBe(503);
    expect(await after.text()).toContain('is Stopped');
  }, 60_000);

  it('stops a TensorBoard nobody uses after the idle time, saying so', async () => {
    const started = await fx.client().startTensorBoard({ body: { path: 'home/runs/a' } });
    await waitForBoard(started.id, ['Running']);
    const stopped = await waitForBoard(started.id, ['Stopped']);
    expect(stopped.reason).toMatch(/without use/);
  }, 60_000);

  it('fails with what TensorBoard said when it cannot start', async () => {
    await mkdir(path.join(home, 'broken'), { recursive: true });
    await writeFile(path.join(home, 'broken', 'FAKE_TENSORBOARD_EXIT'), 'E1205 could not read the log directory');
    const started = await fx.client().startTensorBoard({ body: { path: 'home/broken' } });
    const failed = await waitForBoard(started.id, ['Failed', 'Running']);
    expect(failed.state).toBe('Failed');
    expect(failed.reason).toMatch(/exited with code 3: E1205 could not read the log directory/);
  }, 60_000);

  it('refuses clearly: a file, a folder outside /work, a job that is not yours', async () => {
    const refusal = (body: Parameters<ReturnType<PlatformFixture['client']>['startTensorBoard']>[0]['body']) =>
      fx
        .client()
        .startTensorBoard({ body })
        .then(
          () => undefined,
          (e: unknown) => e as ApiError,
        );
    expect((await refusal({ path: 'home/runs/a/events.out.tfevents.1.host' }))?.status).toBe(400);
    expect((await refusal({ path: 'home/../../etc' }))?.status).toBeGreaterThanOrEqual(400);
    expect((await refusal({ jobId: 'j-nope' }))?.message).toMatch(/you have no job j-nope/);
    expect((await refusal({ path: 'home/runs', jobId: 'x' } as never))?.status).toBe(400);
  });

  it("gives a job's instances AIPLAT_SUMMARY_DIR, and starts a TensorBoard on the job's summaries", async () => {
    const job = await fx.client().createJob({
      body: {
        spec: cpuSpec({
          name: 'writes-summaries',
          workingDir: 'home',
          env: { PYTHONPATH: WRITER_DIR, PYTHONDONTWRITEBYTECODE: '1' },
          command: `${PYTHON} -c "import os, summary_writer as s; print(os.environ['AIPLAT_SUMMARY_DIR']); w = s.SummaryWriter(os.environ['AIPLAT_SUMMARY_DIR']); [w.add_scalar('loss', 1.0 / i, i) for i in range(1, 4)]"`,
        }),
      },
    });
    const done = await waitForJob(fx.client(), job.id);
    expect(done.state).toBe('Succeeded');
    const { series } = await fx.client().scalarSeries({ query: { path: `home/summaries/${job.id}` } });
    expect(series.map((s) => [s.run, s.tag, s.points.map((p) => p.step)])).toEqual([['.', 'loss', [1, 2, 3]]]);
    const env = await fx.client().jobEnv({ params: { id: job.id } });
    expect(env.instances[0]!.env.AIPLAT_SUMMARY_DIR).toBe(path.join(home, 'summaries', job.id));

    const board = await fx.client().startTensorBoard({ body: { jobId: job.id } });
    expect(board).toMatchObject({ jobId: job.id, path: `home/summaries/${job.id}` });
    expect((await waitForBoard(board.id, ['Running', 'Failed'])).state).toBe('Running');
    await expect(fx.client('bob').startTensorBoard({ body: { jobId: job.id } })).rejects.toMatchObject({ status: 404 });
  }, 90_000);

  it('starts one for a job whose folder is not there (not started yet, or only on the cluster): TensorBoard waits for it', async () => {
    const job = await fx.client().createJob({
      body: { spec: cpuSpec({ name: 'queued', workingDir: 'home', command: 'sleep 30', queue: 'default' }) },
    });
    await fx.client().stopJob({ params: { id: job.id }, body: { force: true } });
    await waitForJob(fx.client(), job.id);
    await rm(path.join(home, 'summaries', job.id), { recursive: true, force: true });
    const board = await fx.client().startTensorBoard({ body: { jobId: job.id } });
    expect(board.path).toBe(`home/summaries/${job.id}`);
    expect((await waitForBoard(board.id, ['Running', 'Failed'])).state).toBe('Running');
  }, 60_000);

  it('refuses a summary folder a job cannot write, naming the field', async () => {
    const error = await fx
      .client()
      .createJob({ body: { spec: cpuSpec({ command: 'true', workingDir: 'home', summaryDir: 'mount/runs' }) } })
      .then(
        () => undefined,
        (e: unknown) => e as ApiError,
      );
    expect(error?.status).toBe(400);
    expect(error?.issues).toEqual([{ path: 'body.spec.summaryDir', message: expect.stringMatching(/read-only/) }]);
  });
});

describe('without TensorBoard installed', () => {
  let bare: PlatformFixture;
  beforeAll(async () => {
    bare = await startPlatform({
      devMachines: { startDefault: false },
      tensorboard: { command: '/nonexistent/tensorboard' },
    });
    await mkdir(path.join(bare.workRoot, 'home', 'alice', 'runs'), { recursive: true });
  });
  afterAll(() => bare?.close());

  it('says how to install it when listing, and refuses to start one with the same words', async () => {
    const list = await bare.client().listTensorBoards();
    expect(list.unavailable).toMatch(/pip install tensorboard/);
    const error = await bare
      .client()
      .startTensorBoard({ body: { path: 'home/runs' } })
      .then(
        () => undefined,
        (e: unknown) => e as ApiError,
      );
    expect([error?.status, error?.message]).toEqual([503, list.unavailable]);
  });
});
