import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, CustomObjectsApi, type KubernetesObject } from '@kubernetes/client-node';
import { waitForJob, waitForState, kubernetesDdpSpec } from '../../../../../testing/src/backend/jobs.js';
import { rejection } from '../../../../../testing/src/backend/rejection.js';
import { startPlatform, TOKENS, type PlatformFixture } from '../../../../../testing/src/backend/platformFixture.js';
import {
  createNamespace,
  envtestAssetsOrSkip,
  installCrds,
  startEnvtest,
  type Envtest,
} from '../../../../../testing/src/kubernetes/envtest/index.js';
import { applyBackendRole, refused } from '../../../../../testing/src/kubernetes/envtest/backendRole.js';
import { JobProgress } from '../../../../../testing/src/kubernetes/envtest/jobProgress.js';
import { EnvtestOperators } from '../../../../../testing/src/kubernetes/envtest/operatorProgress.js';
import { recordingProxy, type RecordingProxy } from '../../../../../testing/src/kubernetes/envtest/recordingProxy.js';
import { runCli } from '../../../cli/program.js';
import { KubeCluster } from '../cluster.js';
import { KubernetesConfigSchema } from '../config.js';
import { objectName } from '../manifests/jobMetadata.js';
import { kueueSetup } from '../manifests/kueue.js';

/*
 * How jobs end, and what the job API says about the cluster, with the Kubernetes engine on a real
 * kube-apiserver (envtest) and exactly backend.yaml's ClusterRole, through a recording proxy: a
 * failed pod, an automatic restart, an image that cannot be pulled (the kubelet's Warning Event is
 * an ordinary API object), a TrainJob deleted from outside, start again, the dry-run endpoint, the
 * CLI, a local job beside them, and a cluster without the operators or the namespace a job needs.
 * What Kueue, the operators, the kubelet and the garbage collector would write is written by the
 * test (operatorProgress.ts, jobProgress.ts). The server starts with no CRDs: the first group runs
 * before Kubeflow Trainer's and Kueue's are installed.
 */

const assets = envtestAssetsOrSkip('realEngineOutcomes.e2e.test.ts');

const NS = 'aiplat-alice';
const BACKEND_USER = 'aiplat-backend';
const TRAINJOB_CRD = 'trainjobs.trainer.kubeflow.org';
const KUEUE_CRDS = ['workloads', 'localqueues', 'clusterqueues', 'resourceflavors', 'workloadpriorityclasses'].map(
  (plural) => `${plural}.kueue.x-k8s.io`,
);
const TRAINJOBS = { group: 'trainer.kubeflow.org', version: 'v1alpha1', plural: 'trainjobs' };

const kubernetes = KubernetesConfigSchema.parse({ enabled: true, defaultImage: 'pytorch:2.3' });
/** The local engine stays the default: Kubernetes jobs say so. */
const config = { engine: 'local' as const, kubernetes, jobs: { stopGraceMs: 1_000, metricsIntervalMs: 100 } };

let envtest: Envtest;
let proxy: RecordingProxy;

beforeAll(async () => {
  if (!assets) return;
  envtest = await startEnvtest({ assets, users: [{ name: BACKEND_USER }] });
  await applyBackendRole(envtest.kubeConfig, BACKEND_USER);
  proxy = await recordingProxy(envtest, BACKEND_USER);
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await envtest?.stop();
});

describe.skipIf(!assets)('a cluster without the operators a mode needs', () => {
  let platform: PlatformFixture | undefined;
  afterEach(async () => {
    await platform?.close();
    platform = undefined;
  });

  it('says which CRD is missing and what to install, at the field', async () => {
    platform = await startPlatform(config, { kubeConfig: proxy.kubeConfig });
    const error = await rejection(platform.client().createJob({ body: { spec: kubernetesDdpSpec() } }));
    expect(error).toMatchObject({ status: 400, issues: [{ path: 'body.spec.mode' }] });
    expect(error.message).toMatch(
      /ddp jobs run as a TrainJob \(trainjobs\.trainer\.kubeflow\.org\/v1alpha1\), which the cluster at .* does not serve: ask the operator to install Kubeflow Trainer v2/,
    );
  });

  it('says that Kueue is missing once the TrainJob is served', async () => {
    await installCrds(envtest.kubeConfig, { only: [TRAINJOB_CRD] });
    platform = await startPlatform(config, { kubeConfig: proxy.kubeConfig });
    const error = await rejection(platform.client().createJob({ body: { spec: kubernetesDdpSpec() } }));
    expect(error).toMatchObject({ status: 400, issues: [{ path: 'body.spec.queue' }] });
    expect(error.message).toMatch(/does not serve Kueue/);
  });
});

