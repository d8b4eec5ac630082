import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeApiServer } from '../../../../../testing/src/kubernetes/fakeApiServer/fakeApiServer.js';
import type { TensorBoardObservation } from '../../../tensorboard/engine.js';
import { KubeCluster } from '../cluster.js';
import { KubernetesConfigSchema } from '../config.js';
import { KubernetesTensorBoardEngine } from './kubernetesTensorBoardEngine.js';

/*
 * TensorBoards on the Kubernetes engine against the fake API server with the real client: what it
 * creates (checked by the fake against the real schemas: Kubeflow's CRD, the v1.35 OpenAPI), how it
 * follows the pod Kubeflow's controller or the Deployment makes (scripted here), and what it deletes.
 */

const NS = 'aiplat-alice';
const config = KubernetesConfigSchema.parse({ enabled: true });

function engineOn(fake: FakeApiServer, readyTimeoutMs = 10_000): KubernetesTensorBoardEngine {
  return new KubernetesTensorBoardEngine({
    cluster: new KubeCluster(fake.kubeConfig()),
    config,
    pollMs: 20,
    readyTimeoutMs,
    log: pino({ level: 'silent' }),
  });
}

function launch(id: string) {
  return { id, user: 'alice', path: 'home/summaries/job-1', hostPath: '/unused', prefix: `/tensorboard/${id}/` };
}

