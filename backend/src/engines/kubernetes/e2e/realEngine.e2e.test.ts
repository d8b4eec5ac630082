import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, type V1ClusterRole } from '@kubernetes/client-node';
import type { JobSpecInput } from '@aiplat/api';
import { waitForJob, waitForState } from '../../../../../testing/src/backend/jobs.js';
import type { PlatformFixture } from '../../../../../testing/src/backend/platformFixture.js';
import {
  envtestAssetsOrSkip,
  JOB_CRDS,
  KUEUE_CRDS,
  type Envtest,
} from '../../../../../testing/src/kubernetes/envtest/index.js';
import { EnvtestOperators } from '../../../../../testing/src/kubernetes/envtest/operatorProgress.js';
import type { RecordingProxy } from '../../../../../testing/src/kubernetes/envtest/recordingProxy.js';
import { grantsOf, rbacUse, refused } from '../../../../../testing/src/kubernetes/envtest/backendRole.js';
import { ROLE_GRANTS } from '../../../../../testing/src/kubernetes/envtest/backendRoleGrants.js';
import {
  startRoleBoundPlatform,
  type RoleBoundPlatform,
} from '../../../../../testing/src/kubernetes/envtest/roleBoundPlatform.js';
import { KubernetesConfigSchema } from '../config.js';
import { objectName } from '../manifests/jobMetadata.js';

/*
 * The Kubernetes engine end to end against a real kube-apiserver (envtest), running with exactly
 * the ClusterRole of deploy/kubernetes/backend.yaml bound to its user: jobs are created, validated
 * (schemas, CEL) and stored by the real server, the engine's informers list and watch with real
 * resourceVersions, and what Kueue, the operators and the kubelet would do is written by the test
 * through the real API (testing/src/kubernetes/envtest/operatorProgress.ts). Pod logs and
 * metrics.k8s.io still need the fake API server (kubernetesEngine.e2e.test.ts, and the program
 * output of launcherModes.e2e.test.ts and modesRecovery.e2e.test.ts): envtest has no kubelet and no
 * metrics server. Nor a garbage collector: a deleted job's pods are removed by the test.
 * The engine talks to the server through a recording proxy, so every request it made (and any 403)
 * is known.
 */

const assets = envtestAssetsOrSkip('realEngine.e2e.test.ts');

const NS = 'aiplat-alice';

const kubernetes = KubernetesConfigSchema.parse({ enabled: true, defaultImage: 'pytorch:2.3' });

let envtest: Envtest;
let proxy: RecordingProxy;
let ops: EnvtestOperators;
let fx: PlatformFixture;
let role: V1ClusterRole;

let cluster: RoleBoundPlatform | undefined;

beforeAll(async () => {
  if (!assets) return;
  cluster = await startRoleBoundPlatform({
    assets,
    crds: [...JOB_CRDS, ...KUEUE_CRDS],
    kubernetes,
    platform: { jobs: { stopGraceMs: 1_000, metricsIntervalMs: 100 } },
  });
  ({ envtest, proxy, fx, role } = cluster);
  ops = new EnvtestOperators(envtest.kubeConfig);
}, 60_000);

afterAll(() => cluster?.close());

// ---- jobs -----------------------------------------------------------------------------------------

const resources = { cpu: 4, memory: '16Gi', accelerator: { type: 'nvidia', count: 1 } };

function spec(fields: Record<string, unknown>): JobSpecInput {
  return { engine: 'kubernetes', command: 'python train.py', resources, ...fields } as JobSpecInput;
}

async function submit(fields: Record<string, unknown>): Promise<{ id: string; name: string }> {
  const created = await fx.client().createJob({ body: { spec: spec(fields) } });
  expect(created.engine).toBe('kubernetes');
  await waitForState(fx.client(), created.id, 'Queued', 15_000);
  return { id: created.id, name: objectName(created.id) };
}

