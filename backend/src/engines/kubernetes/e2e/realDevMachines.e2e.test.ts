import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  NetworkingV1Api,
  type V1ContainerStatus,
  type V1PodStatus,
} from '@kubernetes/client-node';
import { encodeLifecycleScript, type DevMachineSpecInput } from '@aiplat/api';
import { rejection } from '../../../../../testing/src/backend/rejection.js';
import type { PlatformFixture } from '../../../../../testing/src/backend/platformFixture.js';
import { waitForDevMachine } from '../../../../../testing/src/devMachines.js';
import { envtestAssetsOrSkip, KUEUE_CRDS, type Envtest } from '../../../../../testing/src/kubernetes/envtest/index.js';
import type { RecordingProxy } from '../../../../../testing/src/kubernetes/envtest/recordingProxy.js';
import { retryingConflicts } from '../../../../../testing/src/kubernetes/envtest/conflicts.js';
import { refused } from '../../../../../testing/src/kubernetes/envtest/backendRole.js';
import { WorkloadPods } from '../../../../../testing/src/kubernetes/envtest/workloadPods.js';
import {
  startRoleBoundPlatform,
  type RoleBoundPlatform,
} from '../../../../../testing/src/kubernetes/envtest/roleBoundPlatform.js';
import { KubernetesConfigSchema } from '../config.js';
import { devMachineObjectName } from '../devmachines/devMachineNames.js';

/*
 * Dev machines on the Kubernetes engine against a real kube-apiserver (envtest), the engine running
 * with exactly the ClusterRole of deploy/kubernetes/backend.yaml bound to its user, through a
 * recording proxy: Kueue's wait (the admission gate on the pod), the tokens in the machine's
 * Secret and the IDE endpoints at its Service, a lifecycle config's scripts and their failure, an
 * image that cannot be pulled, and what the platform refuses. The pod's status is what the test
 * writes through the real API as Kueue, the scheduler and the kubelet would (envtest runs none of
 * them): the gate, Ready, a lifecycle script's termination message, ImagePullBackOff. No garbage
 * collector either: a stopped machine's pod is removed by the test. The proxy's endpoint for an IDE
 * is the Service's DNS name, which the test reads, not dials. The dev machine's create, SSH, stop,
 * start, force stop and delete are in realWorkloads.e2e.test.ts. What needs a kubelet or a metrics
 * server stays on the fake API server in devMachines.e2e.test.ts (metrics.k8s.io for idleness, pod
 * exec for nvidia-smi and save as image) and devMachineRepositories.e2e.test.ts (pod exec). Only
 * Kueue's CRDs are installed: no job is run here, and installing the training operators' large
 * CRDs would be most of the file's time.
 */

const assets = envtestAssetsOrSkip('realDevMachines.e2e.test.ts');

const NS = 'aiplat-alice';
const IMAGE = 'registry.example.com/aiplat/devmachine:1';
const kubernetes = KubernetesConfigSchema.parse({
  enabled: true,
  devMachineImage: IMAGE,
  platformUrl: 'http://aiplat.aiplat-system.svc:8080',
});

let envtest: Envtest;
let proxy: RecordingProxy;
let fx: PlatformFixture;
let apps: AppsV1Api;
let core: CoreV1Api;
let net: NetworkingV1Api;
let pods: WorkloadPods;

let cluster: RoleBoundPlatform | undefined;

beforeAll(async () => {
  if (!assets) return;
  cluster = await startRoleBoundPlatform({
    assets,
    crds: KUEUE_CRDS,
    kubernetes,
    platform: { devMachines: { startDefault: false, kubernetesPollMs: 50 } },
  });
  ({ envtest, proxy, fx } = cluster);
  apps = envtest.kubeConfig.makeApiClient(AppsV1Api);
  core = envtest.kubeConfig.makeApiClient(CoreV1Api);
  net = envtest.kubeConfig.makeApiClient(NetworkingV1Api);
  pods = new WorkloadPods(envtest.kubeConfig);
}, 60_000);

afterAll(() => cluster?.close());

const spec = (name: string, extra: Partial<DevMachineSpecInput> = {}): DevMachineSpecInput => ({
  name,
  engine: 'kubernetes',
  resources: { cpu: 2, memory: '8Gi' },
  ...extra,
});

