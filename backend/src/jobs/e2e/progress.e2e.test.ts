import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobLogBatch, JobProgress } from '@aiplat/api';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';
import { cpuSpec, homeFolder, waitForJob } from '../../../../testing/src/backend/jobs.js';

/*
 * Progress as clients see it: a finished job keeps what it reached without an ETA, and each batch of
 * the `job-logs/<id>` stream carries the progress as of its last line.
 */

let fx: PlatformFixture;
let workingDir: string;

beforeAll(async () => {
  fx = await startPlatform({ jobs: { stopGraceMs: 2_000, metricsIntervalMs: 1_000 } });
  workingDir = await homeFolder(fx.workRoot, 'alice', 'progress');
});
afterAll(() => fx?.close());

/** A tqdm bar at 3 of 30 steps with 9 s left: progress with an ETA from the first line. */
const TQDM_AT_3 = "echo ' 10%|#         | 3/30 [00:01<00:09,  3.00it/s]'";

/** The job and the jobs list as raw JSON over HTTP, not through the typed client (which checks the contract). */
async function progressOverHttp(id: string): Promise<{ job?: JobProgress; listed?: JobProgress }> {
  const job = (await (await fx.fetch(`/api/jobs/${id}`)).json()) as { progress?: JobProgress };
  const list = (await (await fx.fetch('/api/jobs?mine=true')).json()) as {
    jobs: { id: string; progress?: JobProgress }[];
  };
  return { job: job.progress, listed: list.jobs.find((j) => j.id === id)?.progress };
}

/** Waits until the running job's progress has an ETA (read from the raw answer). */
async function waitForEta(id: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await progressOverHttp(id)).job?.etaSeconds === undefined) {
    if (Date.now() > deadline) throw new Error(`job ${id} never showed an ETA`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('job progress over the API', () => {
  it('a job stopped mid-progress keeps its progress without an ETA', async () => {
    const client = fx.client();
    const created = await client.createJob({
      body: { spec: cpuSpec({ name: 'stopped-midway', workingDir, command: `${TQDM_AT_3}; exec sleep 60` }) },
    });
    await waitForEta(created.id);
    await client.stopJob({ params: { id: created.id }, body: { force: false } });
    const stopped = await waitForJob(fx.client(), created.id, (j) => j.state === 'Stopped');
    expect(stopped.progress).toMatchObject({ step: 3, totalSteps: 30 });
    const { job, listed } = await progressOverHttp(created.id);
    expect(job).toMatchObject({ step: 3, totalSteps: 30 });
    expect(job).not.toHaveProperty('etaSeconds');
    expect(listed).toMatchObject({ step: 3, totalSteps: 30 });
    expect(listed).not.toHaveProperty('etaSeconds');
  });

  it('a job that succeeds mid-progress keeps its progress without an ETA', async () => {
    const client = fx.client();
    const created = await client.createJob({
      // It runs until the test has seen its ETA (a fixed sleep was too short for a loaded machine).
      body: {
        spec: cpuSpec({
          name: 'succeeded-midway',
          workingDir,
          command: `${TQDM_AT_3}; while [ ! -e seen-eta ]; do sleep 0.1; done`,
        }),
      },
    });
    await waitForEta(created.id);
    await writeFile(path.join(fx.workRoot, 'home', 'alice', 'progress', 'seen-eta'), '');
    const done = await waitForJob(fx.client(), created.id);
    expect(done.state).toBe('Succeeded');
    const { job, listed } = await progressOverHttp(created.id);
    expect(job).toMatchObject({ step: 3, totalSteps: 30 });
    expect(job).not.toHaveProperty('etaSeconds');
    expect(listed).not.toHaveProperty('etaSeconds');
  });

  it('each job-logs batch carries the progress of the last progress line it completes', async () => {
    const client = fx.client();
    const socket = fx.events();
    await socket.ready();
    const created = await client.createJob({
      body: {
        spec: cpuSpec({
          name: 'batch-progress',
          workingDir,
          // Bursts of five steps, so that batches end at different steps.
          command: 'for i in $(seq 1 30); do echo "step $i/30 loss 0.$i"; [ $((i % 5)) = 0 ] && sleep 0.4; done; true',
        }),
      },
    });
    const seen: { lastStep: number | undefined; progress: JobProgress | undefined }[] = [];
    let lastStep: number | undefined;
    await new Promise<void>((resolve) => {
      socket.subscribe(`job-logs/${created.id}`, (e) => {
        if (e.kind !== 'job-logs') return;
        const batch: JobLogBatch = e.data;
        for (const line of batch.lines) {
          const m = /^step (\d+)\/30/.exec(line.text);
          if (m) lastStep = Number(m[1]);
        }
        if (batch.lines.length > 0) seen.push({ lastStep, progress: batch.progress });
        if (batch.end) resolve();
      });
    });
    const withSteps = seen.filter((s) => s.lastStep !== undefined);
    expect(withSteps.length).toBeGreaterThan(0);
    expect(withSteps.at(-1)?.lastStep).toBe(30);
    // While the job runs, every batch says the step its own lines reached (not an older or later one).
    const running = withSteps.filter((s) => s.progress !== undefined);
    expect(running.length).toBeGreaterThan(0);
    for (const s of running)
      expect({ step: s.progress?.step, totalSteps: s.progress?.totalSteps }).toEqual({
        step: s.lastStep,
        totalSteps: 30,
      });
  });
});