describe.skipIf(!assets)('how jobs end on a real API server, with only the documented role', () => {
  let ops: EnvtestOperators;
  let progress: JobProgress;
  let fx: PlatformFixture;

  beforeAll(async () => {
    if (!assets) return;
    // What these (ddp) jobs need: Kubeflow Trainer (already there when the group above ran) and
    // Kueue; the other operators' CRDs stay out (each costs the server time to establish).
    await installCrds(envtest.kubeConfig, { only: [TRAINJOB_CRD, ...KUEUE_CRDS] });
    ops = new EnvtestOperators(envtest.kubeConfig);
    progress = new JobProgress(envtest.kubeConfig);
    await createNamespace(envtest.kubeConfig, NS);
    const admin = new KubeCluster(envtest.kubeConfig);
    for (const object of kueueSetup(kubernetes, { namespaces: [NS] })) await admin.create(object as KubernetesObject);
    fx = await startPlatform(config, { kubeConfig: proxy.kubeConfig });
  }, 60_000);

  afterAll(async () => {
    await fx?.close();
  });

  async function submit(overrides: Record<string, unknown>): Promise<{ id: string; name: string }> {
    const created = await fx.client().createJob({ body: { spec: kubernetesDdpSpec(overrides) } });
    expect(created.engine).toBe('kubernetes');
    await waitForState(fx.client(), created.id, 'Queued', 15_000);
    return { id: created.id, name: objectName(created.id) };
  }

  /** The job's events of `type`, as the API lists them. */
  async function eventsOf(id: string, type: string) {
    return (await fx.client().jobEvents({ params: { id }, query: {} })).events.filter((e) => e.type === type);
  }

  /** The ConfigMaps of a job's TrainJob `name`, as stored. */
  async function configMapsOf(name: string) {
    const core = envtest.kubeConfig.makeApiClient(CoreV1Api);
    return (await core.listNamespacedConfigMap({ namespace: NS })).items.filter((c) =>
      c.metadata?.name?.startsWith(name),
    );
  }

  it('a failed pod fails the job with its pod name and exit code', async () => {
    const client = fx.client();
    const { id, name } = await submit({ name: 'fails' });
    await ops.admit(NS, name);
    const pods = await ops.startPods(NS, name, 2);
    await waitForState(client, id, 'Running', 10_000);
    await ops.podPhase(NS, pods[1]!, 'Failed', 3);
    await ops.finish(NS, name, 'Failed', 'jobset failed');
    const failed = await waitForState(client, id, 'Failed', 10_000);
    expect(failed.reason).toMatchObject({ kind: 'exit-code', instance: 1, exitCode: 3 });
    expect(failed.reason?.message).toContain(`pod ${pods[1]}`);
  });

  it('auto-restarts a failed TrainJob by creating it again, then succeeds', async () => {
    const client = fx.client();
    const { id, name } = await submit({ name: 'flaky', nodes: 1, autoRestart: { maxRestarts: 1 } });
    const firstUid = (await ops.job(NS, name))!.metadata.uid;
    await ops.admit(NS, name);
    const [first] = await ops.startPods(NS, name, 1);
    await waitForState(client, id, 'Running', 10_000);
    await ops.podPhase(NS, first!, 'Failed', 137);
    await ops.finish(NS, name, 'Failed', 'jobset failed');
    const requeued = await waitForJob(client, id, (j) => j.restarts === 1 && j.state === 'Queued', 10_000);
    expect(requeued.instances[0]?.state).toBe('Pending');
    // Created again (the ConfigMap last), under the same name.
    await expect
      .poll(async () => (await eventsOf(id, 'engine')).some((e) => /TrainJob .* again for the restart/.test(e.message)))
      .toBe(true);
    const second = await ops.job(NS, name);
    expect(second?.metadata.uid).not.toBe(firstUid);
    expect(second?.spec).toMatchObject({ suspend: true });
    // Its ConfigMap is the new run's: the old one (owned by the deleted TrainJob) was replaced.
    const configMaps = await configMapsOf(name);
    expect(configMaps.map((c) => c.metadata?.ownerReferences?.[0]?.uid)).toEqual([second?.metadata.uid]);

    // Followed with the failed run's pod still there (the garbage collector has not come yet): that
    // pod is not the new run's, the job waits for Kueue again.
    const again = await waitForJob(client, id, (j) => /waiting for Kueue to create/.test(j.waitReason?.message ?? ''));
    expect(again).toMatchObject({ state: 'Queued', restarts: 1, instances: [{ state: 'Pending' }] });
    // The garbage collector's part for the deleted TrainJob: its pod and Workload.
    expect((await progress.collectOwnedBy(NS, firstUid)).sort()).toEqual([
      `Pod/${first}`,
      `Workload/${ops.workloadName(name)}`,
    ]);
    await ops.pending(NS, name, 'insufficient unused quota for cpu in flavor default-flavor');
    const waiting = await waitForJob(client, id, (j) => j.waitReason?.resource === 'cpu', 10_000);
    expect(waiting).toMatchObject({ state: 'Queued', restarts: 1 });

    await ops.admit(NS, name);
    const [pod] = await ops.startPods(NS, name, 1);
    await waitForState(client, id, 'Running', 10_000);
    await ops.podPhase(NS, pod!, 'Succeeded');
    await ops.finish(NS, name, 'Complete', 'done');
    const done = await waitForState(client, id, 'Succeeded', 10_000);
    expect(done.restarts).toBe(1);
    expect((await eventsOf(id, 'restarting'))[0]?.message).toMatch(/exited with code 137; restarting \(1 of 1\)/);
  });

  it('a pod whose image cannot be pulled is a warning event, with the kubelet’s Event; the job stays Starting', async () => {
    const client = fx.client();
    const { id, name } = await submit({ name: 'bad-image', nodes: 1 });
    await ops.admit(NS, name);
    const [pod] = await ops.startPods(NS, name, 1, 'Pending');
    await waitForState(client, id, 'Starting', 10_000);
    const pullFailed = await progress.imagePullBackOff(NS, pod!, 'nope:1', 'pull access denied for nope');
    await expect
      .poll(async () => (await eventsOf(id, 'warning')).map((e) => [e.instance, e.message]), { timeout: 10_000 })
      .toEqual(
        expect.arrayContaining([
          [0, `instance 0 (pod ${pod}) cannot start: ImagePullBackOff: Back-off pulling image "nope:1"`],
          [0, `Pod ${pod}: Failed: ${pullFailed}`],
        ]),
      );
    expect((await client.getJob({ params: { id } })).state).toBe('Starting');
    await client.stopJob({ params: { id }, body: {} });
    await expect.poll(() => ops.job(NS, name), { timeout: 10_000 }).toBeUndefined();
    await ops.collectPods(NS, name);
    await waitForState(client, id, 'Stopped', 10_000);
  });

  it('a TrainJob deleted outside the platform makes the job Failed (lost), naming it', async () => {
    const client = fx.client();
    const { id, name } = await submit({ name: 'lost' });
    // The engine has followed the TrainJob (and its Workload) before it goes.
    await ops.pending(NS, name, 'insufficient unused quota for cpu in flavor default-flavor');
    await waitForJob(client, id, (j) => j.waitReason?.resource === 'cpu', 10_000);
    await envtest.kubeConfig
      .makeApiClient(CustomObjectsApi)
      .deleteNamespacedCustomObject({ ...TRAINJOBS, namespace: NS, name });
    const lost = await waitForState(client, id, 'Failed', 10_000);
    expect(lost.reason).toMatchObject({ kind: 'lost' });
    expect(lost.reason?.message).toContain(`TrainJob ${name} was deleted`);
  });

  it('start again re-creates the TrainJob and its ConfigMap; delete removes the TrainJob, which owns the ConfigMap', async () => {
    const client = fx.client();
    const { id, name } = await submit({ name: 'again', hyperparameters: { lr: 0.01 } });
    const firstUid = (await ops.job(NS, name))!.metadata.uid;
    await client.stopJob({ params: { id }, body: {} });
    await waitForState(client, id, 'Stopped', 10_000);
    expect(await ops.job(NS, name)).toBeUndefined();

    await client.startJobAgain({ params: { id }, body: {} });
    await waitForState(client, id, 'Queued', 15_000);
    const again = await ops.job(NS, name);
    expect(again?.spec).toMatchObject({ suspend: true });
    expect(again?.metadata.uid).not.toBe(firstUid);
    // The stopped run's ConfigMap (no garbage collector here) was replaced by one the new TrainJob owns.
    const [configMap, ...more] = await configMapsOf(name);
    expect(more).toEqual([]);
    expect(configMap?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'TrainJob', uid: again?.metadata.uid });
    expect(JSON.parse(configMap?.data?.['hyperparameters.json'] ?? '{}')).toEqual({ lr: 0.01 });

    await client.stopJob({ params: { id }, body: {} });
    await waitForState(client, id, 'Stopped', 10_000);
    await client.deleteJob({ params: { id } });
    expect(await ops.job(NS, name)).toBeUndefined();
    // What is left is the garbage collector's: owned by the deleted TrainJob, nothing else.
    expect(await progress.collectOwnedBy(NS, again!.metadata.uid)).toEqual([`ConfigMap/${configMap?.metadata?.name}`]);
    expect(await configMapsOf(name)).toEqual([]);
  });

  it('refuses a queue the config does not list, naming the queues at the field', async () => {
    const error = await rejection(fx.client().createJob({ body: { spec: kubernetesDdpSpec({ queue: 'nope' }) } }));
    expect(error).toMatchObject({ status: 400, issues: [{ path: 'body.spec.queue', message: 'one of default' }] });
    expect(error.message).toMatch(/cannot run on the Kubernetes engine/);
  });

  it('dry run: the exact objects, and the cluster’s server-side dry run of them, creating nothing', async () => {
    const since = Date.now();
    const answer = await fx.client().dryRunJob({ body: { spec: kubernetesDdpSpec({ name: 'dry' }) } });
    const manifests = answer.manifests as KubernetesObject[];
    expect(manifests.map((m) => m.kind)).toEqual(['ConfigMap', 'TrainJob']);
    expect(answer.yaml).toContain('kind: TrainJob');
    expect(answer.serverDryRun).toMatchObject({ ok: true });
    expect(answer.serverDryRun?.objects).toHaveLength(2);
    const dryRuns = proxy.requests.filter(
      (r) => r.at >= since && r.method === 'POST' && new URL(r.path, 'http://x').searchParams.get('dryRun') === 'All',
    );
    expect(dryRuns.map((r) => r.status)).toEqual([201, 201]);
    expect(proxy.requests.filter((r) => r.at >= since && r.method === 'POST' && !r.path.includes('dryRun'))).toEqual(
      [],
    );
    const trainJob = manifests[1]!.metadata!.name!;
    expect(await ops.job(NS, trainJob)).toBeUndefined();
    expect(await configMapsOf(trainJob)).toEqual([]);
  });

  it('the CLI submits a job.yaml to the cluster with --engine kubernetes', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-cli-k8s-'));
    try {
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
      const job = await waitForState(fx.client(), id, 'Queued', 15_000);
      expect(job.engine).toBe('kubernetes');
      expect((await ops.job(NS, objectName(id)))?.spec).toMatchObject({ trainer: { numNodes: 2 } });
      await fx.client().stopJob({ params: { id }, body: {} });
      await waitForState(fx.client(), id, 'Stopped', 10_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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

  it('a missing namespace fails the job saying so', async () => {
    // Bob's namespace, aiplat-bob, was never created.
    const created = await fx.client('bob').createJob({ body: { spec: kubernetesDdpSpec() } });
    const failed = await waitForState(fx.client('bob'), created.id, 'Failed', 10_000);
    expect(failed.reason).toMatchObject({ kind: 'engine-error' });
    expect(failed.reason?.message).toMatch(/namespace aiplat-bob does not exist/);
  });

  // Last: what every test above asked of the API server.
  it('the engine was refused nothing', () => {
    const denied = refused(proxy.requests);
    expect(denied, `the role of backend.yaml lacks these: ${denied.join(', ')}`).toEqual([]);
  });
});