/** What the admin reads, or undefined on a 404. */
async function read<T>(get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return undefined;
    throw error;
  }
}

const statefulSet = (name: string) => read(() => apps.readNamespacedStatefulSet({ namespace: NS, name }));
const pod = (name: string) => read(() => core.readNamespacedPod({ namespace: NS, name: `${name}-0` }));

/** Which of the machine's StatefulSet, Service, NetworkPolicy and Secret the cluster holds. */
async function objectsOf(name: string): Promise<string[]> {
  const held = {
    StatefulSet: await statefulSet(name),
    Service: await read(() => core.readNamespacedService({ namespace: NS, name })),
    NetworkPolicy: await read(() => net.readNamespacedNetworkPolicy({ namespace: NS, name })),
    Secret: await read(() => core.readNamespacedSecret({ namespace: NS, name: `${name}-ide` })),
  };
  return Object.entries(held)
    .filter(([, object]) => object !== undefined)
    .map(([kind]) => kind);
}

/** The machine's Secret's keys, decoded; undefined when there is none. */
async function secretData(name: string): Promise<Record<string, string> | undefined> {
  const secret = await read(() => core.readNamespacedSecret({ namespace: NS, name: `${name}-ide` }));
  if (!secret) return undefined;
  const data = Object.entries(secret.data ?? {});
  return Object.fromEntries(data.map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]));
}

/** The containers' statuses as the kubelet reports them: running, the ide container's with `ide` over that. */
function containers(names: string[], ide: Partial<V1ContainerStatus>): V1ContainerStatus[] {
  const now = new Date();
  const running = { image: IMAGE, imageID: '', ready: ide.ready ?? false, restartCount: 0 };
  return names.map((name) => ({
    name,
    ...running,
    state: { running: { startedAt: now } },
    ...(name === 'ide' ? ide : {}),
  }));
}

type Standing = 'gated' | 'ready' | { waiting: { reason: string; message: string } } | { lifecycleFailed: string };

/**
 * The StatefulSet controller's pod `<name>-0` from the template (created when there is none, with
 * Kueue's admission gate when `gated`; a gate Kueue then lifts is taken away), and its status as
 * the kubelet writes it: Pending behind the gate, Running and Ready, a container waiting, or a
 * lifecycle script's failure as the entrypoint ends (the termination message, then CrashLoopBackOff).
 */
async function putPod(name: string, standing: Standing): Promise<void> {
  const sts = await apps.readNamespacedStatefulSet({ namespace: NS, name });
  const template = sts.spec!.template;
  const podName = `${name}-0`;
  if (!(await pod(name))) {
    const gates = standing === 'gated' ? [{ name: 'kueue.x-k8s.io/admission' }] : undefined;
    await core.createNamespacedPod({
      namespace: NS,
      body: {
        metadata: {
          name: podName,
          namespace: NS,
          labels: template.metadata?.labels ?? {},
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'StatefulSet', name, uid: sts.metadata!.uid!, controller: true },
          ],
        },
        spec: { ...template.spec!, schedulingGates: gates },
      },
    });
  }
  const names = template.spec!.containers.map((c) => c.name);
  const now = new Date();
  const condition = (type: string, ok: boolean, reason?: string) => ({
    type,
    status: ok ? 'True' : 'False',
    lastTransitionTime: now,
    ...(reason ? { reason } : {}),
  });
  const status: V1PodStatus =
    standing === 'gated'
      ? { phase: 'Pending', conditions: [condition('PodScheduled', false, 'SchedulingGated')] }
      : standing === 'ready'
        ? {
            phase: 'Running',
            hostIP: '10.0.0.10',
            podIP: '10.244.0.10',
            conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((t) => condition(t, true)),
            containerStatuses: containers(names, { ready: true }),
          }
        : 'waiting' in standing
          ? {
              phase: 'Pending',
              conditions: [condition('PodScheduled', true), condition('Ready', false, 'ContainersNotReady')],
              containerStatuses: containers(names, { state: { waiting: standing.waiting } }),
            }
          : {
              phase: 'Running',
              conditions: [condition('PodScheduled', true), condition('Ready', false, 'ContainersNotReady')],
              containerStatuses: containers(names, {
                restartCount: 1,
                state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container' } },
                lastState: { terminated: { exitCode: 3, reason: 'Error', message: standing.lifecycleFailed } },
              }),
            };
  // Kueue lifts the gate first; then the kubelet's status.
  await retryingConflicts(async () => {
    const current = await core.readNamespacedPod({ namespace: NS, name: podName });
    if (standing === 'gated' || !current.spec?.schedulingGates?.length) return;
    await core.replaceNamespacedPod({
      namespace: NS,
      name: podName,
      body: { ...current, spec: { ...current.spec, schedulingGates: undefined } },
    });
  });
  await retryingConflicts(async () => {
    const current = await core.readNamespacedPod({ namespace: NS, name: podName });
    await core.replaceNamespacedPodStatus({ namespace: NS, name: podName, body: { ...current, status } });
  });
}

