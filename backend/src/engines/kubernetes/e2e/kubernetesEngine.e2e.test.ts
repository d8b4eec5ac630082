import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent, JobLogBatch, JobMetricsBatch, JobSpecInput } from '@aiplat/api';
import { programOutput, waitForJob, waitForState } from '../../../../../testing/src/backend/jobs.js';
import { rejection } from '../../../../../testing/src/backend/rejection.js';
import { runCli } from '../../../cli/program.js';
import { startPlatform, TOKENS, type PlatformFixture } from '../../../../../testing/src/backend/platformFixture.js';
import { KubernetesConfigSchema } from '../config.js';
import { FakeApiServer } from '../../../../../testing/src/kubernetes/fakeApiServer/fakeApiServer.js';
import { objectName } from '../manifests/jobMetadata.js';
import { crdValidator } from '../../../../../testing/src/kubernetes/crds/crdValidator.js';
import { FakeOperators } from '../../../../../testing/src/kubernetes/fakeOperators.js';

/*
 * The job API on the Kubernetes engine against the fake API server, driven by the real client:
 * what the backend creates, and how it follows what the (scripted) operators do.
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

function ddpSpec(overrides: Partial<JobSpecInput> = {}): JobSpecInput {
  return {
    name: 'k8s-ddp',
    mode: 'ddp',
    engine: 'kubernetes',
    nodes: 2,
    image: 'pytorch:2.3',
    command: 'torchrun train.py',
    resources: { cpu: 4, memory: '16Gi', accelerator: { type: 'nvidia', count: 1 } },
    hyperparameters: { lr: 0.01 },
    ...overrides,
  } as JobSpecInput;
}

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
  fake = await FakeApiServer.start({ namespaces: ['default', NS, 'aiplat-bob'], podMetrics: true });
  ops = new FakeOperators(fake);
  fx = await startPlatform(kubernetesConfig, { kubeConfig: fake.kubeConfig() });
});
afterAll(async () => {
  await fx?.close();
  await fake?.close();
});

describe('the Kubernetes engine against an API server', () => {
  it('creates a valid suspended TrainJob and its ConfigMap, follows Kueue, pods and logs to success', async () => {
    const client = fx.client();
    const created = await client.createJob({ body: { spec: ddpSpec() } });
    expect(created.engine).toBe('kubernetes');
    const name = objectName(created.id);
    await waitForState(client, created.id, 'Queued');

    const trainJob = ops.trainJob(NS, name);
    expect(
      crdValidator('TrainJob', 'v1alpha1').validate({
        ...trainJob,
        metadata: {
          name: trainJob.metadata.name,
          namespace: NS,
          labels: trainJob.metadata.labels,
          annotations: trainJob.metadata.annotations,
        },
      }).errors,
    ).toEqual([]);
    expect(trainJob.spec).toMatchObject({ suspend: true, trainer: { numNodes: 2 } });
    expect(trainJob.metadata.labels).toMatchObject({
      'kueue.x-k8s.io/queue-name': 'default',
      'aiplat.io/job-id': created.id,
    });
    const configMap = fake.list('v1', 'ConfigMap', NS).find((c) => c.metadata.name?.startsWith(name));
    expect(configMap?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'TrainJob',
      name,
      uid: trainJob.metadata.uid,
    });
    expect(JSON.parse((configMap?.data as Record<string, string>)['hyperparameters.json'] ?? '{}')).toEqual({
      lr: 0.01,
    });

    ops.pending(
      NS,
      name,
      "couldn't assign flavors to pod set node: insufficient unused quota for nvidia.com/gpu in flavor a100, 2 more needed",
    );
    const waiting = await waitForJob(
      client,
      created.id,
      (j) => j.waitReason?.message.includes('insufficient') === true,
    );
    expect(waiting).toMatchObject({ state: 'Queued', waitReason: { resource: 'accelerator' } });

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

  it('a failed pod fails the job with its pod name and exit code', async () => {
    const client = fx.client();
    const created = await client.createJob({ body: { spec: ddpSpec({ name: 'fails' }) } });
    const name = objectName(created.id);
    await waitForState(client, created.id, 'Queued');
    ops.admit(NS, name);
    const pods = ops.startPods(NS, name, 2);
    await waitForState(client, created.id, 'Running');
    ops.podPhase(NS, pods[1] ?? '', 'Failed', 3);
    ops.finish(NS, name, 'Failed', 'jobset failed');
    const failed = await waitForState(client, created.id, 'Failed');
    expect(failed.reason).toMatchObject({ kind: 'exit-code', instance: 1, exitCode: 3 });
    expect(failed.reason?.message).toContain(`pod ${pods[1]}`);
  });

  it('auto-restarts a failed TrainJob by creating it again, then succeeds', async () => {
    const client = fx.client();
    const created = await client.createJob({
      body: { spec: ddpSpec({ name: 'flaky', nodes: 1, autoRestart: { maxRestarts: 1 } }) },
    });
    const name = objectName(created.id);
    await waitForState(client, created.id, 'Queued');
    const firstUid = ops.trainJob(NS, name).metadata.uid;
    ops.admit(NS, name);
    const [first] = ops.startPods(NS, name, 1);
    await waitForState(client, created.id, 'Running');
    ops.podPhase(NS, first ?? '', 'Failed', 137);
    ops.finish(NS, name, 'Failed', 'jobset failed');
    const requeued = await waitForJob(client, created.id, (j) => j.restarts === 1 && j.state === 'Queued');
    expect(requeued.instances[0]?.state).toBe('Pending');
    const second = await until('the new TrainJob', () => {
      const now = fake.get(TRAINJOB, 'TrainJob', NS, name);
      return now && now.metadata.uid !== firstUid ? now : undefined;
    });
    expect(second.spec).toMatchObject({ suspend: true });
    ops.admit(NS, name);
    const [pod] = ops.startPods(NS, name, 1);
    await waitForState(client, created.id, 'Running');
    ops.podPhase(NS, pod ?? '', 'Succeeded');
    ops.finish(NS, name, 'Complete', 'done');
    const done = await waitForState(client, created.id, 'Succeeded');
    expect(done.restarts).toBe(1);
    const events = (await client.jobEvents({ params: { id: created.id }, query: {} })).events;
    expect(events.find((e) => e.type === 'restarting')?.message).toMatch(/exited with code 137; restarting \(1 of 1\)/);
  });

  it('a pod whose image cannot be pulled is a warning event, the job stays Starting', async () => {
    const client = fx.client();
    const created = await client.createJob({ body: { spec: ddpSpec({ name: 'bad-image', nodes: 1 }) } });
    const name = objectName(created.id);
    await waitForState(client, created.id, 'Queued');
    ops.admit(NS, name);
    const [pod] = ops.startPods(NS, name, 1, 'Pending');
    fake.setStatus('v1', 'Pod', NS, pod ?? '', {
      phase: 'Pending',
      containerStatuses: [
        {
          name: 'node',
          ready: false,
          restartCount: 0,
          image: 'nope:1',
          imageID: '',
          state: { waiting: { reason: 'ImagePullBackOff', message: 'pull access denied for nope' } },
        },
      ],
    });
    const warning = await until('the warning', async () =>
      (await client.jobEvents({ params: { id: created.id }, query: {} })).events.find((e) => e.type === 'warning'),
    );
    expect(warning).toMatchObject({ instance: 0 });
    expect(warning.message).toMatch(
      /instance 0 \(pod .*\) cannot start: ImagePullBackOff: pull access denied for nope/,
    );
    expect((await client.getJob({ params: { id: created.id } })).state).toBe('Starting');
    await client.stopJob({ params: { id: created.id }, body: {} });
    await waitForState(client, created.id, 'Stopped');
  });

  it('stop deletes the TrainJob; the job is Stopped once its pods are gone', async () => {
    const client = fx.client();
    const created = await client.createJob({ body: { spec: ddpSpec({ name: 'stopped' }) } });
    const name = objectName(created.id);
    await waitForState(client, created.id, 'Queued');
    ops.admit(NS, name);
    ops.startPods(NS, name, 2);
    await waitForState(client, created.id, 'Running');
    await client.stopJob({ params: { id: created.id }, body: {} });
    const stopped = await waitForState(client, created.id, 'Stopped');
    expect(stopped.state).toBe('Stopped');
    expect(fake.get(TRAINJOB, 'TrainJob', NS, name)).toBeUndefined();
    expect(fake.list('v1', 'Pod', NS).filter((p) => p.metadata.name?.startsWith(name))).toEqual([]);

    // Start again re-creates the objects.
    await client.startJobAgain({ params: { id: created.id }, body: {} });
    await waitForState(client, created.id, 'Queued');
    expect(fake.get(TRAINJOB, 'TrainJob', NS, name)?.spec).toMatchObject({ suspend: true });
    await client.stopJob({ params: { id: created.id }, body: {} });
    await waitForState(client, created.id, 'Stopped');
    await client.deleteJob({ params: { id: created.id } });
    expect(fake.list('v1', 'ConfigMap', NS).filter((c) => c.metadata.name?.startsWith(name))).toEqual([]);
  });

  it('keeps following through a dropped watch and a compacted history (410 Gone: re-list)', async () => {
    const client = fx.client();
    const created = await client.createJob({ body: { spec: ddpSpec({ name: 'watch' }) } });
    const name = objectName(created.id);
    await waitForState(client, created.id, 'Queued');
    await until('watches open', () => fake.openWatches >= 3 || undefined);
    fake.dropWatches();
    ops.admit(NS, name);
    const pods = ops.startPods(NS, name, 2);
    await waitForState(client, created.id, 'Running', 20_000);

    const lists = () =>
      fake.requests.filter(
        (r) =>
          r.method === 'GET' &&
          r.path === '/apis/trainer.kubeflow.org/v1alpha1/trainjobs' &&
          r.query.watch === undefined,
      ).length;
    const listsBefore = lists();
    fake.compact();
    fake.dropWatches();
    for (const pod of pods) ops.podPhase(NS, pod, 'Succeeded');
    ops.finish(NS, name, 'Complete', 'done');
    await waitForState(client, created.id, 'Succeeded', 20_000);
    // The resumed watch was answered 410 Gone, so the informer listed again.
    expect(lists()).toBeGreaterThan(listsBefore);
  });

  it('a TrainJob deleted outside the platform makes the job Failed (lost), naming it', async () => {
    const client = fx.client();
    const created = await client.createJob({ body: { spec: ddpSpec({ name: 'lost' }) } });
    const name = objectName(created.id);
    await waitForState(client, created.id, 'Queued');
    await until('the engine saw it', () => ops.trainJob(NS, name));
    await new Promise((r) => setTimeout(r, 100));
    fake.delete(TRAINJOB, 'TrainJob', NS, name);
    const lost = await waitForState(client, created.id, 'Failed');
    expect(lost.reason).toMatchObject({ kind: 'lost' });
    expect(lost.reason?.message).toContain(`TrainJob ${name} was deleted`);
  });

  it('refuses a queue the config does not list, naming the queues at the field', async () => {
    const error = await rejection(fx.client().createJob({ body: { spec: ddpSpec({ queue: 'nope' }) } }));
    expect(error).toMatchObject({ status: 400, issues: [{ path: 'body.spec.queue', message: 'one of default' }] });
    expect(error.message).toMatch(/cannot run on the Kubernetes engine/);
  });

  it('dry run: the exact objects, and the cluster’s server-side dry run of them, creating nothing', async () => {
    const before = fake.list(TRAINJOB, 'TrainJob', NS).length;
    const answer = await fx.client().dryRunJob({ body: { spec: ddpSpec({ name: 'dry' }) } });
    expect(answer.manifests.map((m) => (m as { kind: string }).kind)).toEqual(['ConfigMap', 'TrainJob']);
    expect(answer.yaml).toContain('kind: TrainJob');
    expect(answer.serverDryRun).toMatchObject({ ok: true });
    expect(answer.serverDryRun?.objects).toHaveLength(2);
    expect(fake.list(TRAINJOB, 'TrainJob', NS)).toHaveLength(before);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.query.dryRun === 'All')).toHaveLength(2);
  });

  it('the CLI submits a job.yaml to the cluster with --engine kubernetes', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-cli-k8s-'));
    await writeFile(
      path.join(dir, 'job.yaml'),
      'name: cli-k8s\nmode: ddp\nnodes: 2\nimage: pytorch:2.3\ncommand: torchrun train.py\nresources: { cpu: 1, memory: 1Gi }\n',
    );
    let out = '';
    let err = '';
    const code = await runCli(['submit', '-f', 'job.yaml', '--engine', 'kubernetes'], {
      stdout: { write: (t: string) => ((out += t), true) },
      stderr: { write: (t: string) => ((err += t), true) },
      env: { AIPLAT_SERVER: fx.baseUrl, AIPLAT_TOKEN: TOKENS.alice },
      cwd: dir,
      readStdin: () => Promise.resolve(''),
      pollIntervalMs: 50,
    });
    expect(err).toBe('');
    expect(code).toBe(0);
    const id = /job-[0-9a-f]+/.exec(out)?.[0] ?? '';
    const job = await waitForState(fx.client(), id, 'Queued');
    expect(job.engine).toBe('kubernetes');
    expect(ops.trainJob(NS, objectName(id)).spec).toMatchObject({ trainer: { numNodes: 2 } });
    await fx.client().stopJob({ params: { id }, body: {} });
    await rm(dir, { recursive: true, force: true });
  });

  it('a job of the local engine still runs next to it', async () => {
    const created = await fx.client().createJob({
      body: {
        spec: { name: 'local', mode: 'ddp', nodes: 1, command: 'echo hi', resources: { cpu: 0.1, memory: '64Mi' } },
      },
    });
    expect(created.engine).toBe('local');
    await waitForState(fx.client(), created.id, 'Succeeded');
  });
});

describe('a cluster without the operators a mode needs', () => {
  let bare: FakeApiServer;
  let platform: PlatformFixture;
  afterEach(async () => {
    await platform?.close();
    await bare?.close();
  });

  it('says which CRD is missing and what to install', async () => {
    bare = await FakeApiServer.start({ namespaces: [NS], leaveOut: ['trainer.kubeflow.org'] });
    platform = await startPlatform(kubernetesConfig, { kubeConfig: bare.kubeConfig() });
    const error = await rejection(platform.client().createJob({ body: { spec: ddpSpec() } }));
    expect(error).toMatchObject({ status: 400 });
    expect(String((error as Error).message)).toMatch(
      /ddp jobs run as a TrainJob \(trainjobs\.trainer\.kubeflow\.org\/v1alpha1\), which the cluster at .* does not serve: ask the operator to install Kubeflow Trainer v2/,
    );
  });

  it('says that Kueue is missing', async () => {
    bare = await FakeApiServer.start({ namespaces: [NS], leaveOut: ['kueue.x-k8s.io'] });
    platform = await startPlatform(kubernetesConfig, { kubeConfig: bare.kubeConfig() });
    const error = await rejection(platform.client().createJob({ body: { spec: ddpSpec() } }));
    expect(String((error as Error).message)).toMatch(/does not serve Kueue/);
  });

  it('a missing namespace fails the job saying so', async () => {
    bare = await FakeApiServer.start({ namespaces: ['default'] });
    platform = await startPlatform(kubernetesConfig, { kubeConfig: bare.kubeConfig() });
    const created = await platform.client().createJob({ body: { spec: ddpSpec() } });
    const failed = await waitForState(platform.client(), created.id, 'Failed');
    expect(failed.reason).toMatchObject({ kind: 'engine-error' });
    expect(failed.reason?.message).toMatch(/namespace aiplat-alice does not exist/);
  });
});
