import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSpecInput } from '@aiplat/api';
import { programOutput, waitForJob, waitForState } from '../../../../../testing/src/backend/jobs.js';
import { startPlatform, type PlatformFixture } from '../../../../../testing/src/backend/platformFixture.js';
import { KubernetesConfigSchema } from '../config.js';
import { FakeApiServer } from '../../../../../testing/src/kubernetes/fakeApiServer/fakeApiServer.js';
import { objectName } from '../manifests/jobMetadata.js';
import { FakeOperators } from '../../../../../testing/src/kubernetes/fakeOperators.js';

/*
 * MPI and Ray jobs on the Kubernetes engine (whose output comes from helper pods: the MPI launcher,
 * the Ray submitter), and a backend restarted while its jobs go on in the cluster.
 *
 * All on the in-process fake API server (testing/src/kubernetes/fakeApiServer/, with
 * fakeOperators.ts writing what Kueue and the operators would), for pod logs: each test asserts the
 * program's output, which is read from the pods' logs (the launcher's, the submitter's, lines
 * written while the backend was down read once each after it restarts), and a real kube-apiserver
 * serves pod logs only from a kubelet, which envtest does not run. What needs no logs runs on a real
 * API server (envtest) with only backend.yaml's role: the MPI and Ray jobs' Kueue wait, pods and
 * outcomes in realEngine.e2e.test.ts; a job deleted outside the platform (lost) in
 * realEngineOutcomes.e2e.test.ts; watches resumed after an API server restart in realWatches.e2e.test.ts.
 */

const NS = 'aiplat-alice';
const config = {
  engine: 'kubernetes' as const,
  kubernetes: KubernetesConfigSchema.parse({ defaultImage: 'img:1' }),
  jobs: { stopGraceMs: 1_000, metricsIntervalMs: 60_000 },
};

let fake: FakeApiServer;
let ops: FakeOperators;

beforeAll(async () => {
  fake = await FakeApiServer.start({ namespaces: ['default', NS] });
  ops = new FakeOperators(fake);
});
afterAll(() => fake?.close());

describe('other modes on the Kubernetes engine', () => {
  let fx: PlatformFixture;
  beforeAll(async () => {
    fx = await startPlatform(config, { kubeConfig: fake.kubeConfig() });
  });
  afterAll(() => fx?.close());

  it('MPI: the launcher’s output (every rank, gathered by mpirun) is node 0’s log; workers are the instances', async () => {
    const client = fx.client();
    const spec = { name: 'mpi', mode: 'mpi', nodes: 2, command: 'python hvd.py', resources: { cpu: 2, memory: '4Gi' } };
    const created = await client.createJob({ body: { spec: spec as JobSpecInput } });
    expect(created.engine).toBe('kubernetes');
    const name = objectName(created.id);
    await waitForState(client, created.id, 'Queued');
    ops.admit(NS, name, 'MPIJob');
    const { launcher, workers } = ops.mpiPods(NS, name);
    const running = await waitForState(client, created.id, 'Running');
    expect(running.instances.map((i) => i.pod)).toEqual(workers);
    fake.appendLog(NS, launcher, '[1,0]<stdout>:rank 0 of 2\n[1,1]<stdout>:rank 1 of 2\n');
    for (const pod of [launcher, ...workers]) ops.podPhase(NS, pod, 'Succeeded');
    ops.finish(NS, name, 'Complete', 'MPIJob succeeded', 'MPIJob');
    await waitForState(client, created.id, 'Succeeded');
    expect((await programOutput(client, created.id))[0]).toEqual([
      '[1,0]<stdout>:rank 0 of 2',
      '[1,1]<stdout>:rank 1 of 2',
    ]);
  });

  it('Ray: the submitter’s output is the head’s log; each worker its own instance', async () => {
    const client = fx.client();
    const spec = {
      name: 'ray',
      mode: 'ray',
      command: 'python tune.py',
      head: { resources: { cpu: 2, memory: '4Gi' } },
      workerGroups: [{ name: 'cpu', replicas: 2, resources: { cpu: 2, memory: '4Gi' } }],
    };
    const created = await client.createJob({ body: { spec: spec as JobSpecInput } });
    const name = objectName(created.id);
    await waitForState(client, created.id, 'Queued');
    ops.admit(NS, name, 'RayJob');
    ops.pod(NS, name, 'RayJob', `${name}-head-x`, { 'ray.io/node-type': 'head' }, 'ray-head');
    ops.pod(
      NS,
      name,
      'RayJob',
      `${name}-cpu-1-worker-q`,
      { 'ray.io/node-type': 'worker', 'ray.io/group': 'cpu-1' },
      'ray-worker',
    );
    ops.pod(
      NS,
      name,
      'RayJob',
      `${name}-cpu-0-worker-z`,
      { 'ray.io/node-type': 'worker', 'ray.io/group': 'cpu-0' },
      'ray-worker',
    );
    const submitter = ops.pod(NS, name, 'RayJob', `${name}-submit-1`, {}, 'ray-job-submitter');
    const running = await waitForState(client, created.id, 'Running');
    expect(running.instances.map((i) => [i.name, i.pod])).toEqual([
      ['head-0', `${name}-head-x`],
      ['ray-worker-0', `${name}-cpu-0-worker-z`],
      ['ray-worker-1', `${name}-cpu-1-worker-q`],
    ]);
    fake.appendLog(NS, submitter, 'trial 1 done\n');
    ops.podPhase(NS, submitter, 'Succeeded');
    ops.finish(NS, name, 'Complete', 'ray job succeeded', 'RayJob');
    await waitForState(client, created.id, 'Succeeded');
    expect((await programOutput(client, created.id))[0]).toEqual(['trial 1 done']);
  });
});