describe.skipIf(!assets)('dev machines on a real API server, with only the documented role', () => {
  it('waits for Kueue behind its pod’s admission gate, keeps its tokens in its Secret, is reached at its Service, and stops', async () => {
    const client = fx.client();
    const created = await client.createDevMachine({ body: { spec: spec('real-k8s-box') } });
    expect(created).toMatchObject({ state: 'Starting', spec: { engine: 'kubernetes' } });
    const { id } = created;
    const name = devMachineObjectName(id);
    const sts = await statefulSet(name);
    expect(sts?.metadata?.labels).toMatchObject({ 'kueue.x-k8s.io/queue-name': 'default', 'aiplat.io/devmachine': id });
    expect(await objectsOf(name)).toEqual(['StatefulSet', 'Service', 'NetworkPolicy', 'Secret']);
    const secret = (await secretData(name)) ?? {};
    const ideToken = secret['ide-token'];
    expect(ideToken).toMatch(/^\S{20,}$/);
    expect(secret['aiplat-token']).toBe(fx.platform.users.find((u) => u.name === 'alice')?.token);
    expect(JSON.stringify(sts)).not.toContain(ideToken);

    await putPod(name, 'gated');
    await expect
      .poll(async () => (await client.getDevMachine({ params: { id } })).waitReason?.message, { timeout: 10_000 })
      .toBe('waiting for Kueue to admit it in queue default');
    expect((await client.getDevMachine({ params: { id } })).state).toBe('Starting');
    expect(fx.platform.devMachines.endpoint(id, 'jupyterlab')).toBeUndefined();

    await putPod(name, 'ready');
    expect((await pod(name))?.spec?.schedulingGates).toBeUndefined();
    const running = await waitForDevMachine(client, id, ['Running', 'Failed'], 10_000);
    expect(running.state, running.failure?.message).toBe('Running');
    expect(running.waitReason).toBeUndefined();
    // The proxy's way in is the machine's Service by its cluster DNS name, with the IDE's token.
    expect(fx.platform.devMachines.endpoint(id, 'jupyterlab')).toEqual({
      target: { host: `${name}.${NS}.svc`, port: 8888 },
      prefix: `/devmachines/${id}/lab/`,
      keepsPrefix: true,
      headers: { authorization: `token ${ideToken}` },
    });
    expect(fx.platform.devMachines.endpoint(id, 'code-server')).toMatchObject({
      target: { host: `${name}.${NS}.svc`, port: 8080 },
      keepsPrefix: false,
      headers: {},
    });
    const service = await core.readNamespacedService({ namespace: NS, name });
    expect(service.spec?.ports?.map((p) => p.port)).toEqual(expect.arrayContaining([8888, 8080]));

    await client.stopDevMachine({ params: { id }, body: {} });
    await expect.poll(() => objectsOf(name), { timeout: 10_000 }).toEqual([]);
    expect((await client.getDevMachine({ params: { id } })).state).toBe('Stopping');
    expect(await pods.collect(NS, name)).toEqual([`${name}-0`]);
    await waitForDevMachine(client, id, ['Stopped'], 10_000);
    const { events } = await client.devMachineEvents({ params: { id } });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['queued', 'running', 'stopped']));
  });

  it('runs a lifecycle config from its Secret: on-create in the first start’s only, a failure reported from the pod', async () => {
    const client = fx.client();
    await client.createLifecycleConfig({
      body: {
        spec: {
          name: 'real-k8s-setup',
          onCreate: encodeLifecycleScript('pip install torch\n'),
          onStart: encodeLifecycleScript('echo hi\n'),
        },
      },
    });
    const created = await client.createDevMachine({
      body: { spec: spec('real-k8s-scripted', { lifecycleConfig: 'real-k8s-setup' }) },
    });
    const { id } = created;
    const name = devMachineObjectName(id);
    const scripts = async () => {
      const data = await secretData(name);
      if (!data) return undefined;
      return Object.fromEntries(
        Object.entries(data).filter(([key]) => key === 'on-create.sh' || key === 'on-start.sh'),
      );
    };
    expect(await scripts()).toEqual({ 'on-create.sh': 'pip install torch\n', 'on-start.sh': 'echo hi\n' });
    await putPod(name, 'ready');
    expect((await waitForDevMachine(client, id, ['Running', 'Failed'], 10_000)).created).toBe(true);
    await client.stopDevMachine({ params: { id }, body: {} });
    await expect.poll(() => objectsOf(name), { timeout: 10_000 }).toEqual([]);
    await pods.collect(NS, name);
    await waitForDevMachine(client, id, ['Stopped'], 10_000);

    await client.startDevMachine({ params: { id }, body: {} });
    await expect.poll(scripts, { timeout: 10_000 }).toEqual({ 'on-start.sh': 'echo hi\n' });
    await putPod(name, {
      lifecycleFailed: 'aiplat-lifecycle: the on-start script exited with code 4; its last lines: broken',
    });
    const failed = await waitForDevMachine(client, id, ['Failed'], 10_000);
    expect(failed.failure?.message).toBe(
      'the on-start script exited with code 4; its last lines: broken; start it in safe mode to skip the scripts once',
    );
    // A failed machine's objects go, its pod at once.
    await expect.poll(() => objectsOf(name), { timeout: 10_000 }).toEqual([]);
    await expect.poll(() => pod(name), { timeout: 10_000 }).toBeUndefined();

    await client.startDevMachine({ params: { id }, body: { safeMode: true } });
    await expect.poll(scripts, { timeout: 10_000 }).toEqual({});
    expect(JSON.stringify(await statefulSet(name))).not.toContain('AIPLAT_LIFECYCLE_DIR');
    await client.stopDevMachine({ params: { id }, body: { force: true } });
    await waitForDevMachine(client, id, ['Stopped'], 10_000);
    expect(await objectsOf(name)).toEqual([]);
  });

  it('fails with the cluster’s words when its image cannot be pulled, and takes its objects away', async () => {
    const client = fx.client();
    const created = await client.createDevMachine({ body: { spec: spec('real-bad-image', { image: 'nope:1' }) } });
    const name = devMachineObjectName(created.id);
    expect((await statefulSet(name))?.spec?.template.spec?.containers[0]?.image).toBe('nope:1');
    await putPod(name, { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope:1"' } });
    const failed = await waitForDevMachine(client, created.id, ['Failed'], 10_000);
    expect(failed.failure?.message).toBe('ImagePullBackOff: Back-off pulling image "nope:1"');
    await expect.poll(() => objectsOf(name), { timeout: 10_000 }).toEqual([]);
    await expect.poll(() => pod(name), { timeout: 10_000 }).toBeUndefined();
  });

  it('refuses what it cannot run, naming the field, and creates nothing in the cluster', async () => {
    const client = fx.client();
    const before = (await apps.listNamespacedStatefulSet({ namespace: NS })).items.length;
    const queue = await rejection(client.createDevMachine({ body: { spec: spec('q', { queue: 'nope' }) } }));
    expect(queue.status).toBe(400);
    expect(queue.message).toContain('queue nope is not configured for the Kubernetes engine');
    const ascend = await rejection(
      client.createDevMachine({
        body: {
          spec: spec('npu', { resources: { cpu: 1, memory: '1Gi', accelerator: { type: 'ascend', count: 0.5 } } }),
        },
      }),
    );
    expect(ascend.issues?.[0]?.path).toBe('body.spec.resources.accelerator.count');
    expect((await apps.listNamespacedStatefulSet({ namespace: NS })).items).toHaveLength(before);
  });

  // After the tests above: the role of backend.yaml was enough for every request they made.
  it('the engine was refused nothing', () => {
    const denied = refused(proxy.requests);
    expect(denied, `the role of backend.yaml lacks these: ${denied.join(', ')}`).toEqual([]);
    expect(proxy.requests.some((r) => r.method === 'POST' && r.path.includes('/statefulsets'))).toBe(true);
  });
});
