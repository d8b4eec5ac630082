import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent, JobLogBatch, JobMetricsBatch } from '@aiplat/api';
import { programOutput, waitForState, kubernetesDdpSpec } from '../../../../../testing/src/backend/jobs.js';
import { startPlatform, type PlatformFixture } from '../../../../../testing/src/backend/platformFixture.js';
import { KubernetesConfigSchema } from '../config.js';
import { FakeApiServer } from '../../../../../testing/src/kubernetes/fakeApiServer/fakeApiServer.js';
import { objectName } from '../manifests/jobMetadata.js';
import { FakeOperators } from '../../../../../testing/src/kubernetes/fakeOperators.js';

/*
 * What of the Kubernetes engine needs a kubelet or the metrics server, so the fake API server (which
 * serves pods' logs and metrics.k8s.io): a job's pod logs (program output, progress, the log
 * follower) and its pod metrics, end to end through the job API. Everything else runs on a real
 * kube-apiserver (envtest): every mode's lifecycle, stop, Kueue's wait reasons and the role in
 * realEngine.e2e.test.ts; failed pods, automatic restarts, image pull failures, lost jobs, start
 * again, the dry-run endpoint, the CLI, queues and clusters without the operators or namespace a job
 * needs in realEngineOutcomes.e2e.test.ts; watches (dropped, 410 Gone, API server restart) in
 * realWatches.e2e.test.ts; the objects' server-side validation in realApiServer.e2e.test.ts.
 */

const NS = 'aiplat-alice';
const TRAINJOB = 'trainer.kubeflow.org/v1alpha1';

let fake: FakeApiServer;
let ops: FakeOperators;
let fx: PlatformFixture;

const kubernetesConfig = {
  engine: 'local' as const,
  kubernetes: KubernetesConfigSchema.parse({ enabled: true, defaultImage: 'pytorch:2.3' }),
  jobs: { stopGraceMs: 1_000, metricsIntervalMs: 100 },
};

async function until<T>(
  what: string,
  read: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  fake = await FakeApiServer.start({ namespaces: ['default', NS], podMetrics: true });
  ops = new FakeOperators(fake);
  fx = await startPlatform(kubernetesConfig, { kubeConfig: fake.kubeConfig() });
});
afterAll(async () => {
  await fx?.close();
  await fake?.close();
});

describe('the Kubernetes engine’s pod logs and metrics, against the fake API server', () => {
  it('follows a TrainJob’s pods’ logs and metrics through the job API, to success and after', async () => {
    const client = fx.client();
    const created = await client.createJob({ body: { spec: kubernetesDdpSpec() } });
    expect(created.engine).toBe('kubernetes');
    const name = objectName(created.id);
    await waitForState(client, created.id, 'Queued');

    ops.admit(NS, name);
    const pods = ops.startPods(NS, name, 2);
    const running = await waitForState(client, created.id, 'Running');
    expect(running.instances.map((i) => [i.state, i.pod, i.node])).toEqual([
      ['Running', pods[0], 'node-0'],
      ['Running', pods[1], 'node-1'],
    ]);

    const follow = fx.events();
    const batches: JobLogBatch[] = [];
    follow.subscribe(`job-logs/${created.id}`, (e) => {
      if (e.kind === 'job-logs') batches.push(e.data);
    });
    for (let step = 1; step <= 3; step++) {
      fake.appendLog(NS, pods[0] ?? '', `rank 0 step ${step}/3 loss ${1 / step}\n`);
      fake.appendLog(NS, pods[1] ?? '', `rank 1 step ${step}/3\n`);
    }
    await until('both ranks’ lines', async () => {
      const out = await programOutput(client, created.id);
      return out[0]?.length === 3 && out[1]?.length === 3;
    });
    const pushed: JobMetricsBatch[] = [];
    follow.subscribe(`job-metrics/${created.id}`, (e) => {
      if (e.kind === 'job-metrics') pushed.push(e.data);
    });
    fake.setPodMetrics(NS, pods[0] ?? '', [{ name: 'node', usage: { cpu: '1500m', memory: '2Gi' } }]);
    const metrics = await until('metrics', async () => {
      const m = await client.jobMetrics({ params: { id: created.id }, query: { instance: 0 } });
      return m.instances[0]?.points.length ? m : undefined;
    });
    expect(metrics.instances[0]?.points[0]).toMatchObject({ cpuPercent: 150, memoryBytes: 2 * 2 ** 30 });
    // The same points reach the job-metrics topic, as the local engine's do.
    await until('a pushed point', async () => (pushed.length > 0 ? true : undefined));
    expect(pushed[0]).toMatchObject({
      jobId: created.id,
      instances: [{ instance: 0, points: [{ cpuPercent: 150, memoryBytes: 2 * 2 ** 30 }] }],
    });

    fake.appendLog(NS, pods[0] ?? '', 'rank 0 done\n');
    for (const pod of pods) ops.podPhase(NS, pod, 'Succeeded');
    ops.finish(NS, name, 'Complete', 'jobset completed');
    const done = await waitForState(client, created.id, 'Succeeded');
    expect(done.instances.map((i) => i.state)).toEqual(['Succeeded', 'Succeeded']);
    const out = await programOutput(client, created.id);
    expect(out[0]).toEqual([
      'rank 0 step 1/3 loss 1',
      'rank 0 step 2/3 loss 0.5',
      'rank 0 step 3/3 loss 0.3333333333333333',
      'rank 0 done',
    ]);
    expect(out[1]).toEqual(['rank 1 step 1/3', 'rank 1 step 2/3', 'rank 1 step 3/3']);
    await until('the follower’s end', () => batches.some((b) => b.end));
    expect(batches.flatMap((b) => b.lines.map((l) => l.text))).toContain('rank 0 done');

    const events = (await client.jobEvents({ params: { id: created.id }, query: {} })).events.map(
      (e: JobEvent) => e.type,
    );
    expect(events).toEqual(
      expect.arrayContaining(['submitted', 'queued', 'scheduled', 'started', 'instance-started', 'succeeded']),
    );
    // The last lines' progress is read once the job has finished: it follows the state change.
    const final = await until('the final progress', async () => {
      const job = await client.getJob({ params: { id: created.id } });
      return job.progress?.step === 3 ? job.progress : undefined;
    });
    expect(final).toMatchObject({ step: 3, totalSteps: 3 });

    // The logs outlive the cluster's objects.
    fake.delete(TRAINJOB, 'TrainJob', NS, name);
    await until('pods gone', () => fake.list('v1', 'Pod', NS).length === 0 || undefined);
    expect((await programOutput(client, created.id))[0]).toHaveLength(4);
  });
});