/** The TensorBoard pod as the controller and the kubelet leave it. */
function putPod(
  fake: FakeApiServer,
  id: string,
  status: { ready?: boolean; waiting?: { reason: string; message: string } },
) {
  fake.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${id}-7d9f-abcde`, namespace: NS, labels: { app: id } },
    spec: { containers: [{ name: 'tensorboard', image: 'tensorflow/tensorflow:2.17.0' }] },
    status: {
      phase: status.ready ? 'Running' : 'Pending',
      conditions: [{ type: 'Ready', status: status.ready ? 'True' : 'False' }],
      containerStatuses: [{ name: 'tensorboard', ...(status.waiting ? { state: { waiting: status.waiting } } : {}) }],
    },
  });
}

describe("TensorBoards on the Kubernetes engine, where Kubeflow's Tensorboard is served", () => {
  let fake: FakeApiServer;
  beforeAll(async () => {
    fake = await FakeApiServer.start({ namespaces: ['default', NS] });
  });
  afterAll(() => fake?.close());

  it('creates the Tensorboard and its policy, runs once the pod is Ready, is reached at its Service, and stops', async () => {
    const engine = engineOn(fake);
    const seen: TensorBoardObservation[] = [];
    await engine.start(launch('tb-kf1'), (o) => seen.push(o));
    const resource = fake.get('tensorboard.kubeflow.org/v1alpha1', 'Tensorboard', NS, 'tb-kf1');
    expect(resource?.spec).toEqual({ logspath: 'pvc://aiplat-home-alice/summaries/job-1' });
    expect(fake.get('networking.k8s.io/v1', 'NetworkPolicy', NS, 'tb-kf1')).toBeDefined();
    expect(fake.get('apps/v1', 'Deployment', NS, 'tb-kf1')).toBeUndefined(); // the controller's to make
    expect(engine.endpoint('tb-kf1')).toBeUndefined();

    putPod(fake, 'tb-kf1', { ready: true });
    await expect.poll(() => seen).toEqual([{ state: 'Running' }]);
    expect(engine.endpoint('tb-kf1')).toEqual({
      target: { host: 'tb-kf1.aiplat-alice.svc', port: 80 },
      prefix: '/tensorboard/tb-kf1/',
      keepsPrefix: false,
      headers: {},
    });

    await engine.stop('tb-kf1');
    expect(fake.get('tensorboard.kubeflow.org/v1alpha1', 'Tensorboard', NS, 'tb-kf1')).toBeUndefined();
    expect(fake.get('networking.k8s.io/v1', 'NetworkPolicy', NS, 'tb-kf1')).toBeUndefined();
    expect(engine.endpoint('tb-kf1')).toBeUndefined();
  });

  it("fails with the cluster's words when the image cannot be pulled, and takes its objects away", async () => {
    const engine = engineOn(fake);
    const seen: TensorBoardObservation[] = [];
    await engine.start(launch('tb-kf2'), (o) => seen.push(o));
    putPod(fake, 'tb-kf2', {
      waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "tensorflow/tensorflow:2.17.0"' },
    });
    await expect
      .poll(() => seen)
      .toEqual([
        { state: 'Failed', reason: 'ImagePullBackOff: Back-off pulling image "tensorflow/tensorflow:2.17.0"' },
      ]);
    expect(fake.get('tensorboard.kubeflow.org/v1alpha1', 'Tensorboard', NS, 'tb-kf2')).toBeUndefined();
  });

  it('fails when no pod is ready in time, asking whether the controller runs, and takes its objects away', async () => {
    const engine = engineOn(fake, 200);
    const seen: TensorBoardObservation[] = [];
    await engine.start(launch('tb-kf3'), (o) => seen.push(o));
    await expect
      .poll(() => seen)
      .toEqual([
        {
          state: 'Failed',
          reason: "its pod was not ready within 0.2 s (there is none: is Kubeflow's tensorboard-controller running?)",
        },
      ]);
    expect(fake.get('tensorboard.kubeflow.org/v1alpha1', 'Tensorboard', NS, 'tb-kf3')).toBeUndefined();
    expect(fake.get('networking.k8s.io/v1', 'NetworkPolicy', NS, 'tb-kf3')).toBeUndefined();
  });
});

describe('TensorBoards on the Kubernetes engine, without Kubeflow', () => {
  let fake: FakeApiServer;
  beforeAll(async () => {
    fake = await FakeApiServer.start({ namespaces: ['default', NS], leaveOut: ['tensorboard.kubeflow.org'] });
  });
  afterAll(() => fake?.close());

  it('makes the Deployment and Service itself, runs once the pod is Ready, and deletes them all at close', async () => {
    const engine = engineOn(fake);
    const seen: TensorBoardObservation[] = [];
    await engine.start(launch('tb-dp1'), (o) => seen.push(o));
    const deployment = fake.get('apps/v1', 'Deployment', NS, 'tb-dp1');
    expect(deployment).toBeDefined();
    expect(fake.get('v1', 'Service', NS, 'tb-dp1')).toBeDefined();
    putPod(fake, 'tb-dp1', { ready: true });
    await expect.poll(() => seen).toEqual([{ state: 'Running' }]);
    expect(engine.endpoint('tb-dp1')?.target).toEqual({ host: 'tb-dp1.aiplat-alice.svc', port: 80 });
    await engine.close();
    expect(fake.get('apps/v1', 'Deployment', NS, 'tb-dp1')).toBeUndefined();
    expect(fake.get('v1', 'Service', NS, 'tb-dp1')).toBeUndefined();
    expect(fake.get('networking.k8s.io/v1', 'NetworkPolicy', NS, 'tb-dp1')).toBeUndefined();
  });

  it("fails when TensorBoard keeps crashing, in the cluster's words, and deletes what it made", async () => {
    const engine = engineOn(fake);
    const seen: TensorBoardObservation[] = [];
    await engine.start(launch('tb-dp3'), (o) => seen.push(o));
    putPod(fake, 'tb-dp3', {
      waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=tensorboard' },
    });
    await expect
      .poll(() => seen)
      .toEqual([{ state: 'Failed', reason: 'CrashLoopBackOff: back-off 40s restarting failed container=tensorboard' }]);
    expect(fake.get('apps/v1', 'Deployment', NS, 'tb-dp3')).toBeUndefined();
    expect(fake.get('v1', 'Service', NS, 'tb-dp3')).toBeUndefined();
    expect(fake.get('networking.k8s.io/v1', 'NetworkPolicy', NS, 'tb-dp3')).toBeUndefined();
    expect(engine.endpoint('tb-dp3')).toBeUndefined();
  });

  it('names what the cluster refused (a namespace that does not exist)', async () => {
    const engine = new KubernetesTensorBoardEngine({
      cluster: new KubeCluster(fake.kubeConfig()),
      config: KubernetesConfigSchema.parse({ enabled: true, namespace: 'elsewhere-{user}' }),
      log: pino({ level: 'silent' }),
    });
    await expect(engine.start(launch('tb-dp2'), () => undefined)).rejects.toThrow(
      /the cluster refused the NetworkPolicy/,
    );
  });
});