describe.skipIf(!assets)('the Kubernetes engine on a real API server, with only its documented role', () => {
  it('ddp: a suspended TrainJob and its ConfigMap; Kueue’s wait, admission, pods, Running → Succeeded', async () => {
    const client = fx.client();
    const { id, name } = await submit({ name: 'real-ddp', mode: 'ddp', nodes: 2, hyperparameters: { lr: 0.01 } });

    const trainJob = await ops.job(NS, name);
    expect(trainJob?.spec).toMatchObject({ suspend: true, trainer: { numNodes: 2 } });
    expect(trainJob?.metadata.labels).toMatchObject({ 'kueue.x-k8s.io/queue-name': 'default', 'aiplat.io/job-id': id });
    const configMaps = await envtest.kubeConfig.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: NS });
    const configMap = configMaps.items.find((c) => c.metadata?.name?.startsWith(name));
    expect(configMap?.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'TrainJob',
      name,
      uid: trainJob?.metadata.uid,
    });
    expect(JSON.parse(configMap?.data?.['hyperparameters.json'] ?? '{}')).toEqual({ lr: 0.01 });

    // No Workload yet: the engine says it waits for Kueue to make one.
    expect((await client.getJob({ params: { id } })).waitReason?.message).toMatch(
      /waiting for Kueue to create its Workload/,
    );
    await ops.pending(
      NS,
      name,
      "couldn't assign flavors to pod set main: insufficient unused quota for nvidia.com/gpu in flavor default-flavor, 1 more needed",
    );
    const waiting = await waitForJob(
      client,
      id,
      (j) => j.waitReason?.message.includes('insufficient') === true,
      10_000,
    );
    expect(waiting).toMatchObject({ state: 'Queued', waitReason: { resource: 'accelerator' } });

    await ops.admit(NS, name);
    expect((await ops.job(NS, name))?.spec).toMatchObject({ suspend: false });
    const pods = await ops.startPods(NS, name, 2);
    const running = await waitForState(client, id, 'Running', 10_000);
    expect(running.instances.map((i) => [i.state, i.pod, i.node])).toEqual([
      ['Running', pods[0], 'node-0'],
      ['Running', pods[1], 'node-1'],
    ]);

    for (const pod of pods) await ops.podPhase(NS, pod, 'Succeeded');
    await ops.finish(NS, name, 'Complete', 'jobset completed');
    const done = await waitForState(client, id, 'Succeeded', 10_000);
    expect(done.instances.map((i) => i.state)).toEqual(['Succeeded', 'Succeeded']);
    const events = (await client.jobEvents({ params: { id }, query: {} })).events.map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['queued', 'started', 'succeeded']));
  });

  it('stop before admission deletes the TrainJob; the job is Stopped, not lost', async () => {
    const client = fx.client();
    const queued = await submit({ name: 'real-stop-queued', mode: 'ddp', nodes: 1 });
    // The watch's delete event and the DELETE's answer race over real connections; an answer that
    // comes second must not make the stop look like a deletion from outside.
    proxy.slowDeletesMs = 300;
    try {
      await client.stopJob({ params: { id: queued.id }, body: {} });
    } finally {
      proxy.slowDeletesMs = 0;
    }
    const stopped = await waitForJob(client, queued.id, (j) => j.state !== 'Queued', 10_000);
    expect(stopped.reason?.message, stopped.reason?.message).toBeUndefined();
    expect(stopped.state).toBe('Stopped');
    expect(await ops.job(NS, queued.name)).toBeUndefined();
  });

  it('stop while running deletes the TrainJob; the job is Stopped once its pods are gone', async () => {
    const client = fx.client();
    const started = await submit({ name: 'real-stop-running', mode: 'ddp', nodes: 1 });
    await ops.admit(NS, started.name);
    await ops.startPods(NS, started.name, 1);
    await waitForState(client, started.id, 'Running', 10_000);
    await client.stopJob({ params: { id: started.id }, body: {} });
    await waitForJob(client, started.id, (j) => j.state === 'Stopping', 10_000);
    await expect.poll(() => ops.job(NS, started.name), { timeout: 10_000 }).toBeUndefined();
    // Not Stopped while its pod is there; the garbage collector's part is the test's here.
    expect((await client.getJob({ params: { id: started.id } })).state).toBe('Stopping');
    expect(await ops.collectPods(NS, started.name)).toHaveLength(1);
    await waitForState(client, started.id, 'Stopped', 10_000);
  });

  it('deepspeed: a TrainJob on the deepspeed runtime is stored and queued, and stopped', async () => {
    const { id, name } = await submit({ name: 'real-deepspeed', mode: 'deepspeed', image: 'ds:1', nodes: 2 });
    expect((await ops.job(NS, name))?.spec).toMatchObject({
      suspend: true,
      runtimeRef: { name: 'deepspeed-distributed' },
    });
    await fx.client().stopJob({ params: { id }, body: {} });
    await waitForState(fx.client(), id, 'Stopped', 10_000);
    expect(await ops.job(NS, name)).toBeUndefined();
  });

  it('mpi: an MPIJob waits for Kueue, then its launcher and workers run it to Succeeded', async () => {
    const client = fx.client();
    const { id, name } = await submit({ name: 'real-mpi', mode: 'mpi', image: 'mpi:1', nodes: 2 });
    expect((await ops.job(NS, name, 'MPIJob'))?.spec).toMatchObject({ runPolicy: { suspend: true } });
    await ops.pending(NS, name, 'insufficient unused quota for cpu in flavor default-flavor', 'MPIJob');
    const waiting = await waitForJob(client, id, (j) => j.waitReason?.resource === 'cpu', 10_000);
    expect(waiting.state).toBe('Queued');
    await ops.admit(NS, name, 'MPIJob');
    const { workers } = await ops.mpiPods(NS, name, 2);
    const running = await waitForState(client, id, 'Running', 10_000);
    expect(running.instances.map((i) => i.pod)).toEqual(workers);
    await ops.finish(NS, name, 'Complete', 'MPIJob succeeded', 'MPIJob');
    await waitForState(client, id, 'Succeeded', 10_000);
  });

  it('ray: a RayJob waits for Kueue, then its head and worker run; FAILED fails the job', async () => {
    const client = fx.client();
    const { id, name } = await submit({
      name: 'real-ray',
      mode: 'ray',
      image: 'ray:2',
      resources: undefined,
      head: { resources: { cpu: 2, memory: '8Gi' } },
      workerGroups: [{ name: 'gpu', replicas: 1, resources }],
    });
    expect((await ops.job(NS, name, 'RayJob'))?.spec).toMatchObject({ suspend: true });
    await ops.admit(NS, name, 'RayJob');
    const pods = await ops.rayPods(NS, name, ['gpu-0']);
    const running = await waitForState(client, id, 'Running', 10_000);
    expect(running.instances.map((i) => i.pod)).toEqual(pods);
    await ops.finish(NS, name, 'Failed', 'entrypoint exited 1', 'RayJob');
    const failed = await waitForState(client, id, 'Failed', 10_000);
    expect(failed.reason?.message).toMatch(/entrypoint exited 1/);
  });

  it('ps-worker: a JobSet waits for Kueue, then its ps and worker pods run it to Succeeded', async () => {
    const client = fx.client();
    const { id, name } = await submit({
      name: 'real-ps',
      mode: 'ps-worker',
      image: 'tf:2',
      ps: 1,
      workers: 2,
      psResources: { cpu: 2, memory: '4Gi' },
    });
    expect((await ops.job(NS, name, 'JobSet'))?.spec).toMatchObject({ suspend: true });
    await ops.admit(NS, name, 'JobSet');
    const pods = await ops.jobSetPods(NS, name, 1, 2);
    const running = await waitForState(client, id, 'Running', 10_000);
    expect(running.instances.map((i) => i.pod)).toEqual(pods);
    await ops.finish(NS, name, 'Complete', 'jobset completed', 'JobSet');
    await waitForState(client, id, 'Succeeded', 10_000);
  });

  // Horovod: the MPIJob's launcher runs the command, its workers sshd; the launcher's outcome is the job's.
  const horovod = (name: string) => ({
    name,
    mode: 'horovod',
    nodes: 2,
    command: 'horovodrun -np 2 python train.py',
    resources: { cpu: 2, memory: '4Gi' },
  });
  type Replicas = Record<'Launcher' | 'Worker', { template: { spec: { containers: { command: string[] }[] } } }>;

  it('horovod: the MPIJob runs the command on the launcher only; its workers run sshd', async () => {
    const client = fx.client();
    const { id, name } = await submit(horovod('real-hvd-spec'));
    const replicas = (await ops.job(NS, name, 'MPIJob'))?.spec?.mpiReplicaSpecs as Replicas;
    const command = (role: keyof Replicas) => replicas[role].template.spec.containers[0]?.command;
    expect(command('Launcher')?.at(-1)).toBe('horovodrun -np 2 python train.py');
    expect(command('Worker')).toEqual(['/opt/aiplat/entry.sh', '/usr/sbin/sshd', '-De']);
    await ops.admit(NS, name, 'MPIJob');
    const { launcher, workers } = await ops.mpiPods(NS, name, 2);
    await waitForState(client, id, 'Running', 10_000);
    // A forced stop deletes the MPIJob and its pods at once.
    await client.stopJob({ params: { id }, body: { force: true } });
    await waitForState(client, id, 'Stopped', 10_000);
    expect(await ops.job(NS, name, 'MPIJob')).toBeUndefined();
    const core = envtest.kubeConfig.makeApiClient(CoreV1Api);
    const ours = async () =>
      (await core.listNamespacedPod({ namespace: NS })).items
        .map((p) => p.metadata?.name)
        .filter((pod) => pod === launcher || workers.includes(pod ?? ''));
    await expect.poll(ours, { timeout: 10_000 }).toEqual([]);
  });

  it('horovod: a launcher exiting 3 fails the job with its exit code; the running workers end Stopped', async () => {
    const client = fx.client();
    const { id, name } = await submit(horovod('real-hvd-fail'));
    await ops.admit(NS, name, 'MPIJob');
    const { launcher } = await ops.mpiPods(NS, name, 2);
    await waitForState(client, id, 'Running', 10_000);
    await ops.podPhase(NS, launcher, 'Failed', 3);
    await ops.finish(NS, name, 'Failed', 'launcher failed', 'MPIJob');
    const job = await waitForJob(client, id, (j) => j.state !== 'Running', 10_000);
    expect(job.state).toBe('Failed');
    expect(job.reason).toMatchObject({ kind: 'exit-code', instance: 0, exitCode: 3 });
    expect(job.instances.map((i) => i.state)).toEqual(['Stopped', 'Stopped']);
  });

  // After the tests above: what their job paths asked of the API server.
  it('the engine was refused nothing; every grant of its role is accounted for, and the job paths used theirs', () => {
    const denied = refused(proxy.requests);
    expect(denied, `the role of backend.yaml lacks these: ${denied.join(', ')}`).toEqual([]);
    expect(grantsOf(role).sort()).toEqual(Object.keys(ROLE_GRANTS).sort());
    const used = rbacUse(proxy.requests);
    const unused = Object.entries(ROLE_GRANTS)
      .filter(([grant, { exercisedBy }]) => exercisedBy === 'jobs' && !used.has(grant))
      .map(([grant]) => grant);
    expect(unused, 'grants the job paths should have used').toEqual([]);
  });
});