describe('a restarted backend', () => {
  it('takes its jobs up again from the cluster: lines written while down once each, changes while down applied', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-k8s-restart-'));
    try {
      let fx = await startPlatform(config, { kubeConfig: fake.kubeConfig(), dir });
      const client = fx.client();
      const spec = {
        name: 'long',
        mode: 'ddp',
        nodes: 1,
        command: 'python t.py',
        resources: { cpu: 1, memory: '1Gi' },
      };
      const kept = await client.createJob({ body: { spec: spec as JobSpecInput } });
      const gone = await client.createJob({ body: { spec: { ...spec, name: 'gone' } as JobSpecInput } });
      const keptName = objectName(kept.id);
      for (const job of [kept, gone]) {
        await waitForState(client, job.id, 'Queued');
        ops.admit(NS, objectName(job.id));
        ops.startPods(NS, objectName(job.id), 1);
        await waitForState(client, job.id, 'Running');
      }
      const pod = `${keptName}-node-0-0-x0`;
      fake.appendLog(NS, pod, 'before 1\nbefore 2\n');
      await waitForJob(client, kept.id, () => true);
      const waitLines = async (n: number) => {
        for (let i = 0; i < 500; i++) {
          if (((await programOutput(fx.client(), kept.id))[0] ?? []).length >= n) return;
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await waitLines(2);
      await fx.close();

      // While the backend is down: more output, the kept job finishes, the other one is deleted.
      fake.appendLog(NS, pod, 'while down\n');
      ops.podPhase(NS, pod, 'Succeeded');
      ops.finish(NS, keptName, 'Complete', 'done');
      fake.delete('trainer.kubeflow.org/v1alpha1', 'TrainJob', NS, objectName(gone.id));

      fx = await startPlatform(config, { kubeConfig: fake.kubeConfig(), dir });
      const done = await waitForState(fx.client(), kept.id, 'Succeeded');
      expect(done.instances[0]?.state).toBe('Succeeded');
      expect((await programOutput(fx.client(), kept.id))[0]).toEqual(['before 1', 'before 2', 'while down']);
      const lost = await waitForState(fx.client(), gone.id, 'Failed');
      expect(lost.reason).toMatchObject({ kind: 'lost' });
      await fx.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
