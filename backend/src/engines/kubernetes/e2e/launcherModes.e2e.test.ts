import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSpecInput } from '@aiplat/api';
import { programOutput, waitForJob, waitForState } from '../../../../../testing/src/backend/jobs.js';
import { startPlatform, type PlatformFixture } from '../../../../../testing/src/backend/platformFixture.js';
import { FakeApiServer } from '../../../../../testing/src/kubernetes/fakeApiServer/fakeApiServer.js';
import { FakeOperators } from '../../../../../testing/src/kubernetes/fakeOperators.js';
import { KubernetesConfigSchema } from '../config.js';
import { objectName } from '../manifests/jobMetadata.js';

/*
 * Modes whose command runs on the launcher only, on the Kubernetes engine: Horovod's MPIJob
 * launcher runs the command while the workers run sshd for it; DeepSpeed's TrainJob on the
 * deepspeed-distributed runtime has a launcher that is node 0 and sshd nodes. The job's outcome is
 * the launcher's; the workers, which the operator deletes once the launcher is done, end Stopped.
 *
 * These two tests stay on the in-process fake API server (testing/src/kubernetes/fakeApiServer/,
 * with fakeOperators.ts for Kueue and the operators) only for pod logs: they assert the program's
 * output, which is the launcher pod's log, and a real kube-apiserver serves pod logs from a kubelet,
 * which envtest does not run. What needs no logs runs on a real API server (envtest) with only
 * backend.yaml's role, in realEngine.e2e.test.ts: the MPIJob's launcher command and sshd workers,
 * and a launcher exiting 3 failing the job with its exit code (the workers Stopped), as well as the
 * DeepSpeed TrainJob on its runtime.
 */

const NS = 'aiplat-alice';
const config = {
  engine: 'kubernetes' as const,
  kubernetes: KubernetesConfigSchema.parse({ defaultImage: 'img:1' }),
  jobs: { stopGraceMs: 1_000, metricsIntervalMs: 60_000 },
};

let fake: FakeApiServer;
let ops: FakeOperators;
let fx: PlatformFixture;

beforeAll(async () => {
  fake = await FakeApiServer.start({ namespaces: ['default', NS] });
  ops = new FakeOperators(fake);
  fx = await startPlatform(config, { kubeConfig: fake.kubeConfig() });
});
afterAll(async () => {
  await fx?.close();
  await fake?.close();
});

const horovod = (name: string): JobSpecInput => ({
  name,
  mode: 'horovod',
  nodes: 2,
  command: 'horovodrun -np 2 python train.py',
  resources: { cpu: 2, memory: '4Gi' },
});

/** Admits an MPIJob and starts its launcher and workers; returns the launcher pod's name. */
async function startMpiJob(id: string): Promise<{ name: string; launcher: string; workers: string[] }> {
  const client = fx.client();
  const name = objectName(id);
  await waitForState(client, id, 'Queued');
  ops.admit(NS, name, 'MPIJob');
  const { launcher, workers } = ops.mpiPods(NS, name);
  await waitForState(client, id, 'Running');
  return { name, launcher, workers };
}

describe('horovod on the Kubernetes engine', () => {
  it('succeeds with the launcher; the workers the operator deletes end Stopped', async () => {
    const client = fx.client();
    const created = await client.createJob({ body: { spec: horovod('hvd-ok') } });
    const { name, launcher, workers } = await startMpiJob(created.id);
    fake.appendLog(NS, launcher, 'trained\n');
    ops.podPhase(NS, launcher, 'Succeeded');
    for (const pod of workers) fake.delete('v1', 'Pod', NS, pod);
    ops.finish(NS, name, 'Complete', 'MPIJob succeeded', 'MPIJob');
    const job = await waitForJob(client, created.id);
    expect(job.state).toBe('Succeeded');
    expect(job.instances.map((i) => i.state)).toEqual(['Succeeded', 'Stopped']);
    expect((await programOutput(client, created.id))[0]).toEqual(['trained']);
  });
});

describe('deepspeed on the Kubernetes engine', () => {
  it('a TrainJob on deepspeed-distributed: the launcher is node 0 and its outcome is the job’s', async () => {
    const client = fx.client();
    const spec: JobSpecInput = {
      name: 'ds',
      mode: 'deepspeed',
      nodes: 2,
      command: 'deepspeed --hostfile $DEEPSPEED_HOSTFILE train.py',
      resources: { cpu: 2, memory: '4Gi' },
    };
    const created = await client.createJob({ body: { spec } });
    const name = objectName(created.id);
    await waitForState(client, created.id, 'Queued');
    const trainJob = ops.trainJob(NS, name) as unknown as { spec: { runtimeRef: { name: string } } };
    expect(trainJob.spec.runtimeRef.name).toBe('deepspeed-distributed');
    ops.admit(NS, name);
    const jobset = 'jobset.sigs.k8s.io/replicatedjob-name';
    const index = 'batch.kubernetes.io/job-completion-index';
    const launcher = ops.pod(
      NS,
      name,
      'TrainJob',
      `${name}-launcher-0-0-a0`,
      { [jobset]: 'launcher', [index]: '0' },
      'node',
    );
    const node = ops.pod(NS, name, 'TrainJob', `${name}-node-0-0-b1`, { [jobset]: 'node', [index]: '0' }, 'node');
    const running = await waitForState(client, created.id, 'Running');
    expect(running.instances.map((i) => i.pod)).toEqual([launcher, node]);
    fake.appendLog(NS, launcher, 'rank 0 of 2\nrank 1 of 2\n');
    ops.podPhase(NS, launcher, 'Succeeded');
    fake.delete('v1', 'Pod', NS, node);
    ops.finish(NS, name, 'Complete', 'TrainJob completed');
    const job = await waitForJob(client, created.id);
    expect(job.state).toBe('Succeeded');
    expect(job.instances.map((i) => i.state)).toEqual(['Succeeded', 'Stopped']);
    expect((await programOutput(client, created.id))[0]).toEqual(['rank 0 of 2', 'rank 1 of 2']);
  });
});
