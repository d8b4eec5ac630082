import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  NetworkingV1Api,
  type KubernetesObject,
  type V1ClusterRole,
} from '@kubernetes/client-node';
import type { JobSpecInput, ServiceVersionSpecInput, TensorBoard } from '@aiplat/api';
import { waitForState } from '../../../../../testing/src/backend/jobs.js';
import { rejection } from '../../../../../testing/src/backend/rejection.js';
import { startPlatform, type PlatformFixture } from '../../../../../testing/src/backend/platformFixture.js';
import { waitForDevMachine } from '../../../../../testing/src/devMachines.js';
import { waitForService } from '../../../../../testing/src/services/waitForService.js';
import {
  createNamespace,
  envtestAssetsOrSkip,
  KUEUE_CRDS,
  type Envtest,
} from '../../../../../testing/src/kubernetes/envtest/index.js';
import type { RecordingProxy } from '../../../../../testing/src/kubernetes/envtest/recordingProxy.js';
import {
  bindClusterRole,
  grantsOf,
  rbacUse,
  refused,
} from '../../../../../testing/src/kubernetes/envtest/backendRole.js';
import { ROLE_GRANTS } from '../../../../../testing/src/kubernetes/envtest/backendRoleGrants.js';
import { WorkloadPods } from '../../../../../testing/src/kubernetes/envtest/workloadPods.js';
import {
  startRoleBoundPlatform,
  type RoleBoundPlatform,
} from '../../../../../testing/src/kubernetes/envtest/roleBoundPlatform.js';
import { KubeCluster } from '../cluster.js';
import { KubernetesConfigSchema } from '../config.js';
import { objectName } from '../manifests/jobMetadata.js';
import { kueueSetup } from '../manifests/kueue.js';
import { TENSORBOARD_RESOURCE } from '../tensorboard/tensorboardManifests.js';

/*
 * Dev machines, online services and TensorBoards on the Kubernetes engine against a real
 * kube-apiserver (envtest), the engine running with exactly the ClusterRole of
 * deploy/kubernetes/backend.yaml bound to its user, driven through the platform's HTTP API: the
 * StatefulSets, Deployments, Services, Secrets, ConfigMaps and NetworkPolicies are validated and
 * stored by the real server (which also allocates the SSH Service's node port), the scale and
 * restart patches are applied by it, and deletes really delete. What the StatefulSet and Deployment
 * controllers, the scheduler, the kubelet and the garbage collector would do is written by the test
 * through the real API (testing/src/kubernetes/envtest/workloadPods.ts). Still on the fake API
 * server (devMachines.e2e.test.ts, devMachineRepositories.e2e.test.ts, kubernetesEngine.e2e.test.ts):
 * pod exec (save as image, the Git repositories' statuses, accelerator use), pod logs and
 * metrics.k8s.io, since envtest has no kubelet and no metrics server. Kubeflow's Tensorboard CRD is
 * left out here, so TensorBoards take the Deployment path (both pass a dry run in realApiServer.e2e).
 * The engine talks to the server through a recording proxy, so every request it made (and any 403)
 * is known.
 */

const assets = envtestAssetsOrSkip('realWorkloads.e2e.test.ts');

const NS = 'aiplat-alice';
const NO_PATCH_USER = 'aiplat-backend-no-patch';
const OWNER_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';

const kubernetes = KubernetesConfigSchema.parse({
  enabled: true,
  defaultImage: 'pytorch:2.3',
  devMachineImage: 'registry.example.com/aiplat/devmachine:1',
});

let envtest: Envtest;
let proxy: RecordingProxy;
let pods: WorkloadPods;
let fx: PlatformFixture;
let role: V1ClusterRole;
let apps: AppsV1Api;
let core: CoreV1Api;
let net: NetworkingV1Api;

let cluster: RoleBoundPlatform | undefined;

