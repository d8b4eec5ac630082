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
  it('the MPIJob runs the command on the launcher only; its workers run sshd', async () => {
    const client = fx.client();
    const created = await client.createJob({ body: { spec: horovod('hvd-spec') } });
    const { name } = await startMpiJob(created.id);
    const job = ops.resource(NS, name, 'MPIJob') as unknown as {
      spec: {
        mpiReplicaSpecs: Record<'Launcher' | 'Worker', { template: { spec: { containers: { command: string[] }[] } } }>;
      };
    };
    const command = (role: 'Launcher' | 'Worker') =>
      job.spec.mpiReplicaSpecs[role].template.spec.containers[0]?.command;
    expect(command('Launcher')?.at(-1)).toBe('horovodrun -np 2 python train.py');
    expect(command('Worker')).toEqual(['/opt/aiplat/entry.sh', '/usr/sbin/sshd', '-De']);
    await client.stopJob({ params: { id: created.id }, body: { force: true } });
  });

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

  it('a launcher exiting 3 fails the job with its exit code; the running workers end Stopped', async () => {
    const client = fx.client();
    const created = await client.createJob({ body: { spec: horovod('hvd-fail') } });
    const { name, launcher } = await startMpiJob(created.id);
    ops.podPhase(NS, launcher, 'Failed', 3);
    ops.finish(NS, name, 'Failed', 'launcher failed', 'MPIJob');
    const job = await waitForJob(client, created.id);
    expect(job.state).toBe('Failed');
    expect(job.reason).toMatchObject({ kind: 'exit-code', instance: 0, exitCode: 3 });
    expect(job.instances.map((i) => i.state)).toEqual(['Stopped', 'Stopped']);
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
