import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  createNamespace,
  envtestAssetsOrSkip,
  installCrds,
  startEnvtest,
  type Envtest,
} from '../../../../../testing/src/kubernetes/envtest/index.js';
import { EnvtestPods } from '../../../../../testing/src/kubernetes/envtest/podStatus.js';
import type { TensorBoardObservation } from '../../../tensorboard/engine.js';
import { KubeCluster } from '../cluster.js';
import { KubernetesConfigSchema } from '../config.js';
import { KubernetesTensorBoardEngine } from './kubernetesTensorBoardEngine.js';
import { TENSORBOARD_RESOURCE, tensorBoardPodLabels } from './tensorboardManifests.js';

/*
 * TensorBoards on the Kubernetes engine against a real kube-apiserver (envtest) with the real
 * client: what it creates (validated and stored by the real server: Kubeflow's CRD, the core
 * kinds), how it follows the pod Kubeflow's controller or the Deployment would make (envtest has no
 * controller, scheduler or kubelet: the test creates the pod and writes its status through the
 * status subresource, testing/src/kubernetes/envtest/podStatus.ts), and what it deletes. One API
 * server for the file: it starts without Kubeflow's CRD (the engine makes the Deployment and
 * Service itself), and Kubeflow's Tensorboard CRD is installed for the second half. Nothing here
 * needs the fake API server.
 */

const assets = envtestAssetsOrSkip('kubernetesTensorBoardEngine.test.ts');

const NS = 'aiplat-alice';
const config = KubernetesConfigSchema.parse({ enabled: true });

let envtest: Envtest;
let admin: KubeCluster;
let pods: EnvtestPods;

beforeAll(async () => {
  if (!assets) return;
  envtest = await startEnvtest({ assets });
  admin = new KubeCluster(envtest.kubeConfig);
  pods = new EnvtestPods(envtest.kubeConfig);
  await createNamespace(envtest.kubeConfig, NS);
}, 60_000);
afterAll(() => envtest?.stop());

function engineOn(readyTimeoutMs = 10_000): KubernetesTensorBoardEngine {
  return new KubernetesTensorBoardEngine({
    cluster: new KubeCluster(envtest.kubeConfig),
    config,
    pollMs: 20,
    readyTimeoutMs,
    log: pino({ level: 'silent' }),
  });
}

function launch(id: string) {
  return { id, user: 'alice', path: 'home/summaries/job-1', hostPath: '/unused', prefix: `/tensorboard/${id}/` };
}

/** The object as the API server holds it; undefined when there is none. */
function stored(apiVersion: string, kind: string, name: string) {
  return admin.read<KubernetesObject & { spec?: Record<string, unknown> }>({
    apiVersion,
    kind,
    metadata: { name, namespace: NS },
  });
}

/** The TensorBoard pod as the controller and the kubelet leave it. */
async function putPod(id: string, status: { ready?: boolean; waiting?: { reason: string; message: string } }) {
  const image = 'tensorflow/tensorflow:2.17.0';
  await pods.put({
    metadata: { name: `${id}-7d9f-abcde`, namespace: NS, labels: tensorBoardPodLabels(id) },
    spec: { containers: [{ name: 'tensorboard', image }] },
    status: {
      phase: status.ready ? 'Running' : 'Pending',
      conditions: [{ type: 'Ready', status: status.ready ? 'True' : 'False' }],
      containerStatuses: [
        {
          name: 'tensorboard',
          image,
          imageID: '',
          ready: status.ready ?? false,
          restartCount: 0,
          state: status.waiting
            ? { waiting: status.waiting }
            : status.ready
              ? { running: { startedAt: new Date().toISOString() } }
              : { waiting: { reason: 'ContainerCreating' } },
        },
      ],
    },
  });
}

// First, while the API server has no Kubeflow CRD.
describe.skipIf(!assets)('TensorBoards on the Kubernetes engine, without Kubeflow', () => {
  it('is on a server that does not serve Kubeflow’s Tensorboard', async () => {
    expect(await admin.serves(TENSORBOARD_RESOURCE)).toBe(false);
  });

  it('makes the Deployment and Service itself, runs once the pod is Ready, and deletes them all at close', async () => {
    const engine = engineOn();
    const seen: TensorBoardObservation[] = [];
    await engine.start(launch('tb-dp1'), (o) => seen.push(o));
    expect(await stored('apps/v1', 'Deployment', 'tb-dp1')).toBeDefined();
    expect(await stored('v1', 'Service', 'tb-dp1')).toBeDefined();
    expect(await stored('networking.k8s.io/v1', 'NetworkPolicy', 'tb-dp1')).toBeDefined();
    await putPod('tb-dp1', { ready: true });
    await expect.poll(() => seen).toEqual([{ state: 'Running' }]);
    expect(engine.endpoint('tb-dp1')?.target).toEqual({ host: 'tb-dp1.aiplat-alice.svc', port: 80 });
    await engine.close();
    expect(await stored('apps/v1', 'Deployment', 'tb-dp1')).toBeUndefined();
    expect(await stored('v1', 'Service', 'tb-dp1')).toBeUndefined();
    expect(await stored('networking.k8s.io/v1', 'NetworkPolicy', 'tb-dp1')).toBeUndefined();
  });

  it("fails when TensorBoard keeps crashing, in the cluster's words, and deletes what it made", async () => {
    const engine = engineOn();
    const seen: TensorBoardObservation[] = [];
    await engine.start(launch('tb-dp3'), (o) => seen.push(o));
    expect(await stored('apps/v1', 'Deployment', 'tb-dp3')).toBeDefined();
    await putPod('tb-dp3', {
      waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=tensorboard' },
    });
    await expect
      .poll(() => seen)
      .toEqual([{ state: 'Failed', reason: 'CrashLoopBackOff: back-off 40s restarting failed container=tensorboard' }]);
    expect(await stored('apps/v1', 'Deployment', 'tb-dp3')).toBeUndefined();
    expect(await stored('v1', 'Service', 'tb-dp3')).toBeUndefined();
    expect(await stored('networking.k8s.io/v1', 'NetworkPolicy', 'tb-dp3')).toBeUndefined();
    expect(engine.endpoint('tb-dp3')).toBeUndefined();
  });

  it('names what the cluster refused (a namespace that does not exist)', async () => {
    const engine = new KubernetesTensorBoardEngine({
      cluster: new KubeCluster(envtest.kubeConfig),
      config: KubernetesConfigSchema.parse({ enabled: true, namespace: 'elsewhere-{user}' }),
      log: pino({ level: 'silent' }),
    });
    await expect(engine.start(launch('tb-dp2'), () => undefined)).rejects.toThrow(
      /the cluster refused the NetworkPolicy: namespaces "elsewhere-alice" not found/,
    );
  });
});