beforeAll(async () => {
  if (!assets) return;
  cluster = await startRoleBoundPlatform({
    assets,
    // The TrainJob (a TensorBoard's job) and Kueue; no Kubeflow Tensorboard, so TensorBoards are the engine's own Deployment.
    crds: ['trainjobs.trainer.kubeflow.org', ...KUEUE_CRDS],
    kubernetes,
    users: [{ name: NO_PATCH_USER }],
    platform: {
      jobs: { stopGraceMs: 1_000, metricsIntervalMs: 100 },
      devMachines: { startDefault: false, kubernetesPollMs: 50, stopGraceMs: 1_000 },
      services: { stopGraceMs: 1_000 },
      tensorboard: { readyTimeoutMs: 20_000 },
    },
  });
  ({ envtest, proxy, fx, role } = cluster);
  expect(await cluster.admin.serves(TENSORBOARD_RESOURCE)).toBe(false);
  pods = new WorkloadPods(envtest.kubeConfig);
  apps = envtest.kubeConfig.makeApiClient(AppsV1Api);
  core = envtest.kubeConfig.makeApiClient(CoreV1Api);
  net = envtest.kubeConfig.makeApiClient(NetworkingV1Api);
}, 60_000);

afterAll(() => cluster?.close());

/** Whether the admin reads an object of that name (a 404 is false). */
async function exists(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return true;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return false;
    throw error;
  }
}

const there = {
  statefulSet: (name: string) => exists(() => apps.readNamespacedStatefulSet({ namespace: NS, name })),
  deployment: (name: string) => exists(() => apps.readNamespacedDeployment({ namespace: NS, name })),
  service: (name: string) => exists(() => core.readNamespacedService({ namespace: NS, name })),
  secret: (name: string) => exists(() => core.readNamespacedSecret({ namespace: NS, name })),
  configMap: (name: string) => exists(() => core.readNamespacedConfigMap({ namespace: NS, name })),
  policy: (name: string) => exists(() => net.readNamespacedNetworkPolicy({ namespace: NS, name })),
};

/** Which of a workload's objects the cluster holds, by kind. */
async function objectsOf(name: string, kinds: (keyof typeof there)[]): Promise<string[]> {
  const held = await Promise.all(kinds.map(async (kind) => ((await there[kind](name)) ? kind : undefined)));
  return held.filter((kind): kind is keyof typeof there => kind !== undefined);
}

