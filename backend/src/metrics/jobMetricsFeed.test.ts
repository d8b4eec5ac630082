import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTerminalJobState, type JobMetricsBatch } from '@aiplat/api';
import { startPlatform, type PlatformFixture } from '../../../testing/src/backend/platformFixture.js';
import { cpuSpec, homeFolder } from '../../../testing/src/backend/jobs.js';

let fx: PlatformFixture;
let workingDir: string;

beforeAll(async () => {
  fx = await startPlatform({ jobs: { stopGraceMs: 2_000, metricsIntervalMs: 200 } });
  workingDir = await homeFolder(fx.workRoot, 'alice', 'metrics-feed');
});
afterAll(() => fx?.close());

describe('the job-metrics topic', () => {
  it("pushes each sampled point of a running job to its owner's subscription, and nothing to another user", async () => {
    const client = fx.client();
    const alice = fx.events();
    const bob = fx.events('bob');
    await Promise.all([alice.ready(), bob.ready()]);
    const created = await client.createJob({
      body: { spec: cpuSpec({ name: 'sampled', workingDir, command: 'sleep 2' }) },
    });
    const bobBatches: JobMetricsBatch[] = [];
    bob.subscribe(`job-metrics/${created.id}`, (e) => {
      if (e.kind === 'job-metrics') bobBatches.push(e.data);
    });
    const bobSawEnd = new Promise<void>((resolve) =>
      bob.subscribe(`jobs/${created.id}`, (e) => {
        if (e.kind === 'jobs' && e.data.change === 'updated' && isTerminalJobState(e.data.job.state)) resolve();
      }),
    );
    const batches = await new Promise<JobMetricsBatch[]>((resolve) => {
      const got: JobMetricsBatch[] = [];
      alice.subscribe(`job-metrics/${created.id}`, (e) => {
        if (e.kind !== 'job-metrics') return;
        got.push(e.data);
        if (got.length === 2) resolve(got);
      });
    });
    for (const batch of batches) {
      expect(batch.jobId).toBe(created.id);
      expect(batch.instances).toHaveLength(1);
      expect(batch.instances[0]?.instance).toBe(0);
      expect(batch.instances[0]?.points[0]?.memoryBytes).toBeGreaterThan(0);
    }
    // The same points the metrics route serves.
    const served = await client.jobMetrics({ params: { id: created.id }, query: {} });
    const times = served.instances.flatMap((i) => i.points.map((p) => p.time));
    expect(times).toContain(batches[0]?.instances[0]?.points[0]?.time);
    await bobSawEnd;
    expect(bobBatches).toEqual([]);
    alice.close();
    bob.close();
  });
});