// Then with Kubeflow's Tensorboard CRD installed.
describe.skipIf(!assets)("TensorBoards on the Kubernetes engine, where Kubeflow's Tensorboard is served", () => {
  beforeAll(async () => {
    await installCrds(envtest.kubeConfig, { only: ['tensorboards.tensorboard.kubeflow.org'] });
    // Established first, then in discovery: the engine decides by discovery.
    await vi.waitFor(async () => expect(await admin.serves(TENSORBOARD_RESOURCE)).toBe(true), { timeout: 10_000 });
  }, 30_000);

  it('creates the Tensorboard and its policy, runs once the pod is Ready, is reached at its Service, and stops', async () => {
    const engine = engineOn();
    const seen: TensorBoardObservation[] = [];
    await engine.start(launch('tb-kf1'), (o) => seen.push(o));
    const resource = await stored(TENSORBOARD_RESOURCE.apiVersion, 'Tensorboard', 'tb-kf1');
    expect(resource?.spec).toEqual({ logspath: 'pvc://aiplat-home-alice/summaries/job-1' });
    expect(await stored('networking.k8s.io/v1', 'NetworkPolicy', 'tb-kf1')).toBeDefined();
    expect(await stored('apps/v1', 'Deployment', 'tb-kf1')).toBeUndefined(); // the controller's to make
    expect(engine.endpoint('tb-kf1')).toBeUndefined();

    await putPod('tb-kf1', { ready: true });
    await expect.poll(() => seen).toEqual([{ state: 'Running' }]);
    expect(engine.endpoint('tb-kf1')).toEqual({
      target: { host: 'tb-kf1.aiplat-alice.svc', port: 80 },
      prefix: '/tensorboard/tb-kf1/',
      keepsPrefix: false,
      headers: {},
    });

    await engine.stop('tb-kf1');
    expect(await stored(TENSORBOARD_RESOURCE.apiVersion, 'Tensorboard', 'tb-kf1')).toBeUndefined();
    expect(await stored('networking.k8s.io/v1', 'NetworkPolicy', 'tb-kf1')).toBeUndefined();
    expect(engine.endpoint('tb-kf1')).toBeUndefined();
  });

  it("fails with the cluster's words when the image cannot be pulled, and takes its objects away", async () => {
    const engine = engineOn();
    const seen: TensorBoardObservation[] = [];
    await engine.start(launch('tb-kf2'), (o) => seen.push(o));
    expect(await stored(TENSORBOARD_RESOURCE.apiVersion, 'Tensorboard', 'tb-kf2')).toBeDefined();
    await putPod('tb-kf2', {
      waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "tensorflow/tensorflow:2.17.0"' },
    });
    await expect
      .poll(() => seen)
      .toEqual([
        { state: 'Failed', reason: 'ImagePullBackOff: Back-off pulling image "tensorflow/tensorflow:2.17.0"' },
      ]);
    expect(await stored(TENSORBOARD_RESOURCE.apiVersion, 'Tensorboard', 'tb-kf2')).toBeUndefined();
    expect(await stored('networking.k8s.io/v1', 'NetworkPolicy', 'tb-kf2')).toBeUndefined();
  });

  it('fails when no pod is ready in time, asking whether the controller runs, and takes its objects away', async () => {
    const engine = engineOn(200);
    const seen: TensorBoardObservation[] = [];
    await engine.start(launch('tb-kf3'), (o) => seen.push(o));
    expect(await stored(TENSORBOARD_RESOURCE.apiVersion, 'Tensorboard', 'tb-kf3')).toBeDefined();
    await expect
      .poll(() => seen)
      .toEqual([
        {
          state: 'Failed',
          reason: "its pod was not ready within 0.2 s (there is none: is Kubeflow's tensorboard-controller running?)",
        },
      ]);
    expect(await stored(TENSORBOARD_RESOURCE.apiVersion, 'Tensorboard', 'tb-kf3')).toBeUndefined();
    expect(await stored('networking.k8s.io/v1', 'NetworkPolicy', 'tb-kf3')).toBeUndefined();
  });
});