describe.skipIf(!assets)('dev machines, services and TensorBoards on a real API server, with only the role', () => {
  it('dev machine: StatefulSet, Services, Secrets, NetworkPolicy; Running with SSH once its pod is Ready; stop, start, force stop, delete', async () => {
    const client = fx.client();
    await client.addSshKey({ body: { name: 'laptop', publicKey: `${OWNER_KEY} alice@laptop` } });
    const created = await client.createDevMachine({
      body: {
        spec: {
          name: 'real-box',
          engine: 'kubernetes',
          resources: { cpu: 2, memory: '8Gi' },
          ssh: { enabled: true },
        },
      },
    });
    const { id } = created;
    const name = objectName(id);
    const sts = await apps.readNamespacedStatefulSet({ namespace: NS, name });
    expect(sts.spec?.replicas).toBe(1);
    expect(sts.metadata?.labels).toMatchObject({ 'kueue.x-k8s.io/queue-name': 'default', 'aiplat.io/devmachine': id });
    expect(sts.spec?.template.spec?.containers[0]?.image).toBe(kubernetes.devMachineImage);
    expect(await objectsOf(name, ['service', 'policy'])).toEqual(['service', 'policy']);
    expect(await there.secret(`${name}-ide`)).toBe(true);
    expect(await there.secret(`${name}-ssh-host`)).toBe(true);
    // The policy's `from` survived the client's models and the server: only the backend gets in.
    const policy = await net.readNamespacedNetworkPolicy({ namespace: NS, name });
    expect(policy.spec?.ingress?.[0]?._from?.length).toBeGreaterThan(0);
    // The real server gave the SSH Service its node port.
    const sshService = await core.readNamespacedService({ namespace: NS, name: `${name}-ssh` });
    expect(sshService.spec?.type).toBe('NodePort');
    const nodePort = sshService.spec?.ports?.[0]?.nodePort;
    expect(nodePort).toBeGreaterThanOrEqual(30000);

    expect((await client.getDevMachine({ params: { id } })).state).toBe('Starting');
    const pod = await pods.run('StatefulSet', NS, name, 0, { hostIP: '10.0.0.7' });
    expect(pod).toBe(`${name}-0`);
    const running = await waitForDevMachine(client, id, ['Running', 'Failed'], 10_000);
    expect(running.state, running.failure?.message).toBe('Running');
    expect(fx.platform.devMachines.endpoint(id, 'jupyterlab')?.target).toEqual({
      host: `${name}.${NS}.svc`,
      port: 8888,
    });
    await expect
      .poll(async () => (await client.getDevMachine({ params: { id } })).ssh?.command, { timeout: 10_000 })
      .toBe(`ssh -p ${nodePort} root@10.0.0.7`);
    // The owner's key is in the pod's Secret; the fingerprint shown is its host key's, as ssh-keygen reads it.
    const ide = (await core.readNamespacedSecret({ namespace: NS, name: `${name}-ide` })).data ?? {};
    const decoded = (key: string) => Buffer.from(ide[key] ?? '', 'base64').toString();
    expect(decoded('authorized_keys')).toBe(`${OWNER_KEY}\n`);
    const keyDir = mkdtempSync(path.join(os.tmpdir(), 'aiplat-k8s-ssh-'));
    try {
      writeFileSync(path.join(keyDir, 'key'), decoded('ssh_host_ed25519_key'), { mode: 0o600 });
      const fingerprint = execFileSync('ssh-keygen', ['-lf', path.join(keyDir, 'key')], { encoding: 'utf8' });
      expect((await client.getDevMachine({ params: { id } })).ssh).toMatchObject({
        host: '10.0.0.7',
        port: nodePort,
        user: 'root',
        hostKeyFingerprint: fingerprint.split(' ')[1],
      });
    } finally {
      rmSync(keyDir, { recursive: true, force: true });
    }
    const { events } = await client.devMachineEvents({ params: { id } });
    expect(events.find((event) => event.type === 'ssh-started')?.message).toContain(`ssh -p ${nodePort} root@10.0.0.7`);

    await client.stopDevMachine({ params: { id }, body: {} });
    await expect.poll(() => objectsOf(name, ['statefulSet', 'service', 'policy']), { timeout: 10_000 }).toEqual([]);
    expect(await there.service(`${name}-ssh`)).toBe(false);
    expect(await there.secret(`${name}-ide`)).toBe(false);
    // Stopping until its pod is gone, which is the garbage collector's part here.
    expect((await client.getDevMachine({ params: { id } })).state).toBe('Stopping');
    expect(await pods.collect(NS, name)).toEqual([pod]);
    const stopped = await waitForDevMachine(client, id, ['Stopped'], 10_000);
    expect(stopped.ssh).toBeUndefined();
    const hostKey = (await core.readNamespacedSecret({ namespace: NS, name: `${name}-ssh-host` })).data;
    expect(hostKey?.['ssh_host_ed25519_key']).toBeDefined();

    // Started again it keeps its host key; a forced stop deletes its pod too, so it is Stopped at once.
    await client.startDevMachine({ params: { id }, body: {} });
    const again = await core.readNamespacedSecret({ namespace: NS, name: `${name}-ide` });
    expect(again.data?.['ssh_host_ed25519_key']).toBe(hostKey?.['ssh_host_ed25519_key']);
    await pods.run('StatefulSet', NS, name, 0, { hostIP: '10.0.0.8' });
    await waitForDevMachine(client, id, ['Running'], 10_000);
    await client.stopDevMachine({ params: { id }, body: { force: true } });
    await waitForDevMachine(client, id, ['Stopped'], 10_000);
    expect(await exists(() => core.readNamespacedPod({ namespace: NS, name: pod }))).toBe(false);
    expect(await objectsOf(name, ['statefulSet', 'service', 'policy'])).toEqual([]);

    await client.deleteDevMachine({ params: { id } });
    await expect.poll(() => there.secret(`${name}-ssh-host`), { timeout: 10_000 }).toBe(false);
  });

  it('service: ConfigMap, Service, NetworkPolicy, Deployment; Running; scaled, restarted, rolled to v2; stopped, deleted', async () => {
    const client = fx.client();
    const version: ServiceVersionSpecInput = {
      model: 'mount/models/tiny',
      image: 'registry.example.com/serve:1',
      command: 'python serve.py',
      resources: { cpu: 1, memory: '2Gi' },
      replicas: 1,
    };
    const deployed = await client.deployService({ body: { spec: { name: 'real-svc', auth: ['token'], version } } });
    expect(deployed).toMatchObject({ engine: 'kubernetes', state: 'Deploying' });
    const v1 = 'svc-real-svc-v1';
    const deployment = await apps.readNamespacedDeployment({ namespace: NS, name: v1 });
    expect(deployment.spec?.replicas).toBe(1);
    expect(deployment.spec?.template.metadata?.labels).toMatchObject({
      'aiplat.io/service': 'real-svc',
      'aiplat.io/service-version': '1',
    });
    expect(deployment.spec?.template.spec?.containers[0]?.image).toBe('registry.example.com/serve:1');
    expect(await objectsOf(v1, ['configMap', 'service', 'policy'])).toEqual(['configMap', 'service', 'policy']);

    const first = await pods.run('Deployment', NS, v1, 0);
    const running = await waitForService(client, 'real-svc', (s) => s.state === 'Running', 10_000);
    expect(running.replicas.map((r) => [r.version, r.index, r.state])).toEqual([[1, 0, 'Ready']]);

    // Scale: a merge patch of the Deployment's replicas, then its second pod.
    await client.updateService({ params: { name: 'real-svc' }, body: { replicas: 2 } });
    await expect
      .poll(async () => (await apps.readNamespacedDeployment({ namespace: NS, name: v1 })).spec?.replicas)
      .toBe(2);
    const second = await pods.run('Deployment', NS, v1, 1);
    await waitForService(client, 'real-svc', (s) => s.replicas.filter((r) => r.state === 'Ready').length === 2, 10_000);

    // Restart: the pod template's restartedAt annotation, as `kubectl rollout restart` sets it.
    await client.restartService({ params: { name: 'real-svc' } });
    await expect
      .poll(
        async () =>
          (await apps.readNamespacedDeployment({ namespace: NS, name: v1 })).spec?.template.metadata?.annotations?.[
            'kubectl.kubernetes.io/restartedAt'
          ],
      )
      .toMatch(/^\d{4}-\d\d-\d\dT/);

    // A new version: its own objects; once its replica is Ready, version 1's are deleted.
    await client.updateService({
      params: { name: 'real-svc' },
      body: { version: { ...version, image: 'registry.example.com/serve:2' } },
    });
    const v2 = 'svc-real-svc-v2';
    expect(await objectsOf(v2, ['configMap', 'service', 'policy', 'deployment'])).toHaveLength(4);
    await pods.run('Deployment', NS, v2, 0);
    const rolled = await waitForService(client, 'real-svc', (s) => s.state === 'Running' && s.version === 2, 10_000);
    expect(rolled.versions.find((v) => v.version === 2)?.serving).toBe(true);
    await expect
      .poll(() => objectsOf(v1, ['configMap', 'service', 'policy', 'deployment']), { timeout: 10_000 })
      .toEqual([]);
    expect((await pods.collect(NS, v1)).sort()).toEqual([first, second].sort());

    await client.stopService({ params: { name: 'real-svc' }, body: {} });
    await waitForService(client, 'real-svc', (s) => s.state === 'Stopped', 10_000);
    expect(await objectsOf(v2, ['configMap', 'service', 'policy', 'deployment'])).toEqual([]);
    await pods.collect(NS, v2);
    expect(await client.deleteService({ params: { name: 'real-svc' } })).toEqual({ deleted: 'real-svc' });
  });

  it("TensorBoard for a job: the engine's Deployment and Service (no Kubeflow); Running once its pod is; stop", async () => {
    const client = fx.client();
    const job = await client.createJob({
      body: {
        spec: {
          engine: 'kubernetes',
          name: 'real-tb-job',
          mode: 'ddp',
          nodes: 1,
          command: 'python train.py',
          resources: { cpu: 2, memory: '4Gi' },
        } as JobSpecInput,
      },
    });
    await waitForState(client, job.id, 'Queued', 15_000);
    const started = await client.startTensorBoard({ body: { jobId: job.id } });
    expect(started).toMatchObject({ engine: 'kubernetes', jobId: job.id, path: `home/summaries/${job.id}` });
    const name = objectName(started.id);
    const deployment = await apps.readNamespacedDeployment({ namespace: NS, name });
    const container = deployment.spec?.template.spec?.containers[0];
    expect(container?.image).toBe(kubernetes.tensorboardImage);
    expect(deployment.spec?.template.spec?.volumes?.[0]?.persistentVolumeClaim?.claimName).toBe('aiplat-home-alice');
    const service = await core.readNamespacedService({ namespace: NS, name });
    expect(service.spec?.ports?.[0]).toMatchObject({ port: 80 });
    expect(await there.policy(name)).toBe(true);

    const board = async (): Promise<TensorBoard | undefined> =>
      (await client.listTensorBoards()).items.find((b) => b.id === started.id);
    expect((await board())?.state).toBe('Starting');
    await pods.run('Deployment', NS, name, 0);
    await expect.poll(async () => (await board())?.state, { timeout: 10_000 }).toBe('Running');

    expect((await client.stopTensorBoard({ params: { id: started.id } })).state).toBe('Stopped');
    await expect.poll(() => objectsOf(name, ['deployment', 'service', 'policy']), { timeout: 10_000 }).toEqual([]);
    await pods.collect(NS, name);
    await client.stopJob({ params: { id: job.id }, body: {} });
    await waitForState(client, job.id, 'Stopped', 10_000);
  });

  it('a scale the cluster refuses is said in its words (403: the grant to ask for), not as an internal error', async () => {
    // backend.yaml's role without `patch` on Deployments, for a second backend with its own namespace.
    const rules = (role.rules ?? []).map((rule) =>
      rule.resources?.includes('deployments') ? { ...rule, verbs: rule.verbs.filter((v) => v !== 'patch') } : rule,
    );
    await bindClusterRole(envtest.kubeConfig, { metadata: { name: 'no-patch' }, rules }, NO_PATCH_USER);
    const namespace = await createNamespace(envtest.kubeConfig, 'nopatch-alice');
    for (const object of kueueSetup(kubernetes, { namespaces: [namespace] })) {
      if (object.kind === 'LocalQueue') await new KubeCluster(envtest.kubeConfig).create(object as KubernetesObject);
    }
    const limited = await startPlatform(
      { engine: 'kubernetes', kubernetes: { ...kubernetes, namespace: 'nopatch-{user}' } },
      { kubeConfig: envtest.kubeConfigFor(NO_PATCH_USER) },
    );
    try {
      const client = limited.client();
      const resources = { cpu: 1, memory: '2Gi' };
      const version = { model: 'mount/models/tiny', image: 'serve:1', command: 'serve', resources, replicas: 1 };
      await client.deployService({ body: { spec: { name: 'no-patch', auth: ['token'], version } } });
      await pods.run('Deployment', namespace, 'svc-no-patch-v1', 0);
      await waitForService(client, 'no-patch', (s) => s.state === 'Running', 10_000);
      const refusal = await rejection(client.updateService({ params: { name: 'no-patch' }, body: { replicas: 2 } }));
      expect(refusal.code).toBe('unavailable');
      expect(refusal.message).toMatch(
        /^the cluster refused the change to Deployment svc-no-patch-v1: .*forbidden.*; ask the operator to grant the backend patch on it$/,
      );
    } finally {
      await limited.close();
    }
  });

  // After the tests above: what these paths asked of the API server.
  it('the engine was refused nothing, and the workload paths used every grant marked for them', () => {
    const denied = refused(proxy.requests);
    expect(denied, `the role of backend.yaml lacks these: ${denied.join(', ')}`).toEqual([]);
    const marked = Object.entries(ROLE_GRANTS)
      .filter(([, { exercisedBy }]) => exercisedBy === 'workloads')
      .map(([grant]) => grant);
    expect(grantsOf(role)).toEqual(expect.arrayContaining(marked));
    const used = rbacUse(proxy.requests);
    const unused = marked.filter((grant) => !used.has(grant));
    expect(unused, 'grants the workload paths should have used').toEqual([]);
  });
});
